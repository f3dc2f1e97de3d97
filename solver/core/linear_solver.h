#pragma once

#include <petscksp.h>

#include <string>
#include <vector>


namespace dealii
{
  class ParameterHandler;
}

namespace hyfe
{
  /** @brief Settings of a Krylov solve; declared in a `linear solver` subsection. */
  struct KrylovSettings
  {
    std::string               method             = "auto"; ///< auto, cg, gmres, bicgstab
    unsigned int              max_iterations     = 1000;
    double                    relative_tolerance = 1e-10; ///< on ||b - A x|| / ||b||
    double                    absolute_tolerance = 1e-14;
    unsigned int              gmres_restart      = 100;
    std::vector<unsigned int> dump_steps; ///< steps whose system is written as PETSc binary
    /// stop (not converged, "stagnated") when the smallest residual decreased by less than 1 % over this
    /// many iterations; 0: no such test (set by the guard of learned preconditioners)
    unsigned int stagnation_window = 0;

    /** @brief Declares the entries in the current subsection of @p prm. */
    static void
    declare_parameters(dealii::ParameterHandler &prm, double default_relative_tolerance = 1e-10);

    /** @brief Reads the entries from the current subsection of @p prm. */
    void
    parse_parameters(const dealii::ParameterHandler &prm);

    /** @brief Whether the system of @p step is to be dumped (entry `dump matrices at steps`). */
    bool
    dump_at(unsigned int step) const;

    /** @brief The method to use: `auto` becomes cg for symmetric, gmres for other matrices. */
    std::string
    resolved_method(bool symmetric) const;
  };

  /**
   * @brief Writes A and b into @p file in PETSc's binary format (the matrix, then the vector), the
   * format that learned/training/petsc_binary.py reads; collective.
   */
  void
  dump_linear_system(const std::string &file, Mat A, Vec b);

  /** @brief Throws std::runtime_error on a non-zero PETSc error code, naming the call. */
  void
  petsc_check(int ierr, const char *call);

  /**
   * @brief The Euclidean norm of a distributed PETSc vector (ghosted or not), from its locally owned
   * entries and one MPI reduction on every rank. Unlike VecNorm, it never uses a norm that PETSc
   * cached on some ranks only, so that all ranks always take part in the same collective call.
   */
  double
  parallel_l2_norm(Vec v);

  /** @brief What a linear solve did. */
  struct SolveResult
  {
    unsigned int iterations        = 0;
    double       residual          = 0.; ///< final ||b - A x||, unpreconditioned
    double       relative_residual = 0.; ///< final ||b - A x|| / ||b||
    bool         converged         = false;
    std::string  reason;          ///< PETSc's KSPConvergedReason, in words
    double       solve_time = 0.; ///< wall seconds of the Krylov iteration
    double       setup_time = 0.; ///< wall seconds of the preconditioner set-up
  };

  /**
   * @brief Solves A x = b with a PETSc Krylov method and the given, set-up preconditioner. The
   * convergence test uses the unpreconditioned residual for every method, so that iteration counts
   * of different preconditioners compare honestly. @p x holds the initial guess on entry.
   */
  SolveResult
  krylov_solve(const KrylovSettings &settings, bool symmetric, Mat A, PC pc, Vec x, Vec b);
} // namespace hyfe
