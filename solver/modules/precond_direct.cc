#include <deal.II/base/parameter_handler.h>

#include "solver/core/registry.h"
#include "solver/modules/preconditioner.h"

namespace hyfe
{
  namespace
  {
    /**
     * @brief Sparse direct factorisation with MUMPS, used as a preconditioner: the Krylov method
     * then converges in one iteration. For small cases and as a reference.
     */
    class Direct : public Preconditioner
    {
    public:
      /** @brief Declares the module's options. */
      static void
      declare_parameters(dealii::ParameterHandler &prm)
      {
        prm.declare_entry("workspace increase",
                          "20",
                          dealii::Patterns::Integer(0, 1000),
                          "Percentage by which MUMPS may grow its estimated workspace (ICNTL(14)). "
                          "Percent, in [0, 1000].");
        prm.declare_entry("ordering",
                          "auto",
                          dealii::Patterns::Selection("auto|amd|metis|pord"),
                          "Fill-reducing ordering of the analysis phase (ICNTL(7)). Unitless.");
      }

      /** @brief Reads the module's options. */
      explicit Direct(dealii::ParameterHandler &prm)
          : workspace(prm.get("workspace increase"))
          , ordering(prm.get("ordering"))
      {
      }

    protected:
      void
      configure(PC pc, const std::string &prefix) override
      {
        petsc_check(PCSetType(pc, PCLU), "PCSetType");
        petsc_check(PCFactorSetMatSolverType(pc, MATSOLVERMUMPS), "PCFactorSetMatSolverType");
        set_option(prefix, "mat_mumps_icntl_14", workspace);
        const char *icntl7 =
          ordering == "amd" ? "0" : (ordering == "metis" ? "5" : (ordering == "pord" ? "4" : "7"));
        set_option(prefix, "mat_mumps_icntl_7", icntl7);
        petsc_check(PCSetFromOptions(pc), "PCSetFromOptions");
      }

    private:
      const std::string workspace, ordering;
    };
  } // namespace

  /** @brief Registration (called from register_classical_modules()). */
  void
  register_direct()
  {
    register_module<Preconditioner, Direct>("direct",
                                            ModuleKind::classical,
                                            "sparse direct LU with MUMPS (small cases, reference solutions)");
  }
} // namespace hyfe
