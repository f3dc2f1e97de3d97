#include "solver/core/registry.h"
#include "solver/modules/closure_model.h"
#include "solver/modules/mesh_mover.h"

namespace hyfe
{
  // One line per module file; explicit, so that a static link cannot drop a registration.
  void
  register_jacobi();
  void
  register_ssor();
  void
  register_block_icc();
  void
  register_block_ilu();
  void
  register_boomeramg();
  void
  register_gamg();
  void
  register_direct();

  void
  register_classical_modules()
  {
    static bool done = false;
    if (done)
      return;
    done = true;

    register_jacobi();
    register_ssor();
    register_block_icc();
    register_block_ilu();
    register_boomeramg();
    register_gamg();
    register_direct();
    register_mesh_movers();
    register_closure_models();
  }
} // namespace hyfe
