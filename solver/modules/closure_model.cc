#include "solver/modules/closure_model.h"

#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/lac/vector.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "solver/core/exceptions.h"
#include "solver/core/module_state.h"
#include "solver/core/registry.templates.h"
#include "solver/modules/closure_kinematics.h"
#include "solver/modules/guard_shadow.h"

namespace hyfe
{
  template <int dim>
  struct ClosureModel<dim>::Services
  {
    GuardShadow                        guard;
    std::unique_ptr<ClosureModel<dim>> fallback;
    double                             divisor_offset = 1.; ///< Delta = |K|^(1/dim) / (k + offset)
    double                             guard_bound    = 10.;
    MPI_Comm                           comm           = MPI_COMM_SELF;
    unsigned int                       n_active_cells = 0;

    static constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    // this step
    double        mean = nan, max = nan, max_ratio = nan, sgs = nan, time = 0.;
    unsigned long step_points = 0;
    struct ShadowRow
    {
      double sgs = nan, fallback_sgs = nan, mean_difference = nan, max_difference = nan, correlation = nan;
    } shadow;
    // the whole run
    unsigned long points = 0, fallback_points = 0;
    double        total_time = 0., max_shadow_difference = 0.;
    unsigned long evaluations = 0;

    dealii::Vector<float> difference; ///< cell averages of the last shadow difference (empty: none)
  };

  template <int dim>
  ClosureModel<dim>::ClosureModel()
      : services(std::make_unique<Services>())
  {
  }

  template <int dim>
  ClosureModel<dim>::~ClosureModel() = default;

  template <int dim>
  void
  ClosureModel<dim>::declare_system(dealii::ParameterHandler &prm)
  {
    declare_system_parameters<ClosureModel<dim>>(
      prm, "none", "Closure model (LES eddy viscosity nu_t, added to the viscosity as div(2 nu_t eps(u))).");
    std::string classical;
    for (const auto &entry : Registry<ClosureModel<dim>>::instance().all())
      if (entry.info.kind == ModuleKind::classical && entry.info.unavailable_reason.empty() &&
          entry.info.name != "none")
        classical += (classical.empty() ? "" : "|") + entry.info.name;
    GuardShadow::declare_parameters(prm,
                                    classical,
                                    "smagorinsky",
                                    "Classical closure model whose nu_t replaces a learned model's where its "
                                    "guard fails, and that shadow mode compares with.",
                                    "the fallback is evaluated at the same points, and both SGS "
                                    "dissipations, the mean and largest difference of nu_t and their "
                                    "correlation are logged (stats.csv) and the difference is written as the "
                                    "output field nu_t_shadow_difference");
    prm.declare_entry("filter width",
                      "volume/(k+1)",
                      dealii::Patterns::Selection("volume/(k+1)|volume/k"),
                      "The LES filter width Delta of a cell K with elements of degree k, from its volume "
                      "|K| integrated through the (moved) mapping: |K|^(1/d)/(k+1), the mean distance of "
                      "the nodes along a direction plus one (as in ExaDG), or |K|^(1/d)/k, the node "
                      "spacing (as in MOOSE); the second is 1.5 times the first for Q2. Unitless.");
    prm.declare_entry("guard bound",
                      "10",
                      dealii::Patterns::Double(1.),
                      "Learned models: nu_t above this multiple of the larger of the fallback's nu_t and "
                      "the molecular viscosity at a point fails the guard there (as do non-finite and "
                      "negative values). Unitless, >= 1.");
  }

  template <int dim>
  std::unique_ptr<ClosureModel<dim>>
  ClosureModel<dim>::create(dealii::ParameterHandler &prm)
  {
    auto      module = create_module<ClosureModel<dim>>(prm);
    Services &s      = *module->services;
    s.guard.parse_parameters(prm);
    s.divisor_offset = prm.get("filter width") == "volume/k" ? 0. : 1.;
    s.guard_bound    = prm.get_double("guard bound");
    if (module->guarded() || s.guard.shadow_interval > 0)
      s.fallback = create_named_module<ClosureModel<dim>>(prm, s.guard.fallback_name);
    if (s.guard.shadow_interval > 0 && !module->is_active())
      throw InputError("entry 'closure model/shadow interval' = " + std::to_string(s.guard.shadow_interval) +
                       ": shadow mode needs a closure model; 'closure model/type' is 'none'");
    return module;
  }

  template <int dim>
  double
  ClosureModel<dim>::filter_width(const double cell_size, const unsigned int degree) const
  {
    return cell_size / (degree + services->divisor_offset);
  }

  template <int dim>
  ClosureNeeds
  ClosureModel<dim>::all_needs() const
  {
    return services->fallback ? needs() | services->fallback->needs() : needs();
  }

