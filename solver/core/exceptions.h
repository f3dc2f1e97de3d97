#pragma once

#include <stdexcept>
#include <string>

namespace hyfe
{
  /**
   * @brief An error in the user's input (parameter file, mesh file, model file): hyfe prints its
   * message without a stack trace and exits with a non-zero status on every rank.
   */
  class InputError : public std::runtime_error
  {
  public:
    /** @brief Constructs the error with its full, user-facing message. */
    explicit InputError(const std::string &message)
        : std::runtime_error(message)
    {
    }
  };

  /**
   * @brief A failure during the computation (solver divergence, NaN): hyfe stops, keeps the last
   * good output, and exits with a non-zero status. Every rank throws it together (the decision
   * rests on collective results), so that all ranks stop in step, and so does an InputError; any
   * other exception during a run may come from one rank alone and aborts the MPI job (exit status
   * 2, message of that rank).
   */
  class RunError : public std::runtime_error
  {
  public:
    /** @brief Constructs the error with its full, user-facing message. */
    explicit RunError(const std::string &message)
        : std::runtime_error(message)
    {
    }
  };
} // namespace hyfe
