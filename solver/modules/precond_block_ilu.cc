#include "solver/core/registry.h"
#include "solver/modules/precond_block_factor.h"

namespace hyfe
{
  namespace
  {
    /** @brief Block Jacobi, one block per rank, with incomplete LU ILU(k) of each block. */
    class BlockIlu : public BlockFactorization
    {
    public:
      /** @brief Reads the module's options. */
      explicit BlockIlu(dealii::ParameterHandler &prm)
          : BlockFactorization(prm, PCILU)
      {
      }
    };
  } // namespace

  /** @brief Registration (called from register_classical_modules()). */
  void
  register_block_ilu()
  {
    register_module<Preconditioner, BlockIlu>(
      "block-ilu",
      ModuleKind::classical,
      "block Jacobi, one block per rank, incomplete LU ILU(k) of each block");
  }
} // namespace hyfe
