#include "solver/modules/preconditioner.h"

#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/lac/petsc_sparse_matrix.h>
#include <deal.II/lac/petsc_vector.h>

#include <chrono>
#include <cmath>
#include <iostream>
#include <limits>
#include <stdexcept>

#include "solver/core/registry.templates.h"
#include "solver/modules/guard_shadow.h"

namespace hyfe
{
  /** @brief The guard and shadow state of a preconditioner. */
  struct Preconditioner::Services
  {
    GuardShadow                     guard; ///< names, shadow interval, fallback counts
    std::unique_ptr<Preconditioner> fallback;
    unsigned int                    iteration_budget  = 0;
    unsigned int                    stagnation_window = 0;

    unsigned long generation          = 0; ///< counts initialize() calls
    unsigned long fallback_generation = 0; ///< the generation the fallback was set up for (0: none)

    /// the shadow comparison of this step; nan on steps without one
    struct ShadowRow
    {
      static constexpr double nan = std::numeric_limits<double>::quiet_NaN();
      double module_iterations = nan, module_time = nan, fallback_iterations = nan, fallback_setup = nan,
             fallback_time = nan, difference = nan;
    } shadow;

    // the whole run
    unsigned long solves                = 0;
    double        sum_module_iterations = 0, sum_fallback_iterations = 0, max_difference = 0;

    std::unique_ptr<dealii::PETScWrappers::MPI::Vector> difference;
  };

  Preconditioner::Preconditioner()
      : services(std::make_unique<Services>())
  {
  }

  Preconditioner::~Preconditioner()
  {
    if (pc != nullptr)
      PCDestroy(&pc);
  }

  void
  Preconditioner::declare_system(dealii::ParameterHandler &prm,
                                 const std::string        &default_name,
                                 const std::string        &help)
  {
    declare_system_parameters<Preconditioner>(prm, default_name, help);
    std::string classical;
    for (const auto &entry : Registry<Preconditioner>::instance().all())
      if (entry.info.kind == ModuleKind::classical && entry.info.unavailable_reason.empty())
        classical += (classical.empty() ? "" : "|") + entry.info.name;
    GuardShadow::declare_parameters(
      prm,
      classical,
      "boomeramg",
      "Classical preconditioner that redoes a solve when the guard of a learned "
      "module fails, and that shadow mode compares with.",
      "the fallback also solves the same system, and both iteration counts and "
      "times and the difference of the solutions are logged (stats.csv) and "
      "written as an output field");
    prm.declare_entry("guard iteration budget",
                      "0",
                      dealii::Patterns::Integer(0),
                      "Learned modules: the solve falls back when it has not converged after this many "
                      "iterations; 0: the solver's maximum number of iterations. Iterations, >= 0.");
    prm.declare_entry("guard stagnation window",
                      "1000",
                      dealii::Patterns::Integer(0),
                      "Learned modules: the solve falls back when the smallest residual so far decreased by "
                      "less than 1 % over this many iterations; 0: no stagnation test. Iterations, >= 0.");
  }

  std::unique_ptr<Preconditioner>
  Preconditioner::create(dealii::ParameterHandler &prm)
  {
    auto      module = create_module<Preconditioner>(prm);
    Services &s      = *module->services;
    s.guard.parse_parameters(prm);
    s.iteration_budget  = prm.get_integer("guard iteration budget");
    s.stagnation_window = prm.get_integer("guard stagnation window");
    if (module->guarded() || s.guard.shadow_interval > 0)
      s.fallback = create_named_module<Preconditioner>(prm, s.guard.fallback_name);
    return module;
  }

  void
  Preconditioner::set_option(const std::string &prefix, const std::string &name, const std::string &value)
  {
    petsc_check(PetscOptionsSetValue(nullptr, ("-" + prefix + name).c_str(), value.c_str()),
                "PetscOptionsSetValue");
  }

