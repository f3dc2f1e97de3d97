/**
 * @file
 * @brief The `prescribed` mesh mover: the displacement is a function expression d(X, t) of the
 * reference coordinates X and the time, for tests, manufactured solutions and bodies of known motion.
 */
#include <deal.II/base/function_parser.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/numerics/vector_tools.h>

#include <memory>

#include "solver/core/parameters.h"
#include "solver/core/registry.h"
#include "solver/modules/mesh_motion.h"

namespace hyfe
{
  namespace
  {
    /** @brief d(X, t) from an expression, interpolated at the support points of the reference mesh. */
    template <int dim>
    class PrescribedMotion : public DisplacementMover<dim>
    {
    public:
      /** @brief The expression and its constants. */
      static void
      declare_parameters(dealii::ParameterHandler &prm)
      {
        prm.declare_entry("displacement",
                          dim == 2 ? "0; 0" : "0; 0; 0",
                          dealii::Patterns::Anything(),
                          "Displacement d(X, t) of the point X of the reference mesh at time t, one "
                          "expression per component separated by ';', of x, y[, z] (the reference "
                          "coordinates, length) and t (time), in the muparser syntax. Length.");
        prm.declare_entry("function constants",
                          "",
                          dealii::Patterns::Anything(),
                          "Constants usable in 'displacement', as 'name=value, ...'; pi is predefined.");
      }

      /** @brief Parses the expression (a syntax error is an input error naming the entry). */
      explicit PrescribedMotion(dealii::ParameterHandler &prm)
      {
        const std::string entry = "mesh mover/prescribed/";
        const auto constants = parse_constants(prm.get("function constants"), entry + "function constants");
        function = make_function<dim>(prm.get("displacement"), dim, constants, entry + "displacement");
      }

    protected:
      unsigned int
      compute_displacement(const StepInfo &step,
                           const StateView &,
                           dealii::PETScWrappers::MPI::Vector &d) override
      {
        interpolate(step.time, d);
        return 0;
      }

      void
      initial_displacement(const double time, dealii::PETScWrappers::MPI::Vector &d) override
      {
        interpolate(time, d);
      }

    private:
      void
      interpolate(const double time, dealii::PETScWrappers::MPI::Vector &d)
      {
        function->set_time(time);
        dealii::VectorTools::interpolate(this->reference_mapping(), this->dof_handler, *function, d);
      }

      std::unique_ptr<dealii::FunctionParser<dim>> function;
    };
  } // namespace

  /** @brief Registration (called by register_mesh_movers()). */
  void
  register_prescribed_mover()
  {
    register_dim_module<MeshMover, PrescribedMotion>("prescribed",
                                                     ModuleKind::classical,
                                                     "the displacement d(X, t) is a function expression");
  }
} // namespace hyfe
