/**
 * @file
 * @brief The learned closure `learned-eddy-viscosity`: a pointwise network over rotation-invariant,
 * dimensionless features of the resolved velocity gradient gives a non-negative coefficient C^2, and
 * nu_t = C^2 Delta^2 |S|.
 *
 * The features at a point, with S and W the symmetric and antisymmetric parts of g = grad u (a 2-D
 * gradient embedded in 3-D), s = S:S, w = W:W and t = s + w, are (`closure-invariants-v1`):
 *   f0 = (s - w) / t                       in [-1, 1]: strain (1) against rotation (-1)
 *   f1 = sqrt(6) tr(S^3) / s^(3/2)          in [-1, 1] for traceless S: the shape of the strain
 *   f2 = tr(W^2 S) / t^(3/2)                bounded: vortex stretching along the strain
 *   f3 = tr(W^2 S^2) / t^2                  bounded
 *   f4 = log10(1 + Delta^2 |S| / nu)        the cell Reynolds number of the resolved strain
 * (0 where the denominators vanish). They are invariant under rotations and Galilean transformations,
 * and C^2 >= 0 makes the model dissipative by construction; constant-coefficient Smagorinsky is the
 * network C^2 = C_s^2. learned/training/closure_features.py computes the same features for the training.
 *
 * The network takes one [N, 5] float32 tensor (every point of the rank: one batched call per step) and
 * returns C^2 as [N] or [N, 1]. The contract in the file names the system, the kind, the input
 * `invariants`, its five feature columns, the output `c2`, the normalisation and the dimension; it is
 * checked at load, then a dry run on three points checks the output's shape. The guard of ClosureModel
 * (a non-finite, negative or too large nu_t takes the fallback's value there) and shadow mode apply.
 */
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/utilities.h>

#include <array>
#include <chrono>
#include <cmath>

#include "learned/torch_model.h"
#include "solver/core/exceptions.h"
#include "solver/core/parameters.h"
#include "solver/core/registry.h"
#include "solver/modules/closure_kinematics.h"
#include "solver/modules/closure_model.h"

namespace hyfe
{
  namespace learned
  {
    namespace
    {
      constexpr unsigned int n_features = 5;

      /** @brief The feature columns, as the contract must name them. */
      const std::vector<std::string> &
      feature_names()
      {
        static const std::vector<std::string> names{"strain_rotation_ratio",
                                                    "strain_shape",
                                                    "stretching",
                                                    "rotation_strain_squared",
                                                    "log_cell_reynolds"};
        return names;
      }

      /** @brief The features f0..f4 of the file comment at one point. */
      std::array<double, n_features>
      features(const dealii::Tensor<2, 3> &g, const double delta, const double nu)
      {
        const dealii::Tensor<2, 3>     S  = 0.5 * (g + dealii::transpose(g));
        const dealii::Tensor<2, 3>     W  = 0.5 * (g - dealii::transpose(g));
        const double                   s  = dealii::scalar_product(S, S);
        const double                   w  = dealii::scalar_product(W, W);
        const double                   t  = s + w;
        const dealii::Tensor<2, 3>     S2 = S * S, W2 = W * W;
        std::array<double, n_features> f{};
        if (t > 0.)
          {
            f[0] = (s - w) / t;
            f[2] = dealii::trace(W2 * S) / std::pow(t, 1.5);
            f[3] = dealii::trace(W2 * S2) / (t * t);
          }
        if (s > 0.)
          f[1] = std::sqrt(6.) * dealii::trace(S2 * S) / std::pow(s, 1.5);
        f[4] = std::log10(1. + delta * delta * std::sqrt(2. * s) / nu);
        return f;
      }

      /** @brief Learned eddy-viscosity coefficient. */
      template <int dim>
      class LearnedEddyViscosity : public ClosureModel<dim>
      {
      public:
        /** @brief Declares the model file and the number of LibTorch threads. */
        static void
        declare_parameters(dealii::ParameterHandler &prm)
        {
          prm.declare_entry("model file",
                            HYFE_MODEL_DIR "/learned-eddy-viscosity.pt",
                            dealii::Patterns::FileName(),
                            "TorchScript file of the network, with its contract (system closure model, "
                            "model learned-eddy-viscosity); relative to the parameter file's folder. "
                            "Default: the model shipped with hyfe "
                            "(learned/models/learned-eddy-viscosity.pt). A path.");
          prm.declare_entry("threads",
                            "1",
                            dealii::Patterns::Integer(1, 256),
                            "LibTorch intra-op threads per rank for the inference; keep ranks x threads "
                            "<= cores. Unitless, in [1, 256].");
        }

