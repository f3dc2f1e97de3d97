#include "solver/modules/closure_model.h"

#include <deal.II/base/parameter_handler.h>

#include "solver/core/registry.h"

namespace hyfe
{
  namespace
  {
    /** @brief No closure: nu_t = 0 everywhere (direct numerical simulation). */
    template <int dim>
    class NoClosure : public ClosureModel<dim>
    {
    public:
      /** @brief No options. */
      static void
      declare_parameters(dealii::ParameterHandler &)
      {
      }

      /** @brief No options. */
      explicit NoClosure(dealii::ParameterHandler &)
      {
      }

      void
      compute_eddy_viscosity(const std::vector<dealii::Tensor<2, dim>> &velocity_gradients,
                             const std::vector<double> &,
                             std::vector<double> &nu_t) override
      {
        nu_t.assign(velocity_gradients.size(), 0.);
      }

      bool
      is_active() const override
      {
        return false;
      }
    };
  } // namespace

  void
  register_closure_models()
  {
    register_dim_module<ClosureModel, NoClosure>("none",
                                                 ModuleKind::classical,
                                                 "no eddy viscosity (direct numerical simulation)");
  }
} // namespace hyfe
