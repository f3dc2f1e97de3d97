#pragma once

#include <iosfwd>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace dealii
{
  namespace PETScWrappers
  {
    namespace MPI
    {
      class Vector;
    }
  } // namespace PETScWrappers
  template <typename Number>
  class Vector;
} // namespace dealii

namespace hyfe
{
  class ModuleArchive;
  template <int dim>
  struct SimulationState;

  /** @brief Whether a module is a classical algorithm or a learned (LibTorch) one. */
  enum class ModuleKind
  {
    classical,
    learned
  };

  /** @brief "classical" or "learned". */
  std::string
  to_string(ModuleKind kind);

  /** @brief What the solver knows about the current time step when it calls a module. */
  struct StepInfo
  {
    unsigned int step = 0;  ///< step number, 1 for the first step
    double       time = 0.; ///< time at the end of the step, in the case's time unit
    double       dt   = 0.; ///< step size, in the case's time unit
  };

  /**
   * @brief A read-only view of the run's state (module_state.h: DoF handlers, the current and
   * previous solution vectors, the mapping, mapping-aware cell sizes) that the Simulation passes to
   * every module hook. ModuleBase does not depend on the dimension; a module of a dimension-templated
   * system (mesh mover, closure model) reads the state with get<dim>().
   */
  class StateView
  {
  public:
    /** @brief A view of @p state. */
    template <int dim>
    explicit StateView(const SimulationState<dim> &state)
        : dim(dim)
        , state(&state)
    {
    }

    /** @brief The space dimension of the run. */
    unsigned int
    dimension() const
    {
      return dim;
    }

    /** @brief The state; a wrong @p dim is a programming error (std::logic_error). */
    template <int dim_>
    const SimulationState<dim_> &
    get() const
    {
      if (dim_ != static_cast<int>(dim))
        throw std::logic_error("StateView: a " + std::to_string(dim_) + "-D module in a " +
                               std::to_string(dim) + "-D run");
      return *static_cast<const SimulationState<dim_> *>(state);
    }

  private:
    unsigned int dim;
    const void  *state;
  };

  /**
   * @brief Extra fields that a module adds to the output. The Simulation puts the module's statistics
   * prefix in front of each name (e.g. "velocity_shadow_difference").
   */
  struct OutputFields
  {
    /** @brief A finite-element vector on one of the physics' DoF handlers. */
    struct DofVector
    {
      std::string name; ///< output name, without the module's prefix
      std::string
        field; ///< the physics field it lives on ("c", "velocity", "pressure"); empty: the module's own
      const dealii::PETScWrappers::MPI::Vector *vector; ///< owned or ghosted; nullptr writes zeros
    };
    std::vector<DofVector>                                             dof_vectors;
    std::vector<std::pair<std::string, const dealii::Vector<float> *>> cell_vectors; ///< one per active cell
  };

  /**
   * @brief Hooks that every module of every system has. The Simulation owns one list of all modules
   * of a run (mesh mover, closure model, every preconditioner of the physics, each with its
   * statistics prefix) and calls the hooks at fixed points, on every rank, in the list's order:
   *
   * 1. reinit() once the mesh and the DoFs exist (start of the run, fresh or resumed);
   * 2. on a resumed run, load_checkpoint(), after that first reinit();
   * 3. every step: update(); then, if the mesh mover moved the mesh, after_mesh_motion(); the physics
   *    solves (using the preconditioners and the closure); add_output_fields() on output steps;
   *    on adaptation steps before_adaptation(), the refinement, after_adaptation() and reinit();
   *    statistics() for the step's row of stats.csv; save_checkpoint() on checkpoint steps;
   * 4. summary() at the end.
   *
   * The initial refinement cycles of a fresh run call before_adaptation(), after_adaptation() and
   * reinit() too. The mesh mover gets after_adaptation() before the physics transfers its fields (its
   * mapping is needed for that): its view's `fields` are empty then. All hooks have empty defaults,
   * so that a module overrides only what it needs.
   */
  class ModuleBase
  {
  public:
    virtual ~ModuleBase() = default;

    /** @brief Called after the mesh or the DoFs changed (set-up of what depends on them). */
    virtual void
    reinit(const StateView & /*state*/)
    {
    }

    /**
     * @brief Called once per time step, before the module is used in that step; @p state holds the
     * solution at the start of the step (time step.time - step.dt).
     */
    virtual void
    update(const StepInfo & /*step*/, const StateView & /*state*/)
    {
    }

    /**
     * @brief Called after the cells were marked and before the mesh is adapted: state that lives on
     * the mesh must be attached to the triangulation here (a SolutionTransfer).
     */
    virtual void
    before_adaptation(const StateView & /*state*/)
    {
    }

    /** @brief Called after the mesh was adapted (and repartitioned) and the DoFs were distributed again. */
    virtual void
    after_adaptation(const StateView & /*state*/)
    {
    }

    /** @brief Called after the mesh mover moved the mesh (the mapping and the cell sizes changed). */
    virtual void
    after_mesh_motion(const StateView & /*state*/)
    {
    }

    /**
     * @brief Writes the module's state into a checkpoint under keys (default: stateless). FE vectors
     * on the mesh go in through ModuleArchive::save_vector(), which attaches them to the saved mesh.
     */
    virtual void
    save_checkpoint(ModuleArchive & /*archive*/) const
    {
    }

    /** @brief Restores the state of save_checkpoint() (vectors in the same order), after reinit(). */
    virtual void
    load_checkpoint(ModuleArchive & /*archive*/)
    {
    }

    /** @brief Adds the module's own output fields. */
    virtual void
    add_output_fields(OutputFields & /*fields*/) const
    {
    }

    /**
     * @brief Statistics accumulated since the last call, as (column name, value) pairs that go into
     * stats.csv; the same names must be returned every step.
     */
    virtual std::vector<std::pair<std::string, double>>
    statistics() const
    {
      return {};
    }

    /**
     * @brief Lines that describe the module as set up for this run (for example a model file and its
     * SHA-256); printed at the start of the run and written into the output folder (modules.txt).
     */
    virtual std::vector<std::string>
    description() const
    {
      return {};
    }

    /**
     * @brief What a resumed run must keep, as (name, value) pairs (e.g. a model file's SHA-256): a
     * checkpoint records them and a resume with other values is an input error.
     */
    virtual std::vector<std::pair<std::string, std::string>>
    restart_invariants() const
    {
      return {};
    }

    /** @brief Totals for the run summary (for example the number of fallbacks). */
    virtual std::vector<std::pair<std::string, double>>
    summary() const
    {
      return {};
    }
  };
} // namespace hyfe
