#pragma once

#include <petscpc.h>

#include <map>
#include <memory>
#include <string>

#include "solver/core/linear_solver.h"
#include "solver/core/module.h"

namespace dealii
{
  class ParameterHandler;
  namespace PETScWrappers
  {
    namespace MPI
    {
      class SparseMatrix;
      class Vector;
    } // namespace MPI
  }   // namespace PETScWrappers
} // namespace dealii

namespace hyfe
{
  /**
   * @brief A preconditioner module for the Krylov solves of the physics.
   *
   * The physics calls initialize() whenever the matrix changes and solve() for every system.
   * solve() runs the Krylov method of the settings with the PETSc preconditioner that configure()
   * built. Around it, every preconditioner system has two services, set in its subsection:
   * - the guard: a learned module (guarded() is true) whose set-up is unusable (setup_problem()),
   *   or whose solve stagnates or misses the tolerance within the iteration budget, has the solve
   *   redone from the same initial guess with the classical `fallback` module; every fallback is
   *   counted (stats.csv column `fallbacks`, run summary);
   * - shadow mode: every `shadow interval` steps, the fallback also solves the same system; both
   *   iteration counts and times and the relative norm of the solution difference go into
   *   stats.csv, and the difference is available as an output field (shadow_difference()).
   */
  class Preconditioner : public ModuleBase
  {
  public:
    /** @brief Name of the module system, as in the parameter file and --list-modules. */
    static constexpr const char *system_name = "preconditioner";

    Preconditioner();
    ~Preconditioner() override;

    /**
     * @brief Declares `type`, every module's subsection and the guard and shadow entries in the
     * current subsection of @p prm.
     */
    static void
    declare_system(dealii::ParameterHandler &prm, const std::string &default_name, const std::string &help);

    /** @brief Creates the module chosen by `type`, with its fallback, from the current subsection. */
    static std::unique_ptr<Preconditioner>
    create(dealii::ParameterHandler &prm);

    /** @brief (Re)builds the preconditioner for @p matrix; call whenever the matrix changed. */
    void
    initialize(const dealii::PETScWrappers::MPI::SparseMatrix &matrix, bool symmetric);

    /** @brief Solves matrix x = rhs (guarded, and shadowed when due); @p x holds the initial guess. */
    SolveResult
    solve(const KrylovSettings                           &settings,
          const dealii::PETScWrappers::MPI::SparseMatrix &matrix,
          dealii::PETScWrappers::MPI::Vector             &x,
          const dealii::PETScWrappers::MPI::Vector       &rhs);

    /** @brief Remembers the step (for shadow mode) and resets the per-step counters. */
    void
    update(const StepInfo &step, const StateView &state) override;

    /**
     * @brief Set-up time of the last initialize(), fallbacks of this step, and with shadow mode the
     * shadow comparison of this step (nan on steps without one).
     */
    std::vector<std::pair<std::string, double>>
    statistics() const override;

    /** @brief Fallback and shadow totals. */
    std::vector<std::pair<std::string, double>>
    summary() const override;

    /**
     * @brief This module's solution minus the fallback's of the last shadow comparison (same layout
     * as the solution, not ghosted), or nullptr without shadow mode or before the first comparison.
     */
    const dealii::PETScWrappers::MPI::Vector *
    shadow_difference() const;

    /** @brief Whether shadow mode is on (`shadow interval` > 0). */
    bool
    shadow_mode() const;

    /** @brief Forgets the shadow difference, which lives on the old mesh. */
    void
    before_adaptation(const StateView &state) override;

    /**
     * @brief With shadow mode, the field `shadow_difference` (zero before the first comparison on this
     * mesh) on the field of the module's slot.
     */
    void
    add_output_fields(OutputFields &fields) const override;

  protected:
    /**
     * @brief Configures the freshly created PETSc preconditioner @p pc, whose operators are
     * already set; PCSetUp() is called afterwards. @p options_prefix is unique to this object,
     * for options that PETSc only takes through its options database.
     */
    virtual void
    configure(PC pc, const std::string &options_prefix) = 0;

    /**
     * @brief Whether initialize() may keep the set-up PETSc object for a matrix with the sparsity of the
     * last one (the same PETSc matrix, the same nonzero pattern), PETSc then redoing only the numeric
     * part of the set-up, which gives the same preconditioner as a fresh one. false (the default):
     * configure() runs on every initialize().
     */
    virtual bool
    numeric_refresh() const
    {
      return false;
    }

    /** @brief Whether the guard applies to this module (learned modules). */
    virtual bool
    guarded() const
    {
      return false;
    }

    /**
     * @brief Why the last set-up cannot be used (for example a non-finite learned factor), or
     * empty. Must be the same on every rank (collective decision in configure()).
     */
    virtual std::string
    setup_problem() const
    {
      return "";
    }

    /** @brief Sets "-<prefix><name> <value>" in PETSc's options database. */
    static void
    set_option(const std::string &prefix, const std::string &name, const std::string &value);

    PC     pc              = nullptr; ///< the set-up preconditioner, or nullptr
    bool   symmetric       = false;   ///< whether the last matrix was declared symmetric
    double last_setup_time = 0.;      ///< wall seconds of the last initialize()

  private:
    /// the PETSc id and nonzero state of the matrix of the last full set-up (for numeric_refresh())
    PetscObjectId    matrix_id    = 0;
    PetscObjectState matrix_state = -1;
    struct Services;
    std::string               options_prefix;
    std::unique_ptr<Services> services;

    /** @brief Solves with the fallback module from @p x (its initial guess), setting it up if needed. */
    SolveResult
    solve_with_fallback(const KrylovSettings                           &settings,
                        const dealii::PETScWrappers::MPI::SparseMatrix &matrix,
                        dealii::PETScWrappers::MPI::Vector             &x,
                        const dealii::PETScWrappers::MPI::Vector       &rhs,
                        double                                         &setup_time);
  };


} // namespace hyfe
