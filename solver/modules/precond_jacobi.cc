#include <deal.II/base/parameter_handler.h>

#include "solver/core/registry.h"
#include "solver/modules/preconditioner.h"

namespace hyfe
{
  namespace
  {
    /** @brief Point Jacobi: the inverse of the diagonal (or of the row sums / row maxima). */
    class Jacobi : public Preconditioner
    {
    public:
      /** @brief Declares the module's options. */
      static void
      declare_parameters(dealii::ParameterHandler &prm)
      {
        prm.declare_entry("diagonal",
                          "diagonal",
                          dealii::Patterns::Selection("diagonal|row-max"),
                          "Which diagonal to invert: the matrix diagonal or the largest absolute "
                          "entry of each row. Unitless.");
      }

      /** @brief Reads the module's options. */
      explicit Jacobi(dealii::ParameterHandler &prm)
          : diagonal(prm.get("diagonal"))
      {
      }

    protected:
      void
      configure(PC pc, const std::string &) override
      {
        petsc_check(PCSetType(pc, PCJACOBI), "PCSetType");
        // (PETSc 3.18's row sum is signed, about 0 inside a stiffness matrix: not offered)
        petsc_check(PCJacobiSetType(pc, diagonal == "row-max" ? PC_JACOBI_ROWMAX : PC_JACOBI_DIAGONAL),
                    "PCJacobiSetType");
      }

    private:
      const std::string diagonal;
    };
  } // namespace

  /** @brief Registration (called from register_classical_modules()). */
  void
  register_jacobi()
  {
    register_module<Preconditioner, Jacobi>("jacobi",
                                            ModuleKind::classical,
                                            "point Jacobi (inverse diagonal), PETSc PCJACOBI");
  }
} // namespace hyfe
