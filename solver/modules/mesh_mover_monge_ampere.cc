/**
 * @file
 * @brief The `monge-ampere` mesh mover: monitor-driven equidistribution by optimal transport, after
 * Firedrake's `movement` package (McRae, Cotter and Budd 2018). The moved mesh is x = xi + grad(phi)
 * of the reference mesh xi, with m(x) det(I + H(phi)) = theta; solved by relaxation.
 */
#include "solver/modules/mesh_mover_monge_ampere.h"

#include "solver/core/registry.h"

namespace hyfe
{

  /** @brief Registration (called by register_mesh_movers()). */
  void
  register_monge_ampere_mover()
  {
    register_dim_module<MeshMover, monge_ampere::MongeAmpereMotion>(
      "monge-ampere",
      ModuleKind::classical,
      "monitor-driven equidistribution, x = xi + grad(phi) with m det(I + H(phi)) = theta, by relaxation");
  }
} // namespace hyfe