  void
  Preconditioner::initialize(const dealii::PETScWrappers::MPI::SparseMatrix &matrix, const bool is_symmetric)
  {
    static unsigned int counter = 0;
    if (options_prefix.empty())
      options_prefix = "hyfe" + std::to_string(counter++) + "_";

    const auto       start = std::chrono::steady_clock::now();
    Mat              A     = static_cast<Mat>(matrix);
    PetscObjectId    id    = 0;
    PetscObjectState state = 0;
    petsc_check(PetscObjectGetId(reinterpret_cast<PetscObject>(A), &id), "PetscObjectGetId");
    petsc_check(MatGetNonzeroState(A, &state), "MatGetNonzeroState");
    if (pc != nullptr && numeric_refresh() && id == matrix_id && state == matrix_state &&
        is_symmetric == symmetric)
      {
        // the same matrix with new values: PETSc redoes the numeric part only (on the blocks too)
        petsc_check(PCSetUp(pc), "PCSetUp");
        petsc_check(PCSetUpOnBlocks(pc), "PCSetUpOnBlocks");
      }
    else
      {
        if (pc != nullptr)
          petsc_check(PCDestroy(&pc), "PCDestroy");
        symmetric = is_symmetric;
        petsc_check(PCCreate(matrix.get_mpi_communicator(), &pc), "PCCreate");
        petsc_check(PCSetOperators(pc, A, A), "PCSetOperators");
        petsc_check(PCSetOptionsPrefix(pc, options_prefix.c_str()), "PCSetOptionsPrefix");
        configure(pc, options_prefix);
        petsc_check(PCSetUp(pc), "PCSetUp");
        matrix_id    = id;
        matrix_state = state;
      }
    ++services->generation;
    last_setup_time = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  SolveResult
  Preconditioner::solve_with_fallback(const KrylovSettings                           &settings,
                                      const dealii::PETScWrappers::MPI::SparseMatrix &matrix,
                                      dealii::PETScWrappers::MPI::Vector             &x,
                                      const dealii::PETScWrappers::MPI::Vector       &rhs,
                                      double                                         &setup_time)
  {
    Services &s = *services;
    setup_time  = 0.;
    if (s.fallback_generation != s.generation)
      {
        s.fallback->initialize(matrix, symmetric);
        s.fallback_generation = s.generation;
        setup_time            = s.fallback->last_setup_time;
      }
    return s.fallback->solve(settings, matrix, x, rhs);
  }

  SolveResult
  Preconditioner::solve(const KrylovSettings                           &settings,
                        const dealii::PETScWrappers::MPI::SparseMatrix &matrix,
                        dealii::PETScWrappers::MPI::Vector             &x,
                        const dealii::PETScWrappers::MPI::Vector       &rhs)
  {
    if (pc == nullptr)
      throw std::logic_error("Preconditioner::solve() called before initialize()");
    Services &s = *services;
    ++s.solves;
    const bool                                          shadow_now = s.guard.take_shadow_turn();
    std::unique_ptr<dealii::PETScWrappers::MPI::Vector> initial_guess;
    if (guarded() || shadow_now)
      initial_guess = std::make_unique<dealii::PETScWrappers::MPI::Vector>(x);

    SolveResult result;
    std::string problem = guarded() ? setup_problem() : "";
    if (problem.empty())
      {
        KrylovSettings own = settings;
        if (guarded())
          {
            if (s.iteration_budget > 0)
              own.max_iterations = std::min(own.max_iterations, s.iteration_budget);
            own.stagnation_window = s.stagnation_window;
          }
        result            = krylov_solve(own,
                              symmetric,
                              static_cast<Mat>(matrix),
                              pc,
                              static_cast<const Vec &>(x),
                              static_cast<const Vec &>(rhs));
        result.setup_time = last_setup_time;
        if (guarded() && !result.converged)
          problem = "the Krylov solve stopped after " + std::to_string(result.iterations) + " iterations (" +
                    result.reason + ", relative residual " + std::to_string(result.relative_residual) + ")";
      }

    if (!problem.empty())
      {
        s.guard.count_fallback(dealii::Utilities::MPI::this_mpi_process(matrix.get_mpi_communicator()) == 0,
                               "preconditioner",
                               problem,
                               "solved again with");
        const double wasted_time = result.solve_time;
        x                        = *initial_guess;
        double fallback_setup    = 0.;
        result                   = solve_with_fallback(settings, matrix, x, rhs, fallback_setup);
        result.setup_time        = last_setup_time + fallback_setup;
        result.solve_time += wasted_time;
      }

    if (shadow_now)
      {
        dealii::PETScWrappers::MPI::Vector shadow(*initial_guess);
        double                             fallback_setup = 0.;
        const SolveResult reference = solve_with_fallback(settings, matrix, shadow, rhs, fallback_setup);
        s.difference                = std::make_unique<dealii::PETScWrappers::MPI::Vector>(x);
        *s.difference -= shadow;
        const double reference_norm  = parallel_l2_norm(static_cast<const Vec &>(shadow));
        const double difference_norm = parallel_l2_norm(static_cast<const Vec &>(*s.difference));
        s.shadow.module_iterations   = result.iterations;
        s.shadow.module_time         = result.solve_time;
        s.shadow.fallback_iterations = reference.iterations;
        s.shadow.fallback_setup      = fallback_setup;
        s.shadow.fallback_time       = reference.solve_time;
        s.shadow.difference = reference_norm > 0 ? difference_norm / reference_norm : difference_norm;
        s.sum_module_iterations += result.iterations;
        s.sum_fallback_iterations += reference.iterations;
        s.max_difference = std::max(s.max_difference, s.shadow.difference);
      }
    return result;
  }

  void
  Preconditioner::update(const StepInfo &step, const StateView &)
  {
    Services &s = *services;
    s.guard.start_step(step.step);
    s.shadow = {};
  }

  std::vector<std::pair<std::string, double>>
  Preconditioner::statistics() const
  {
    const Services                             &s = *services;
    std::vector<std::pair<std::string, double>> row{{"preconditioner_setup_time", last_setup_time},
                                                    {"fallbacks", s.guard.step_fallbacks}};
    if (s.guard.shadow_interval > 0)
      {
        row.emplace_back("shadow_module_iterations", s.shadow.module_iterations);
        row.emplace_back("shadow_module_solve_time", s.shadow.module_time);
        row.emplace_back("shadow_fallback_iterations", s.shadow.fallback_iterations);
        row.emplace_back("shadow_fallback_setup_time", s.shadow.fallback_setup);
        row.emplace_back("shadow_fallback_solve_time", s.shadow.fallback_time);
        row.emplace_back("shadow_difference", s.shadow.difference);
      }
    return row;
  }

  std::vector<std::pair<std::string, double>>
  Preconditioner::summary() const
  {
    const Services                             &s = *services;
    std::vector<std::pair<std::string, double>> lines;
    if (guarded())
      {
        lines.emplace_back("solves", s.solves);
        lines.emplace_back("fallbacks", s.guard.fallbacks);
      }
    if (s.guard.shadows > 0)
      {
        const double n = s.guard.shadows;
        lines.emplace_back("shadow_comparisons", n);
        lines.emplace_back("shadow_mean_module_iterations", s.sum_module_iterations / n);
        lines.emplace_back("shadow_mean_fallback_iterations", s.sum_fallback_iterations / n);
        lines.emplace_back("shadow_max_difference", s.max_difference);
      }
    return lines;
  }

  const dealii::PETScWrappers::MPI::Vector *
  Preconditioner::shadow_difference() const
  {
    return services->difference.get();
  }

  bool
  Preconditioner::shadow_mode() const
  {
    return services->guard.shadow_interval > 0;
  }

  void
  Preconditioner::before_adaptation(const StateView &)
  {
    services->difference.reset();
  }

  void
  Preconditioner::add_output_fields(OutputFields &fields) const
  {
    if (shadow_mode())
      fields.dof_vectors.push_back({"shadow_difference", "", services->difference.get()});
  }
} // namespace hyfe
