#include <deal.II/base/parameter_handler.h>

#include "solver/core/registry.h"
#include "solver/modules/preconditioner.h"

namespace hyfe
{
  namespace
  {
    /** @brief hypre's BoomerAMG algebraic multigrid, through PETSc's PCHYPRE. */
    class BoomerAmg : public Preconditioner
    {
    public:
      /** @brief Declares the module's options. */
      static void
      declare_parameters(dealii::ParameterHandler &prm)
      {
        using namespace dealii;
        prm.declare_entry("strong threshold",
                          "0.5",
                          Patterns::Double(0., 1.),
                          "Strength-of-connection threshold (0.25 suits 2D, 0.5 to 0.7 suit 3D). "
                          "Unitless, in [0, 1].");
        prm.declare_entry("coarsening",
                          "HMIS",
                          Patterns::Selection("CLJP|Ruge-Stueben|modifiedRuge-Stueben|Falgout|PMIS|HMIS"),
                          "hypre coarsening algorithm. Unitless.");
        prm.declare_entry("interpolation",
                          "ext+i",
                          Patterns::Selection("classical|direct|multipass|ext+i|FF1|ext"),
                          "hypre interpolation operator. Unitless.");
        prm.declare_entry("relaxation",
                          "symmetric-SOR/Jacobi",
                          Patterns::Selection("Jacobi|symmetric-SOR/Jacobi|l1scaled-SOR/Jacobi|Chebyshev"),
                          "Smoother on every level except the coarsest. Unitless.");
        prm.declare_entry("aggressive coarsening levels",
                          "0",
                          Patterns::Integer(0, 10),
                          "Number of levels with aggressive coarsening. Unitless, in [0, 10].");
        prm.declare_entry("max levels",
                          "25",
                          Patterns::Integer(2, 100),
                          "Maximum number of multigrid levels. Unitless, in [2, 100].");
        prm.declare_entry("cycle", "V", Patterns::Selection("V|W"), "Multigrid cycle. Unitless.");
      }

      /** @brief Reads the module's options. */
      explicit BoomerAmg(dealii::ParameterHandler &prm)
          : strong_threshold(prm.get("strong threshold"))
          , coarsening(prm.get("coarsening"))
          , interpolation(prm.get("interpolation"))
          , relaxation(prm.get("relaxation"))
          , aggressive_levels(prm.get("aggressive coarsening levels"))
          , max_levels(prm.get("max levels"))
          , cycle(prm.get("cycle"))
      {
      }

    protected:
      void
      configure(PC pc, const std::string &prefix) override
      {
        petsc_check(PCSetType(pc, PCHYPRE), "PCSetType");
        petsc_check(PCHYPRESetType(pc, "boomeramg"), "PCHYPRESetType");
        set_option(prefix, "pc_hypre_boomeramg_strong_threshold", strong_threshold);
        set_option(prefix, "pc_hypre_boomeramg_coarsen_type", coarsening);
        set_option(prefix, "pc_hypre_boomeramg_interp_type", interpolation);
        set_option(prefix, "pc_hypre_boomeramg_relax_type_all", relaxation);
        set_option(prefix, "pc_hypre_boomeramg_relax_type_coarse", "Gaussian-elimination");
        set_option(prefix, "pc_hypre_boomeramg_agg_nl", aggressive_levels);
        set_option(prefix, "pc_hypre_boomeramg_max_levels", max_levels);
        set_option(prefix, "pc_hypre_boomeramg_cycle_type", cycle);
        petsc_check(PCSetFromOptions(pc), "PCSetFromOptions");
      }

    private:
      const std::string strong_threshold, coarsening, interpolation, relaxation, aggressive_levels,
        max_levels, cycle;
    };
  } // namespace

  /** @brief Registration (called from register_classical_modules()). */
  void
  register_boomeramg()
  {
    register_module<Preconditioner, BoomerAmg>(
      "boomeramg", ModuleKind::classical, "hypre BoomerAMG algebraic multigrid, one V-cycle per application");
  }
} // namespace hyfe
