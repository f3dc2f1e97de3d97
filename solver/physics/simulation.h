#pragma once

#include <mpi.h>

#include <string>

namespace dealii
{
  class ParameterHandler;
}

namespace hyfe
{
  /** @brief What to do with a case file. */
  enum class RunMode
  {
    run,     ///< parse, check and run
    validate ///< parse and check everything (files, modules, boundary ids), compute nothing
  };

  /** @brief Declares every parameter of hyfe (all physics, all modules). */
  void
  declare_all_parameters(dealii::ParameterHandler &prm);

  /**
   * @brief Runs (or validates) the case in @p file on @p comm. Parses on rank 0 first; every input
   * error is reported once, by rank 0, and every rank returns the same non-zero exit status.
   * @return the process exit status: 0 on success, 1 for bad input, 2 for a failed run.
   */
  int
  run_case(const std::string &file, MPI_Comm comm, RunMode mode);
} // namespace hyfe