  template <int dim>
  void
  ClosureModel<dim>::evaluate(const ClosureInputs<dim> &in, std::vector<double> &nu_t, const bool record)
  {
    Services  &s     = *services;
    const auto start = std::chrono::steady_clock::now();
    const bool guard = guarded();
    const auto n     = in.size();
    // the model; a guarded one that throws or returns the wrong number of values falls back everywhere
    std::string problem;
    try
      {
        compute(in, nu_t);
        if (nu_t.size() != n)
          problem =
            "it returned " + std::to_string(nu_t.size()) + " values for " + std::to_string(n) + " points";
      }
    catch (const std::exception &error)
      {
        problem = std::string("it failed: ") + std::string(error.what()).substr(0, 200);
      }
    if (!guard)
      {
        // an unguarded model that fails is a run error, thrown on every rank together
        const unsigned int n_ranks = dealii::Utilities::MPI::n_mpi_processes(s.comm);
        const unsigned int rank    = dealii::Utilities::MPI::this_mpi_process(s.comm);
        const unsigned int first   = dealii::Utilities::MPI::min(problem.empty() ? n_ranks : rank, s.comm);
        if (first < n_ranks)
          throw RunError(dealii::Utilities::MPI::broadcast(s.comm,
                                                           "closure model '" + s.guard.name + "' on rank " +
                                                             std::to_string(rank) + ": " + problem,
                                                           first));
      }

    const bool          shadow_now = record && s.guard.take_shadow_turn();
    std::vector<double> reference;
    if (guard || shadow_now)
      s.fallback->compute(in, reference);
    unsigned long bad = 0;
    if (guard)
      {
        if (!problem.empty())
          {
            nu_t = reference;
            bad  = n;
          }
        else
          for (std::size_t q = 0; q < n; ++q)
            {
              const double value = nu_t[q];
              if (!std::isfinite(value) || value < 0. ||
                  value > s.guard_bound * std::max(reference[q], in.viscosity))
                {
                  nu_t[q] = reference[q];
                  ++bad;
                }
            }
      }
    s.time = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!record)
      return;

