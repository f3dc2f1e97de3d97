#pragma once

#include <deal.II/base/types.h>
#include <deal.II/fe/mapping.h>

#include <memory>
#include <string>

#include "solver/core/module.h"

namespace dealii
{
  template <int dim, int spacedim>
  class Triangulation;
  template <int dim, int spacedim>
  class DoFHandler;
  class IndexSet;
  class ParameterHandler;
} // namespace dealii

namespace hyfe
{
  /**
   * @brief A mesh mover (r-adaptivity), after ExaDG's DeformedMappingBase and ASPECT's mesh
   * deformation: it owns a displacement field d (an FE vector of FE_Q(mapping degree)^dim on its own
   * DoF handler) and gives the physics the mapping of the moved mesh (an Eulerian mapping of d on the
   * reference triangulation, whose vertices never move) and the mesh velocity w, the BDF time
   * derivative of d's history. `none` has neither: its mapping is the plain MappingQ of the reference
   * mesh.
   */
  template <int dim>
  class MeshMover : public ModuleBase
  {
  public:
    /** @brief Name of the module system, as in the parameter file and --list-modules. */
    static constexpr const char *system_name = "mesh mover";

    /** @brief Declares the system's entries: `type` (from the registry) and the guard's entries. */
    static void
    declare_system(dealii::ParameterHandler &prm);

    /** @brief Creates the mover named by `type` and reads the guard's entries (in the system subsection). */
    static std::unique_ptr<MeshMover<dim>>
    create(dealii::ParameterHandler &prm);

    /**
     * @brief Called by the Simulation after the mesh was created or changed, before anything else
     * (every other part uses the mapping); @p mapping_degree is the polynomial degree that the physics
     * wants for its geometry, @p time the time of the mesh (the start time on the first call);
     * @p resumed: the run resumes from a checkpoint, whose load_checkpoint() gives the displacement.
     */
    virtual void
    setup(const dealii::Triangulation<dim, dim> &triangulation,
          unsigned int                           mapping_degree,
          double                                 time,
          bool                                   resumed) = 0;

    /**
     * @brief Called by the Simulation at the start of every step, after update(): moves the mesh to
     * where it is at the end of the step. Returns whether it moved (then the Simulation refreshes the
     * cell sizes and calls after_mesh_motion() on the physics and every module).
     */
    virtual bool
    move_mesh(const StepInfo & /*step*/, const StateView & /*state*/)
    {
      return false;
    }

    /** @brief How many times the Simulation calls move_initial_mesh() before the first step. */
    virtual unsigned int
    initial_moves() const
    {
      return 0;
    }

    /**
     * @brief Moves the mesh at the start time, with no motion in time (the history is the new mesh, w =
     * 0): the Simulation then sets the initial condition again on the moved mesh. Returns whether it moved.
     */
    virtual bool
    move_initial_mesh(const StateView & /*state*/)
    {
      return false;
    }

    /** @brief The mapping of the current (possibly moved) mesh. */
    virtual const dealii::Mapping<dim, dim> &
    mapping() const = 0;

    /** @brief Largest displacement of any vertex from the reference mesh, in length units. */
    virtual double
    max_displacement() const
    {
      return 0.;
    }

    /** @brief The DoF handler of the displacement and mesh velocity; nullptr for a mesh that never moves. */
    virtual const dealii::DoFHandler<dim, dim> *
    displacement_dof_handler() const
    {
      return nullptr;
    }

    /**
     * @brief The mesh velocity w (ghosted, on displacement_dof_handler()), length/time, of the last
     * move_mesh(); nullptr for a mesh that never moves. The physics convect with (velocity - w).
     */
    virtual const dealii::PETScWrappers::MPI::Vector *
    mesh_velocity() const
    {
      return nullptr;
    }

    /**
     * @brief Whether the boundary @p id moves (a moving body): a no-slip wall there takes the mesh
     * velocity as its velocity.
     */
    virtual bool
    moves_boundary(dealii::types::boundary_id /*id*/) const
    {
      return false;
    }

    /** @brief The displacement d (ghosted, on displacement_dof_handler()); nullptr for a fixed mesh. */
    virtual const dealii::PETScWrappers::MPI::Vector *
    displacement() const
    {
      return nullptr;
    }
  };

  /** @brief Registration of the classical mesh movers (called by register_classical_modules()). */
  void
  register_mesh_movers();
} // namespace hyfe
