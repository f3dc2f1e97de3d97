#include "solver/core/registry.h"
#include "solver/modules/precond_block_factor.h"

namespace hyfe
{
  namespace
  {
    /** @brief Block Jacobi, one block per rank, with incomplete Cholesky ICC(k) of each block. */
    class BlockIcc : public BlockFactorization
    {
    public:
      /** @brief Reads the module's options. */
      explicit BlockIcc(dealii::ParameterHandler &prm)
          : BlockFactorization(prm, PCICC)
      {
      }
    };
  } // namespace

  /** @brief Registration (called from register_classical_modules()). */
  void
  register_block_icc()
  {
    register_module<Preconditioner, BlockIcc>(
      "block-icc",
      ModuleKind::classical,
      "block Jacobi, one block per rank, incomplete Cholesky ICC(k) of each block (symmetric matrices)");
  }
} // namespace hyfe
