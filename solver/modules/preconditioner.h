#pragma once

#include <petscpc.h>

#include <map>
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
    }
  } // namespace PETScWrappers
} // namespace dealii

namespace hyfe
{
  /**
   * @brief A preconditioner module for the Krylov solves of the physics.
   *
   * The physics calls initialize() whenever the matrix changes and solve() for every system. The
   * default solve() runs the Krylov method of the settings with the PETSc preconditioner that
   * configure() built; a module may override solve(), e.g. to guard a learned preconditioner
   * and fall back to a classical one.
   */
  class Preconditioner : public ModuleBase
  {
  public:
    /** @brief Name of the module system, as in the parameter file and --list-modules. */
    static constexpr const char *system_name = "preconditioner";

    ~Preconditioner() override;

    /** @brief (Re)builds the preconditioner for @p matrix; call whenever the matrix changed. */
    virtual void
    initialize(const dealii::PETScWrappers::MPI::SparseMatrix &matrix, bool symmetric);

    /** @brief Solves matrix x = rhs; @p x holds the initial guess on entry. */
    virtual SolveResult
    solve(const KrylovSettings                           &settings,
          const dealii::PETScWrappers::MPI::SparseMatrix &matrix,
          dealii::PETScWrappers::MPI::Vector             &x,
          const dealii::PETScWrappers::MPI::Vector       &rhs);

    /** @brief Set-up time of the last initialize() and Krylov iterations since the last call. */
    std::vector<std::pair<std::string, double>>
    statistics() const override;

  protected:
    /**
     * @brief Configures the freshly created PETSc preconditioner @p pc, whose operators are
     * already set; PCSetUp() is called afterwards. @p options_prefix is unique to this object,
     * for options that PETSc only takes through its options database.
     */
    virtual void
    configure(PC pc, const std::string &options_prefix) const = 0;

    /** @brief Sets "-<prefix><name> <value>" in PETSc's options database. */
    static void
    set_option(const std::string &prefix, const std::string &name, const std::string &value);

    PC     pc              = nullptr; ///< the set-up preconditioner, or nullptr
    bool   symmetric       = false;   ///< whether the last matrix was declared symmetric
    double last_setup_time = 0.;      ///< wall seconds of the last initialize()

  private:
    std::string options_prefix;
  };


} // namespace hyfe
