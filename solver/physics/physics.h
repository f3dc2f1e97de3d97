#pragma once

#include <deal.II/base/types.h>

#include <mpi.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "solver/core/data_check.h"
#include "solver/core/module.h"
#include "solver/core/module_state.h"

namespace dealii
{
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
  class CheckpointState;
  class VtuWriter;
  struct AdaptivityParameters;
  template <int dim>
  class MeshMover;
  template <int dim>
  class ClosureModel;

  /** @brief One row of stats.csv: (column, value) pairs in a fixed order. */
  using StatisticsRow = std::vector<std::pair<std::string, double>>;

  /** @brief A module of the physics in the Simulation's module list. */
  struct ModuleSlot
  {
    std::string prefix; ///< of its statistics columns and output fields, e.g. "pressure_"
    ModuleBase *module;
    std::string field; ///< the physics field it works on ("c", "velocity", "pressure"), for its output fields
  };

  /** @brief What the simulation shares with its physics. */
  template <int dim>
  struct SimulationContext
  {
    MPI_Comm                                                comm;
    dealii::parallel::distributed::Triangulation<dim, dim> &triangulation;
    MeshMover<dim>                                         &mesh_mover;
    ClosureModel<dim>                                      &closure_model;
    const AdaptivityParameters                             &adaptivity;
    std::string                                             time_scheme;      ///< bdf1, bdf2, crank-nicolson
    double                                                  time_step;        ///< fixed step, case time units
    std::string                                             output_directory; ///< for the physics' own files
  };

  /**
   * @brief A physics module: the equations, their discretisation and solves. The Simulation owns
   * the mesh and the time loop and calls these hooks in order.
   */
  template <int dim>
  class Physics
  {
  public:
    virtual ~Physics() = default;

    /** @brief Throws InputError if the boundary conditions do not fit the mesh's @p mesh_ids. */
    virtual void
    check_boundary_ids(const std::set<dealii::types::boundary_id> &mesh_ids) const = 0;

    /**
     * @brief Called once on the coarse mesh, before any refinement: periodicity, manifolds. Errors
     * here are input errors (e.g. periodic faces that do not match).
     */
    virtual void
    prepare_coarse_mesh()
    {
    }

    /**
     * @brief The data expressions of the parameter file (coefficients, initial and boundary
     * data), which the Simulation evaluates on the mesh before the first step.
     */
    virtual std::vector<DataExpression<dim>>
    data_expressions() const
    {
      return {};
    }

    /** @brief DoFs per active cell on a large mesh, for the estimate of a run's size. */
    virtual double
    dofs_per_cell() const
    {
      return 1.;
    }

    /** @brief The step to take next, at most @p max_step (e.g. limited by a CFL number). */
    virtual double
    propose_time_step(const double max_step) const
    {
      return max_step;
    }

    /** @brief The polynomial degree of the geometry (the mesh mover's mapping) that the physics wants. */
    virtual unsigned int
    mapping_degree() const = 0;

    /**
     * @brief Distributes DoFs on the (globally refined) mesh and sets the initial condition; the mesh
     * mover is set up already.
     */
    virtual void
    setup(double start_time) = 0;

    /** @brief Sets the initial condition again (after an initial refinement cycle). */
    virtual void
    set_initial_condition(double start_time) = 0;

    /** @brief The fields that modules may read (SimulationState::fields). */
    virtual std::vector<FieldState<dim>>
    fields() const = 0;

    /** @brief Advances from step.time - step.dt to step.time; adds its statistics to @p row. */
    virtual void
    advance(const StepInfo &step, StatisticsRow &row) = 0;

    /**
     * @brief Adds the quantities of the current solution (errors, norms) to @p row; @p last_step
     * is true at the final step, where every quantity must be computed.
     */
    virtual void
    postprocess(const StepInfo &step, bool last_step, StatisticsRow &row) = 0;

    /**
     * @brief First half of an adaptation: estimates, marks the cells, calls
     * prepare_coarsening_and_refinement() and attaches every history vector for the transfer. The
     * Simulation then calls the modules' before_adaptation() and refines.
     */
    virtual void
    prepare_adaptation() = 0;

    /** @brief Second half, after the refinement: distributes the DoFs and transfers the history vectors. */
    virtual void
    finish_adaptation() = 0;

    /** @brief Called after the mesh mover moved the mesh: rebuilds what depends on the geometry. */
    virtual void
    after_mesh_motion()
    {
    }

    /**
     * @brief Writes one output record for @p time, with the modules' fields @p module_fields (names
     * already prefixed; the field of each DoF vector names the DoF handler it lives on).
     */
    virtual void
    write_output(VtuWriter &writer, double time, const OutputFields &module_fields) = 0;

    /** @brief Short text for the progress line (e.g. "cells 1024 dofs 4225 its 12"). */
    virtual std::string
    progress_text() const = 0;

    /**
     * @brief The modules that the physics owns (its preconditioners), each with the prefix of its
     * statistics columns and the field it works on. The Simulation calls their hooks; the physics
     * only uses them.
     */
    virtual std::vector<ModuleSlot>
    modules() = 0;

    /** @brief Whether the physics implements the checkpoint hooks below. */
    virtual bool
    supports_checkpoints() const
    {
      return false;
    }

    /**
     * @brief The entries that must not change on a restart, with their values (e.g. the degree),
     * which the checkpoint records and a resumed run compares.
     */
    virtual std::vector<std::pair<std::string, std::string>>
    restart_invariants() const
    {
      return {};
    }

    /**
     * @brief Attaches every history vector to the triangulation for its save() (through
     * SolutionTransfer::prepare_for_serialization) and puts the physics' scalar state into @p state.
     */
    virtual void
    prepare_checkpoint(CheckpointState & /*state*/)
    {
    }

    /** @brief Called after the triangulation was saved: releases what prepare_checkpoint() attached. */
    virtual void
    finish_checkpoint()
    {
    }

    /**
     * @brief Called instead of setup() on a resumed run, after the triangulation was loaded and the
     * mesh mover set up:
     * distributes the DoFs, reads back the history vectors in the order of prepare_checkpoint() and
     * the scalar state from @p state.
     */
    virtual void
    load_checkpoint(const CheckpointState & /*state*/)
    {
    }

    /** @brief Lines for the run summary. */
    virtual std::vector<std::string>
    summary() const
    {
      return {};
    }
  };
} // namespace hyfe
