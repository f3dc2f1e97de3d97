/**
 * @file
 * @brief The sigma model (Nicoud, Baya Toda, Cabrit, Bose, Lee 2011, "Using singular values to build a
 * subgrid-scale model for large eddy simulations"): with the singular values s1 >= s2 >= s3 of the
 * velocity gradient, nu_t = (C_sigma Delta)^2 s3 (s1 - s2) (s2 - s3) / s1^2. It vanishes for every 2-D
 * or axisymmetric flow, in pure shear and in solid-body rotation.
 */
#include <deal.II/base/parameter_handler.h>

#include <algorithm>

#include "solver/core/registry.h"
#include "solver/modules/closure_kinematics.h"

namespace hyfe
{
  namespace
  {
    /** @brief The sigma model. */
    template <int dim>
    class Sigma : public ClosureModel<dim>
    {
    public:
      /** @brief C_sigma. */
      static void
      declare_parameters(dealii::ParameterHandler &prm)
      {
        prm.declare_entry("constant",
                          "1.35",
                          dealii::Patterns::Double(0., 5.),
                          "The sigma model's constant C_sigma: 1.35 from decaying isotropic turbulence "
                          "(Nicoud et al. 2011; 1.5 in their channel flows). Unitless, in [0, 5].");
      }

      /** @brief Reads C_sigma. */
      explicit Sigma(dealii::ParameterHandler &prm)
          : c_sigma(prm.get_double("constant"))
      {
      }

    protected:
      void
      compute(const ClosureInputs<dim> &in, std::vector<double> &nu_t) override
      {
        closure::pointwise(in, nu_t, [this](const dealii::Tensor<2, 3> &g, const double delta) {
          // the singular values are the square roots of the eigenvalues of g^T g (descending)
          const auto   lambda = dealii::eigenvalues(dealii::symmetrize(dealii::transpose(g) * g));
          const double s1 = std::sqrt(std::max(lambda[0], 0.)), s2 = std::sqrt(std::max(lambda[1], 0.)),
                       s3 = std::sqrt(std::max(lambda[2], 0.));
          if (!(s1 > 0.))
            return 0.;
          const double d = s3 * (s1 - s2) * (s2 - s3) / (s1 * s1);
          return std::pow(c_sigma * delta, 2) * std::max(d, 0.);
        });
      }

    private:
      const double c_sigma;
    };
  } // namespace

  /** @brief Registration (called by register_closure_models()). */
  void
  register_sigma()
  {
    register_dim_module<ClosureModel, Sigma>(
      "sigma", ModuleKind::classical, "sigma (Nicoud et al. 2011): zero in 2-D flows, shear and rotation");
  }
} // namespace hyfe
