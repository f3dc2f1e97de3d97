/**
 * @file
 * @brief The WALE model (Nicoud & Ducros 1999, "Subgrid-scale stress modelling based on the square of the
 * velocity gradient tensor"): nu_t = (C_w Delta)^2 (S^d:S^d)^(3/2) / ((S:S)^(5/2) + (S^d:S^d)^(5/4)),
 * S^d the traceless symmetric part of g^2. It vanishes in pure shear and near walls goes as y^3; it does
 * not vanish in pure rotation (there S^d:S^d = Omega^4 / 6 with Omega^2 = Omega:Omega).
 */
#include <deal.II/base/parameter_handler.h>

#include "solver/core/registry.h"
#include "solver/modules/closure_kinematics.h"

namespace hyfe
{
  namespace
  {
    /** @brief Wall-adapting local eddy viscosity. */
    template <int dim>
    class Wale : public ClosureModel<dim>
    {
    public:
      /** @brief C_w. */
      static void
      declare_parameters(dealii::ParameterHandler &prm)
      {
        prm.declare_entry("constant",
                          "0.55",
                          dealii::Patterns::Double(0., 2.),
                          "The WALE constant C_w. Nicoud & Ducros (1999) relate it to Smagorinsky's by "
                          "C_w^2 = 10.6 C_s^2 on isotropic turbulence and recommend 0.55 to 0.60; 0.55 "
                          "matches C_s = 0.17. Unitless, in [0, 2].");
      }

      /** @brief Reads C_w. */
      explicit Wale(dealii::ParameterHandler &prm)
          : c_w(prm.get_double("constant"))
      {
      }

    protected:
      void
      compute(const ClosureInputs<dim> &in, std::vector<double> &nu_t) override
      {
        closure::pointwise(in, nu_t, [this](const dealii::Tensor<2, 3> &g, const double delta) {
          const auto   S  = closure::strain(g);
          const auto   Sd = dealii::deviator(dealii::symmetrize(g * g));
          const double ss = S * S, dd = Sd * Sd;
          const double denominator = std::pow(ss, 2.5) + std::pow(dd, 1.25);
          return denominator > 0. ? std::pow(c_w * delta, 2) * std::pow(dd, 1.5) / denominator : 0.;
        });
      }

    private:
      const double c_w;
    };
  } // namespace

  /** @brief Registration (called by register_closure_models()). */
  void
  register_wale()
  {
    register_dim_module<ClosureModel, Wale>(
      "wale", ModuleKind::classical, "WALE (Nicoud & Ducros 1999): zero in pure shear, y^3 near walls");
  }
} // namespace hyfe
