#pragma once

#include <deal.II/fe/mapping.h>

#include "solver/core/module.h"

namespace dealii
{
  template <int dim, int spacedim>
  class Triangulation;
}

namespace hyfe
{
  /**
   * @brief A mesh mover (r-adaptivity), after ExaDG's DeformedMappingBase: it owns a displacement
   * field and gives the physics the mapping (an Eulerian mapping of that field) to assemble with.
   */
  template <int dim>
  class MeshMover : public ModuleBase
  {
  public:
    /** @brief Name of the module system, as in the parameter file and --list-modules. */
    static constexpr const char *system_name = "mesh mover";

    /**
     * @brief Called by the Simulation after the mesh was created or changed, before anything else
     * (every other part uses the mapping); @p mapping_degree is the polynomial degree that the physics
     * wants for its geometry.
     */
    virtual void
    setup(const dealii::Triangulation<dim, dim> &triangulation, unsigned int mapping_degree) = 0;

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

    /** @brief The mapping of the current (possibly moved) mesh. */
    virtual const dealii::Mapping<dim, dim> &
    mapping() const = 0;

    /** @brief Largest displacement of any vertex from the reference mesh, in length units. */
    virtual double
    max_displacement() const
    {
      return 0.;
    }
  };

  /** @brief Registration of the classical mesh movers (called by register_classical_modules()). */
  void
  register_mesh_movers();
} // namespace hyfe
