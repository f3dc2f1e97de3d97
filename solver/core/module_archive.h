#pragma once

#include <memory>
#include <string>
#include <vector>

#include "solver/core/checkpoint.h"

namespace dealii
{
  template <int dim, int spacedim>
  class DoFHandler;
  namespace PETScWrappers
  {
    namespace MPI
    {
      class Vector;
    }
  } // namespace PETScWrappers
} // namespace dealii

namespace hyfe
{
  /**
   * @brief One module's part of a checkpoint: values under keys (stored in the checkpoint's state as
   * `module/<prefix>/<key>`, any bytes) and FE vectors that live on the mesh, which go through
   * SolutionTransfer::prepare_for_serialization() with the mesh and come back on the loaded mesh (also
   * on another number of ranks). Values must be the same on every rank (rank 0 writes the state).
   */
  class ModuleArchive
  {
  public:
    /** @brief An archive that writes into @p state (for save_checkpoint()). */
    ModuleArchive(CheckpointState &state, const std::string &prefix);

    /** @brief An archive that reads from @p state (for load_checkpoint()). */
    ModuleArchive(const CheckpointState &state, const std::string &prefix);

    ~ModuleArchive();

    /** @brief Stores @p value (any bytes) under @p key. */
    void
    set(const std::string &key, const std::string &value);

    /** @brief Stores @p value exactly (17 significant digits). */
    void
    set_number(const std::string &key, double value);

    /** @brief The value under @p key; a missing key is an InputError naming the checkpoint file. */
    std::string
    get(const std::string &key) const;

    /** @brief The number under @p key. */
    double
    get_number(const std::string &key) const;

    /** @brief Whether @p key is present. */
    bool
    has(const std::string &key) const;

    /**
     * @brief Attaches @p vector (ghosted, on @p dof_handler) to the mesh that is saved next; keep both
     * alive until the checkpoint is written.
     */
    template <int dim>
    void
    save_vector(const std::string                        &key,
                const dealii::DoFHandler<dim, dim>       &dof_handler,
                const dealii::PETScWrappers::MPI::Vector &vector);

    /**
     * @brief Reads the vector saved under @p key into @p vector (owned or ghosted, on @p dof_handler,
     * distributed on the loaded mesh). Vectors are read in the order they were saved; another order or
     * key is an InputError. Hanging-node constraints are the caller's to apply.
     */
    template <int dim>
    void
    load_vector(const std::string                  &key,
                const dealii::DoFHandler<dim, dim> &dof_handler,
                dealii::PETScWrappers::MPI::Vector &vector);

  private:
    CheckpointState                   *writable;
    const CheckpointState             &state;
    std::string                        prefix;
    std::vector<std::string>           saved_vectors;
    std::size_t                        next_vector = 0;
    std::vector<std::shared_ptr<void>> transfers; ///< the SolutionTransfers of save_vector()
  };
} // namespace hyfe
