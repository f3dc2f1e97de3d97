#include "solver/modules/mesh_mover.h"

#include <deal.II/base/parameter_handler.h>
#include <deal.II/fe/mapping_q.h>
#include <deal.II/grid/tria.h>

#include <memory>

#include "solver/core/exceptions.h"
#include "solver/core/parameters.h"
#include "solver/core/registry.h"
#include "solver/core/registry.templates.h"
#include "solver/modules/mesh_motion.h"

namespace hyfe
{
  namespace
  {
    /** @brief The mesh does not move: a plain polynomial mapping of the reference mesh. */
    template <int dim>
    class NoMeshMotion : public MeshMover<dim>
    {
    public:
      /** @brief No options. */
      static void
      declare_parameters(dealii::ParameterHandler &)
      {
      }

      /** @brief No options. */
      explicit NoMeshMotion(dealii::ParameterHandler &)
      {
      }

      void
      setup(const dealii::Triangulation<dim, dim> &, const unsigned int mapping_degree, double, bool) override
      {
        if (!mapping_ || mapping_->get_degree() != mapping_degree)
          mapping_ = std::make_unique<dealii::MappingQ<dim>>(mapping_degree);
      }

      const dealii::Mapping<dim, dim> &
      mapping() const override
      {
        return *mapping_;
      }

    private:
      std::unique_ptr<dealii::MappingQ<dim>> mapping_;
    };
  } // namespace

  template <int dim>
  void
  MeshMover<dim>::declare_system(dealii::ParameterHandler &prm)
  {
    declare_system_parameters<MeshMover<dim>>(prm,
                                              "none",
                                              "Mesh mover (r-adaptivity and moving boundaries).");
    prm.declare_entry("minimum quality",
                      "0.1",
                      dealii::Patterns::Double(0., 1.),
                      "Guard: a moved mesh whose motion has a smaller cell quality anywhere is refused "
                      "(the quality is the mean ratio d det(F)^(2/d) / |F|^2 of the motion's deformation "
                      "gradient F = dx/dX at the quadrature points and vertices: 1 for a translation, "
                      "rotation or uniform scaling of a cell, 0 for an inverted one). Unitless, in [0, 1].");
    prm.declare_entry("fallback",
                      "keep previous mesh",
                      dealii::Patterns::Selection("keep previous mesh|reference mesh"),
                      "What replaces a moved mesh that fails the guard (an inverted cell, a quality below "
                      "'minimum quality', or a vertex off a fixed boundary): the mesh of the previous step, "
                      "or the reference (unmoved) mesh. Every fallback is counted in stats.csv and the "
                      "summary.");
    prm.declare_entry("moving boundary ids",
                      "",
                      dealii::Patterns::List(dealii::Patterns::Integer(0, 254), 0, 255, ","),
                      "Boundary ids whose vertices may leave their boundary (moving bodies); the guard "
                      "refuses a motion that moves a vertex of any other boundary off it (vertices may "
                      "slide along it). Comma-separated ids in [0, 254].");
  }

  template <int dim>
  std::unique_ptr<MeshMover<dim>>
  MeshMover<dim>::create(dealii::ParameterHandler &prm)
  {
    auto mover = create_module<MeshMover<dim>>(prm);
    if (auto *moving = dynamic_cast<DisplacementMover<dim> *>(mover.get()))
      {
        MeshGuardParameters guard;
        guard.minimum_quality = prm.get_double("minimum quality");
        guard.fallback        = prm.get("fallback");
        for (const auto id :
             parse_boundary_ids(prm.get("moving boundary ids"), "mesh mover/moving boundary ids"))
          guard.moving_ids.insert(id);
        moving->set_guard(guard);
      }
    return mover;
  }

  template class MeshMover<2>;
  template class MeshMover<3>;

  void
  register_prescribed_mover();
  void
  register_elasticity_mover();
  void
  register_monge_ampere_mover();

  void
  register_mesh_movers()
  {
    register_dim_module<MeshMover, NoMeshMotion>("none", ModuleKind::classical, "the mesh does not move");
    register_prescribed_mover();
    register_elasticity_mover();
    register_monge_ampere_mover();
  }
} // namespace hyfe
