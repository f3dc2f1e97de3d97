#include <deal.II/base/parameter_handler.h>

#include "solver/core/registry.h"
#include "solver/modules/preconditioner.h"

namespace hyfe
{
  namespace
  {
    /** @brief Symmetric SOR, processor-local (block Jacobi across ranks), PETSc PCSOR. */
    class Ssor : public Preconditioner
    {
    public:
      /** @brief Declares the module's options. */
      static void
      declare_parameters(dealii::ParameterHandler &prm)
      {
        prm.declare_entry("omega",
                          "1.0",
                          dealii::Patterns::Double(0., 2.),
                          "Relaxation factor. Unitless, in (0, 2).");
        prm.declare_entry("sweeps",
                          "1",
                          dealii::Patterns::Integer(1, 100),
                          "Number of symmetric sweeps per application. Unitless, in [1, 100].");
      }

      /** @brief Reads the module's options. */
      explicit Ssor(dealii::ParameterHandler &prm)
          : omega(prm.get_double("omega"))
          , sweeps(prm.get_integer("sweeps"))
      {
        if (omega <= 0. || omega >= 2.)
          throw std::invalid_argument("ssor: omega must be in (0, 2)");
      }

    protected:
      void
      configure(PC pc, const std::string &) override
      {
        petsc_check(PCSetType(pc, PCSOR), "PCSetType");
        petsc_check(PCSORSetOmega(pc, omega), "PCSORSetOmega");
        petsc_check(PCSORSetIterations(pc, sweeps, 1), "PCSORSetIterations");
        petsc_check(PCSORSetSymmetric(pc, SOR_LOCAL_SYMMETRIC_SWEEP), "PCSORSetSymmetric");
      }

    private:
      const double omega;
      const int    sweeps;
    };
  } // namespace

  /** @brief Registration (called from register_classical_modules()). */
  void
  register_ssor()
  {
    register_module<Preconditioner, Ssor>(
      "ssor",
      ModuleKind::classical,
      "symmetric SOR on each rank's block (block Jacobi across ranks), PETSc PCSOR");
  }
} // namespace hyfe