    // statistics, reduced over the ranks
    // sums: volume, nu_t, SGS dissipation, the fallback's SGS dissipation, |difference|, the
    // fallback's nu_t, the squares and the product (correlation), fallback points; maxima: nu_t, |difference|
    std::vector<double> sums(11, 0.), maxima(2, 0.);
    const bool          compare_shadow = shadow_now;
    for (std::size_t q = 0; q < n; ++q)
      {
        const auto   S  = closure::strain(closure::embed(in.velocity_gradients[q]));
        const double w  = in.weights[q];
        const double ss = S * S;
        const double a  = nu_t[q];
        sums[0] += w;
        sums[1] += w * a;
        sums[2] += w * 2. * a * ss;
        maxima[0] = std::max(maxima[0], a);
        if (compare_shadow)
          {
            const double b = reference[q];
            sums[3] += w * 2. * b * ss;
            sums[4] += w * std::abs(a - b);
            sums[5] += w * b;
            sums[6] += w * a * a;
            sums[7] += w * b * b;
            sums[8] += w * a * b;
            maxima[1] = std::max(maxima[1], std::abs(a - b));
          }
      }
    sums[9]  = static_cast<double>(bad);
    sums[10] = static_cast<double>(n);
    dealii::Utilities::MPI::sum(sums, s.comm, sums);
    dealii::Utilities::MPI::max(maxima, s.comm, maxima);
    const double volume = sums[0];
    s.mean              = volume > 0 ? sums[1] / volume : 0.;
    s.max               = maxima[0];
    s.max_ratio         = in.viscosity > 0 ? s.max / in.viscosity : std::numeric_limits<double>::infinity();
    s.sgs               = sums[2];
    s.step_points       = static_cast<unsigned long>(sums[9]);
    s.points += static_cast<unsigned long>(sums[10]);
    s.total_time += s.time;
    ++s.evaluations;
    if (guard && s.step_points > 0)
      {
        s.fallback_points += s.step_points;
        s.guard.count_fallback(dealii::Utilities::MPI::this_mpi_process(s.comm) == 0,
                               "closure model",
                               std::to_string(s.step_points) +
                                 " quadrature points with a non-finite, negative or too large nu_t" +
                                 (problem.empty() ? std::string() : " (on rank 0: " + problem + ")"),
                               "used there the nu_t of");
      }
    if (compare_shadow)
      {
        const double mean_a = sums[1] / volume, mean_b = sums[5] / volume;
        const double var_a = sums[6] / volume - mean_a * mean_a, var_b = sums[7] / volume - mean_b * mean_b;
        const double cov         = sums[8] / volume - mean_a * mean_b;
        s.shadow.sgs             = sums[2];
        s.shadow.fallback_sgs    = sums[3];
        s.shadow.mean_difference = sums[4] / volume;
        s.shadow.max_difference  = maxima[1];
        s.shadow.correlation     = var_a > 0 && var_b > 0 ? cov / std::sqrt(var_a * var_b) : 0.;
        s.max_shadow_difference  = std::max(s.max_shadow_difference, maxima[1]);
        s.difference.reinit(s.n_active_cells);
        const unsigned int m = in.points_per_cell;
        for (std::size_t c = 0; c < in.cells.size(); ++c)
          {
            double d = 0., v = 0.;
            for (unsigned int q = c * m; q < (c + 1) * m; ++q)
              {
                d += in.weights[q] * (nu_t[q] - reference[q]);
                v += in.weights[q];
              }
            s.difference(in.cells[c]) = static_cast<float>(v > 0 ? d / v : 0.);
          }
      }
  }

  template <int dim>
  void
  ClosureModel<dim>::reinit(const StateView &state)
  {
    track_mesh(state);
  }

  template <int dim>
  void
  ClosureModel<dim>::track_mesh(const StateView &state)
  {
    const auto &st           = state.get<dim>();
    services->comm           = st.comm;
    services->n_active_cells = st.triangulation->n_active_cells();
  }

  template <int dim>
  void
  ClosureModel<dim>::update(const StepInfo &step, const StateView &state)
  {
    Services &s = *services;
    s.guard.start_step(step.step);
    s.shadow      = {};
    s.step_points = 0;
    track_mesh(state); // not reinit(): that is a hook of its own, which a derived module may extend
  }

  template <int dim>
  std::vector<std::pair<std::string, double>>
  ClosureModel<dim>::statistics() const
  {
    if (!is_active())
      return {};
    const Services                             &s = *services;
    std::vector<std::pair<std::string, double>> row{{"nu_t_mean", s.mean},
                                                    {"nu_t_max", s.max},
                                                    {"nu_t_max_over_nu", s.max_ratio},
                                                    {"sgs_dissipation", s.sgs},
                                                    {"time", s.time}};
    if (guarded())
      {
        row.emplace_back("fallback_points", s.step_points);
        row.emplace_back("fallback_steps", s.guard.fallback_steps);
      }
    if (s.guard.shadow_interval > 0)
      {
        row.emplace_back("shadow_sgs_dissipation", s.shadow.sgs);
        row.emplace_back("shadow_fallback_sgs_dissipation", s.shadow.fallback_sgs);
        row.emplace_back("shadow_mean_difference", s.shadow.mean_difference);
        row.emplace_back("shadow_max_difference", s.shadow.max_difference);
        row.emplace_back("shadow_correlation", s.shadow.correlation);
      }
    return row;
  }

  template <int dim>
  std::vector<std::pair<std::string, double>>
  ClosureModel<dim>::summary() const
  {
    if (!is_active())
      return {};
    const Services                             &s = *services;
    std::vector<std::pair<std::string, double>> lines{{"evaluations", s.evaluations},
                                                      {"total_time", s.total_time}};
    if (guarded())
      {
        lines.emplace_back("points", s.points);
        lines.emplace_back("fallback_points", s.fallback_points);
        lines.emplace_back("fallback_steps", s.guard.fallback_steps);
      }
    if (s.guard.shadows > 0)
      {
        lines.emplace_back("shadow_comparisons", s.guard.shadows);
        lines.emplace_back("shadow_max_difference", s.max_shadow_difference);
      }
    return lines;
  }

  template <int dim>
  void
  ClosureModel<dim>::before_adaptation(const StateView &)
  {
    services->difference.reinit(0);
  }

  template <int dim>
  void
  ClosureModel<dim>::add_output_fields(OutputFields &fields) const
  {
    const Services &s = *services;
    if (s.guard.shadow_interval == 0)
      return;
    // zero before the first comparison on this mesh
    if (s.difference.size() != s.n_active_cells)
      services->difference.reinit(s.n_active_cells);
    fields.cell_vectors.emplace_back("nu_t_shadow_difference", &s.difference);
  }

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

      bool
      is_active() const override
      {
        return false;
      }

    protected:
      void
      compute(const ClosureInputs<dim> &inputs, std::vector<double> &nu_t) override
      {
        nu_t.assign(inputs.size(), 0.);
      }
    };
  } // namespace

  // One line per module file; explicit, so that a static link cannot drop a registration.
  void
  register_smagorinsky();
  void
  register_wale();
  void
  register_vreman();
  void
  register_sigma();
  void
  register_dynamic_smagorinsky();
  void
  register_prescribed_closure();
  void
  register_training_data_closure();

  void
  register_closure_models()
  {
    register_dim_module<ClosureModel, NoClosure>("none",
                                                 ModuleKind::classical,
                                                 "no eddy viscosity (direct numerical simulation)");
    register_smagorinsky();
    register_wale();
    register_vreman();
    register_sigma();
    register_dynamic_smagorinsky();
    register_prescribed_closure();
    register_training_data_closure();
  }

  template class ClosureModel<2>;
  template class ClosureModel<3>;
} // namespace hyfe
