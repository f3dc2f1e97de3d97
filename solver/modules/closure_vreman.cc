/**
 * @file
 * @brief Vreman's model (Vreman 2004, "An eddy-viscosity subgrid-scale model for turbulent shear flow:
 * algebraic theory and applications"): with alpha_ij = du_j/dx_i and beta = Delta^2 alpha^T alpha,
 * nu_t = c sqrt(B_beta / (alpha:alpha)), B_beta = b11 b22 - b12^2 + b11 b33 - b13^2 + b22 b33 - b23^2
 * (the second invariant of beta). It vanishes where the gradient has rank one (pure shear) and in
 * laminar flows of a few other kinds.
 */
#include <deal.II/base/parameter_handler.h>

#include "solver/core/registry.h"
#include "solver/modules/closure_kinematics.h"

namespace hyfe
{
  namespace
  {
    /** @brief Vreman's eddy viscosity. */
    template <int dim>
    class Vreman : public ClosureModel<dim>
    {
    public:
      /** @brief c. */
      static void
      declare_parameters(dealii::ParameterHandler &prm)
      {
        prm.declare_entry("constant",
                          "0.07",
                          dealii::Patterns::Double(0., 1.),
                          "Vreman's constant c, about 2.5 C_s^2: Vreman (2004) gives 0.07 for C_s = 0.17 "
                          "(and 0.025 for C_s = 0.1, his choice for the mixing layer). Unitless, in [0, 1].");
      }

      /** @brief Reads c. */
      explicit Vreman(dealii::ParameterHandler &prm)
          : c(prm.get_double("constant"))
      {
      }

    protected:
      void
      compute(const ClosureInputs<dim> &in, std::vector<double> &nu_t) override
      {
        closure::pointwise(in, nu_t, [this](const dealii::Tensor<2, 3> &g, const double delta) {
          // alpha = g^T, so beta = Delta^2 alpha^T alpha = Delta^2 g g^T
          const dealii::Tensor<2, 3> b  = delta * delta * g * dealii::transpose(g);
          const double               aa = dealii::scalar_product(g, g);
          const double B = b[0][0] * b[1][1] - b[0][1] * b[0][1] + b[0][0] * b[2][2] - b[0][2] * b[0][2] +
                           b[1][1] * b[2][2] - b[1][2] * b[1][2];
          return aa > 0. && B > 0. ? c * std::sqrt(B / aa) : 0.;
        });
      }

    private:
      const double c;
    };
  } // namespace

  /** @brief Registration (called by register_closure_models()). */
  void
  register_vreman()
  {
    register_dim_module<ClosureModel, Vreman>("vreman",
                                              ModuleKind::classical,
                                              "Vreman (2004): zero where the velocity gradient has rank one");
  }
} // namespace hyfe
