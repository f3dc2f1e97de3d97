#pragma once

#include <mpi.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dealii
{
  class ParameterHandler;
}

namespace hyfe
{
  /** @brief When and where checkpoints are written, and whether a run resumes; `subsection checkpoint`. */
  struct CheckpointParameters
  {
    unsigned int interval     = 0;  ///< write every this many steps; 0: not by steps
    double       wall_minutes = 0.; ///< write when this many wall-clock minutes passed since the last; 0: not
    unsigned int keep         = 2;  ///< number of slots kept
    std::string  resume;            ///< "auto", "yes" or "no"
    std::string  directory;         ///< folder of the slots

    /** @brief Declares the entries of `subsection checkpoint`. */
    static void
    declare_parameters(dealii::ParameterHandler &prm);

    /** @brief Reads `subsection checkpoint`; an empty folder means `<output directory>/checkpoints`. */
    void
    parse_parameters(dealii::ParameterHandler &prm, const std::string &output_directory);

    /** @brief Whether checkpoints are written at all. */
    bool
    enabled() const
    {
      return interval > 0 || wall_minutes > 0.;
    }
  };

  /**
   * @brief The scalar state of a checkpoint as text values under keys ("time/step",
   * "module/pressure_", "meta/dimension"): written by rank 0 with a SHA-256 of its content, so that a
   * truncated or changed file is found at load.
   */
  class CheckpointState
  {
  public:
    /** @brief Sets @p key to @p value (no newline in either). */
    void
    set(const std::string &key, const std::string &value);

    /** @brief Sets @p key to @p value with 17 significant digits (exact round trip). */
    void
    set_number(const std::string &key, double value);

    /** @brief The value of @p key; throws InputError naming @p file if it is missing. */
    const std::string &
    get(const std::string &key) const;

    /** @brief The number under @p key. */
    double
    get_number(const std::string &key) const;

    /** @brief Whether @p key is present. */
    bool
    has(const std::string &key) const;

    /** @brief Every key and value. */
    const std::map<std::string, std::string> &
    values() const
    {
      return entries;
    }

    /** @brief Writes the state into @p file (through a temporary name and an fsync). */
    void
    write(const std::string &file) const;

    /** @brief Reads @p file; throws InputError if it is missing, truncated or changed. */
    static CheckpointState
    read(const std::string &file);

    /** @brief The state in @p text, read from @p file (for messages); throws like read(). */
    static CheckpointState
    parse(const std::string &text, const std::string &file);

    std::string file; ///< where it was read from, for messages

  private:
    std::map<std::string, std::string> entries;
  };

  /** @brief A checkpoint slot that was found complete on disk. */
  struct CheckpointSlot
  {
    std::string     folder; ///< the slot's folder
    unsigned int    number; ///< the checkpoint's running number
    CheckpointState state;  ///< its scalar state
  };

  /**
   * @brief The slots of a run's checkpoints: `slot_<i>` folders, i = number % keep, and a marker
   * `last-good` that names the newest complete slot. A slot is complete when its `state.txt` (written
   * last, after every rank's mesh and vector data are on disk) reads back with the right SHA-256.
   */
  class CheckpointStore
  {
  public:
    /** @brief The store of @p parameters, collective over @p comm. */
    CheckpointStore(const CheckpointParameters &parameters, MPI_Comm comm);

    /**
     * @brief Empties and returns the folder for checkpoint @p number (rank 0 prepares it; collective);
     * the caller writes the mesh and vectors there, then calls commit().
     */
    std::string
    begin(unsigned int number);

    /**
     * @brief Writes @p state into the slot of begin() after every rank has written its data (collective),
     * then points the `last-good` marker at it.
     */
    void
    commit(const std::string &folder, unsigned int number, const CheckpointState &state);

    /**
     * @brief The newest complete slot: the one that `last-good` names, or, when it or its state is
     * missing or corrupt, the newest other complete slot (each fall-back is reported on rank 0); none
     * if no slot is complete. Collective: every rank gets rank 0's answer. @p problems receives why
     * slots were passed over.
     */
    std::optional<CheckpointSlot>
    find_last_good(std::vector<std::string> &problems) const;

    /**
     * @brief Removes every slot and the marker (collective): a run that starts afresh never leaves an
     * older run's checkpoint where a later `resume = auto` could fall back to it.
     */
    void
    clear() const;

  private:
    const CheckpointParameters &parameters;
    MPI_Comm                    comm;
  };

  /**
   * @brief The versions of libraries that a checkpoint records beside hyfe's, deal.II's and PETSc's, as
   * name -> version: the learned library adds LibTorch's when it registers its modules.
   */
  std::map<std::string, std::string> &
  library_versions();
} // namespace hyfe
