#include <deal.II/base/parameter_handler.h>

#include "solver/core/registry.h"
#include "solver/modules/preconditioner.h"

namespace hyfe
{
  namespace
  {
    /** @brief PETSc's smoothed-aggregation algebraic multigrid, PCGAMG. */
    class Gamg : public Preconditioner
    {
    public:
      /** @brief Declares the module's options. */
      static void
      declare_parameters(dealii::ParameterHandler &prm)
      {
        using namespace dealii;
        prm.declare_entry("threshold",
                          "0.02",
                          Patterns::Double(0., 1.),
                          "Drop threshold of the aggregation graph (0 keeps all connections). "
                          "Unitless, in [0, 1].");
        prm.declare_entry("smoothing steps",
                          "1",
                          Patterns::Integer(0, 10),
                          "Prolongator smoothing steps (0: plain aggregation). Unitless, in [0, 10].");
        prm.declare_entry("max levels",
                          "25",
                          Patterns::Integer(2, 100),
                          "Maximum number of multigrid levels. Unitless, in [2, 100].");
        prm.declare_entry("smoother",
                          "chebyshev",
                          Patterns::Selection("chebyshev|jacobi|sor"),
                          "Level smoother: Chebyshev with Jacobi, Richardson with Jacobi, or "
                          "Richardson with SOR. Unitless.");
      }

      /** @brief Reads the module's options. */
      explicit Gamg(dealii::ParameterHandler &prm)
          : threshold(prm.get_double("threshold"))
          , smoothing_steps(prm.get_integer("smoothing steps"))
          , max_levels(prm.get_integer("max levels"))
          , smoother(prm.get("smoother"))
      {
      }

    protected:
      void
      configure(PC pc, const std::string &prefix) override
      {
        petsc_check(PCSetType(pc, PCGAMG), "PCSetType");
        petsc_check(PCGAMGSetType(pc, PCGAMGAGG), "PCGAMGSetType");
        PetscReal thresholds[1] = {threshold};
        petsc_check(PCGAMGSetThreshold(pc, thresholds, 1), "PCGAMGSetThreshold");
        petsc_check(PCGAMGSetNSmooths(pc, smoothing_steps), "PCGAMGSetNSmooths");
        petsc_check(PCGAMGSetNlevels(pc, max_levels), "PCGAMGSetNlevels");
        if (smoother == "chebyshev")
          {
            set_option(prefix, "mg_levels_ksp_type", "chebyshev");
            set_option(prefix, "mg_levels_pc_type", "jacobi");
          }
        else
          {
            set_option(prefix, "mg_levels_ksp_type", "richardson");
            set_option(prefix, "mg_levels_pc_type", smoother);
          }
        petsc_check(PCSetFromOptions(pc), "PCSetFromOptions");
      }

    private:
      const double      threshold;
      const int         smoothing_steps;
      const int         max_levels;
      const std::string smoother;
    };
  } // namespace

  /** @brief Registration (called from register_classical_modules()). */
  void
  register_gamg()
  {
    register_module<Preconditioner, Gamg>("gamg",
                                          ModuleKind::classical,
                                          "PETSc GAMG smoothed-aggregation algebraic multigrid");
  }
} // namespace hyfe
