#pragma once

#include <deal.II/base/types.h>

#include <mpi.h>

#include <string>
#include <vector>

#include "solver/core/module.h"

namespace dealii
{
  template <int dim, int spacedim>
  class DoFHandler;
  template <int dim, int spacedim>
  class Mapping;
  namespace parallel
  {
    namespace distributed
    {
      template <int dim, int spacedim>
      class Triangulation;
    }
  } // namespace parallel
} // namespace dealii

namespace hyfe
{
  /** @brief One field of the physics as a module sees it. */
  template <int dim>
  struct FieldState
  {
    std::string                               name;        ///< "c", "velocity", "pressure"
    const dealii::DoFHandler<dim, dim>       *dof_handler; ///< its DoF handler
    const dealii::PETScWrappers::MPI::Vector *current;     ///< ghosted: the latest solution
    const dealii::PETScWrappers::MPI::Vector *previous;    ///< ghosted: the one before, or nullptr
  };

  /**
   * @brief What a module may read of the run (after ASPECT's SimulatorAccess), kept up to date by the
   * Simulation: it is refreshed after every set-up, adaptation and mesh motion, and its step before
   * each update().
   */
  template <int dim>
  struct SimulationState
  {
    MPI_Comm                                                      comm;
    const dealii::parallel::distributed::Triangulation<dim, dim> *triangulation;
    /** @brief The mapping of the current (possibly moved) mesh; nullptr only before the mesh mover's set-up.
     */
    const dealii::Mapping<dim, dim> *mapping        = nullptr;
    unsigned int                     mapping_degree = 1; ///< the polynomial degree the physics asks for
    StepInfo                         step;               ///< the current step (step 0 before the first)
    std::string                      time_scheme;        ///< bdf1, bdf2, crank-nicolson or steady
    std::vector<FieldState<dim>>     fields;             ///< the physics' fields
    /**
     * @brief (|K|)^(1/dim) of each locally owned active cell, its volume |K| integrated through the
     * mapping (length units), indexed by active_cell_index(); 0 on other cells.
     */
    std::vector<double> cell_sizes;

    /** @brief The field called @p name; a missing one is a programming error (std::logic_error). */
    const FieldState<dim> &
    field(const std::string &name) const
    {
      for (const auto &f : fields)
        if (f.name == name)
          return f;
      throw std::logic_error("SimulationState: no field '" + name + "'");
    }
  };
} // namespace hyfe
