#pragma once

#include <iosfwd>
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
   * @brief Extra fields that a module adds to the output.
   *
   * DoF vectors live on the physics' primary DoFHandler and must be ghosted; cell vectors have one
   * entry per active cell of the local triangulation.
   */
  struct OutputFields
  {
    std::vector<std::pair<std::string, const dealii::PETScWrappers::MPI::Vector *>> dof_vectors;
    std::vector<std::pair<std::string, const dealii::Vector<float> *>>              cell_vectors;
  };

  /**
   * @brief Hooks that every module of every system has: the solver calls them at fixed points of
   * the run. All have empty defaults, so that a module overrides only what it needs.
   */
  class ModuleBase
  {
  public:
    virtual ~ModuleBase() = default;

    /** @brief Called once per time step, before the module is used in that step. */
    virtual void
    update(const StepInfo & /*step*/)
    {
    }

    /** @brief Called before the mesh is adapted (state that lives on the mesh must be saved). */
    virtual void
    before_adaptation()
    {
    }

    /** @brief Called after the mesh was adapted and the DoFs were distributed again. */
    virtual void
    after_adaptation()
    {
    }

    /** @brief Writes the module's state into a checkpoint (default: stateless). */
    virtual void
    save_checkpoint(std::ostream & /*out*/) const
    {
    }

    /** @brief Restores the module's state from a checkpoint written by save_checkpoint(). */
    virtual void
    load_checkpoint(std::istream & /*in*/)
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

    /** @brief Totals for the run summary (for example the number of fallbacks). */
    virtual std::vector<std::pair<std::string, double>>
    summary() const
    {
      return {};
    }
  };
} // namespace hyfe