        /** @brief Loads the model and checks its contract and a dry run (an InputError otherwise). */
        explicit LearnedEddyViscosity(dealii::ParameterHandler &prm)
            : file(resolve_path(parameter_file_folder(), prm.get("model file")))
            , threads(prm.get_integer("threads"))
            , model(file,
                    "learned-eddy-viscosity",
                    ClosureModel<dim>::system_name,
                    "learned-eddy-viscosity",
                    1,
                    threads)
        {
          const ModelContract &c     = model.contract();
          const std::string    where = "module 'learned-eddy-viscosity', model file '" + file + "'";
          if (c.inputs != std::vector<std::string>{"invariants"})
            throw InputError(where + ": the contract's inputs are [" + join(c.inputs) +
                             "], learned-eddy-viscosity feeds [invariants]");
          if (c.features != feature_names())
            throw InputError(where + ": the contract's features are [" + join(c.features) +
                             "], learned-eddy-viscosity computes [" + join(feature_names()) + "]");
          if (c.outputs != std::vector<std::string>{"c2"})
            throw InputError(where + ": the contract's outputs are [" + join(c.outputs) +
                             "], learned-eddy-viscosity reads [c2]");
          if (c.normalisation.rfind("closure-invariants-v1", 0) != 0)
            throw InputError(where + ": the contract's normalisation is '" + c.normalisation.substr(0, 40) +
                             "', learned-eddy-viscosity computes 'closure-invariants-v1'");
          if (c.dimension != dim)
            throw InputError(where + ": the model was trained for dimension " + std::to_string(c.dimension) +
                             " (contract entry 'dimension'), but this run has dimension " +
                             std::to_string(dim));
          // dry run on three points: C^2 must come back as [3] or [3, 1]
          FlatTensor probe;
          probe.shape = {3, n_features};
          probe.values.assign(3 * n_features, 0.f);
          for (unsigned int k = 0; k < 3; ++k)
            probe.values[k * n_features + 4] = static_cast<float>(k);
          std::vector<FlatTensor> out;
          try
            {
              out = model.forward({probe});
              out = model.forward({probe}); // the second call pays TorchScript's optimisation, at load
            }
          catch (const std::exception &e)
            {
              const std::string what = e.what();
              throw InputError(where + ": the dry run on three points failed (" +
                               what.substr(0, what.find('\n')) + ")");
            }
          const bool shape_ok =
            out.size() == 1 && out[0].values.size() == 3 &&
            (out[0].shape == std::vector<std::int64_t>{3} || out[0].shape == std::vector<std::int64_t>{3, 1});
          if (!shape_ok)
            throw InputError(where + ": the dry run on three points returned " + std::to_string(out.size()) +
                             " outputs" +
                             (out.empty() ? "" : " of " + std::to_string(out[0].values.size()) + " values") +
                             "; learned-eddy-viscosity needs one output c2 of shape [3] or [3, 1]");
        }

        std::vector<std::string>
        description() const override
        {
          return {"learned-eddy-viscosity model " + file,
                  "  sha256 " + model.sha256(),
                  "  trained on: " + model.contract().trained_on,
                  "  training command: " + model.contract().training_command,
                  "  LibTorch threads per rank: " + std::to_string(threads)};
        }

        std::vector<std::pair<std::string, std::string>>
        restart_invariants() const override
        {
          return {{"learned-eddy-viscosity model sha256", model.sha256()}};
        }

        std::vector<std::pair<std::string, double>>
        statistics() const override
        {
          auto row = ClosureModel<dim>::statistics();
          row.emplace_back("inference_time", inference_time);
          return row;
        }

      protected:
        bool
        guarded() const override
        {
          return true;
        }

        void
        compute(const ClosureInputs<dim> &in, std::vector<double> &nu_t) override
        {
          const std::size_t n = in.size();
          FlatTensor        x;
          x.shape = {static_cast<std::int64_t>(n), n_features};
          x.values.resize(n * n_features);
          std::vector<double> scale(n);
          for (std::size_t q = 0; q < n; ++q)
            {
              const dealii::Tensor<2, 3> g     = closure::embed(in.velocity_gradients[q]);
              const double               delta = in.filter_widths[q];
              const auto                 f     = features(g, delta, in.viscosity);
              for (unsigned int k = 0; k < n_features; ++k)
                x.values[q * n_features + k] = static_cast<float>(f[k]);
              scale[q] = delta * delta * closure::strain_magnitude(g);
            }
          nu_t.clear();
          inference_time = 0.;
          if (n == 0)
            return;
          const auto                    start = std::chrono::steady_clock::now();
          const std::vector<FlatTensor> out   = model.forward({x});
          inference_time = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          if (out.size() != 1 || out[0].values.size() != n)
            throw RunError("module 'learned-eddy-viscosity': the model returned " +
                           std::to_string(out.empty() ? 0 : out[0].values.size()) + " values for " +
                           std::to_string(n) + " points");
          nu_t.resize(n);
          for (std::size_t q = 0; q < n; ++q)
            nu_t[q] = static_cast<double>(out[0].values[q]) * scale[q];
        }

      private:
        const std::string  file;
        const unsigned int threads;
        TorchModel         model;
        double             inference_time = 0.;
      };
    } // namespace

    /** @brief Registration (called from register_learned_modules()). */
    void
    register_learned_eddy_viscosity()
    {
#ifdef HYFE_WITH_TORCH
      register_dim_module<ClosureModel, LearnedEddyViscosity>(
        "learned-eddy-viscosity",
        ModuleKind::learned,
        "learned eddy viscosity: nu_t = C^2 Delta^2 |S|, C^2 >= 0 from a pointwise network over invariants "
        "of "
        "the strain and rotation; guarded, falls back to `fallback`");
#else
      const std::string reason =
        "hyfe was built without LibTorch (cmake -DHYFE_WITH_TORCH=OFF); rebuild with "
        "LibTorch (Debian package libtorch-dev) or choose a classical closure model";
      register_unavailable_module<ClosureModel<2>>("learned-eddy-viscosity",
                                                   ModuleKind::learned,
                                                   "learned eddy viscosity",
                                                   reason);
      // the same name in 3-D, listed once
      const ModuleInfo info{ClosureModel<3>::system_name,
                            "learned-eddy-viscosity",
                            ModuleKind::learned,
                            "learned eddy viscosity",
                            reason};
      Registry<ClosureModel<3>>::instance().add({info, [](dealii::ParameterHandler &) {}, nullptr});
#endif
    }
  } // namespace learned
} // namespace hyfe
