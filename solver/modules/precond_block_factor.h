#pragma once

#include <deal.II/base/parameter_handler.h>

#include "solver/modules/preconditioner.h"

namespace hyfe
{
  /**
   * @brief Block Jacobi with one block per rank and an incomplete factorisation of each block:
   * the shared part of `block-icc` and `block-ilu`.
   */
  class BlockFactorization : public Preconditioner
  {
  public:
    /** @brief Declares the options shared by both factorisations. */
    static void
    declare_parameters(dealii::ParameterHandler &prm)
    {
      prm.declare_entry("fill levels",
                        "0",
                        dealii::Patterns::Integer(0, 10),
                        "Levels of fill of the incomplete factorisation (0 keeps the matrix's sparsity). "
                        "Unitless, in [0, 10].");
      prm.declare_entry("diagonal shift",
                        "false",
                        dealii::Patterns::Bool(),
                        "Shift the diagonal where a pivot is not positive (PETSc's positive-definite "
                        "shift). Unitless, true or false.");
    }

    /** @brief Reads the options; @p factor_type is PCICC or PCILU. */
    BlockFactorization(dealii::ParameterHandler &prm, const char *factor_type)
        : factor_type(factor_type)
        , fill_levels(prm.get_integer("fill levels"))
        , shift(prm.get_bool("diagonal shift"))
    {
    }

  protected:
    /** @brief A new matrix with the same sparsity is refactorised in place (numeric part only). */
    bool
    numeric_refresh() const override
    {
      return true;
    }

    void
    configure(PC pc, const std::string &) override
    {
      petsc_check(PCSetType(pc, PCBJACOBI), "PCSetType");
      petsc_check(PCSetUp(pc), "PCSetUp");
      PetscInt n_local = 0, first = 0;
      KSP     *sub_ksp = nullptr;
      petsc_check(PCBJacobiGetSubKSP(pc, &n_local, &first, &sub_ksp), "PCBJacobiGetSubKSP");
      for (PetscInt i = 0; i < n_local; ++i)
        {
          PC sub_pc;
          petsc_check(KSPSetType(sub_ksp[i], KSPPREONLY), "KSPSetType");
          petsc_check(KSPGetPC(sub_ksp[i], &sub_pc), "KSPGetPC");
          petsc_check(PCSetType(sub_pc, factor_type), "PCSetType");
          petsc_check(PCFactorSetLevels(sub_pc, fill_levels), "PCFactorSetLevels");
          if (shift)
            petsc_check(PCFactorSetShiftType(sub_pc, MAT_SHIFT_POSITIVE_DEFINITE), "PCFactorSetShiftType");
        }
      // factorise now, so that the time counts as set-up and not as the first solve
      petsc_check(PCSetUpOnBlocks(pc), "PCSetUpOnBlocks");
    }

  private:
    const char *factor_type;
    const int   fill_levels;
    const bool  shift;
  };
} // namespace hyfe
