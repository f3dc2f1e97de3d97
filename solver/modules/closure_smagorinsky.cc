/**
 * @file
 * @brief The Smagorinsky model (Smagorinsky 1963): nu_t = (C_s Delta)^2 |S|, |S| = sqrt(2 S:S).
 */
#include <deal.II/base/parameter_handler.h>

#include "solver/core/registry.h"
#include "solver/modules/closure_kinematics.h"
#include "solver/modules/closure_model.h"

namespace hyfe
{
  namespace
  {
    /** @brief Constant-coefficient Smagorinsky. */
    template <int dim>
    class Smagorinsky : public ClosureModel<dim>
    {
    public:
      /** @brief C_s. */
      static void
      declare_parameters(dealii::ParameterHandler &prm)
      {
        prm.declare_entry("constant",
                          "0.17",
                          dealii::Patterns::Double(0., 1.),
                          "The Smagorinsky constant C_s: nu_t = (C_s Delta)^2 |S|. 0.17 is Lilly's value "
                          "for an inertial range (Lilly 1967, \"The representation of small-scale turbulence "
                          "in numerical simulation experiments\"); 0.1 is common near walls and in shear "
                          "flows. Unitless, in [0, 1].");
      }

      /** @brief Reads C_s. */
      explicit Smagorinsky(dealii::ParameterHandler &prm)
          : c_s(prm.get_double("constant"))
      {
      }

    protected:
      void
      compute(const ClosureInputs<dim> &in, std::vector<double> &nu_t) override
      {
        closure::pointwise(in, nu_t, [this](const dealii::Tensor<2, 3> &g, const double delta) {
          return std::pow(c_s * delta, 2) * closure::strain_magnitude(g);
        });
      }

    private:
      const double c_s;
    };
  } // namespace

  /** @brief Registration (called by register_closure_models()). */
  void
  register_smagorinsky()
  {
    register_dim_module<ClosureModel, Smagorinsky>("smagorinsky",
                                                   ModuleKind::classical,
                                                   "Smagorinsky: nu_t = (C_s Delta)^2 |S|");
  }
} // namespace hyfe
