#include "solver/modules/mesh_mover.h"

#include <deal.II/base/parameter_handler.h>
#include <deal.II/fe/mapping_q.h>
#include <deal.II/grid/tria.h>

#include <memory>

#include "solver/core/registry.h"

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
      setup(const dealii::Triangulation<dim, dim> &, const unsigned int mapping_degree) override
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

  void
  register_mesh_movers()
  {
    register_dim_module<MeshMover, NoMeshMotion>("none", ModuleKind::classical, "the mesh does not move");
  }
} // namespace hyfe
