#include "solver/core/linear_solver.h"

#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/utilities.h>
#include <deal.II/lac/petsc_compatibility.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace hyfe
{
  void
  KrylovSettings::declare_parameters(dealii::ParameterHandler &prm, const double default_relative_tolerance)
  {
    using namespace dealii;
    prm.declare_entry("krylov method",
                      "auto",
                      Patterns::Selection("auto|cg|gmres|bicgstab"),
                      "Krylov method. auto: cg for symmetric systems, gmres otherwise. Unitless.");
    prm.declare_entry("max iterations",
                      "1000",
                      Patterns::Integer(1),
                      "Maximum number of Krylov iterations per solve. Unitless, >= 1.");
    prm.declare_entry(
      "relative tolerance",
      [&] {
        // std::to_string(1e-10) is "0.000000": print in scientific notation
        std::ostringstream s;
        s << default_relative_tolerance;
        return s.str();
      }(),
      Patterns::Double(0., 1.),
      "Stop when ||b - A x|| <= tolerance * ||b|| (unpreconditioned residual). "
      "Unitless, in [0, 1].");
    prm.declare_entry("absolute tolerance",
                      "1e-14",
                      Patterns::Double(0.),
                      "Stop when ||b - A x|| <= this value. Units of the right-hand side, >= 0.");
    prm.declare_entry("dump matrices at steps",
                      "",
                      Patterns::List(Patterns::Integer(1), 0, 1000, ","),
                      "Time steps whose matrix and right-hand side are written to the output folder in "
                      "PETSc's binary format (<solve>_step<k>.petsc), e.g. as training data for learned "
                      "preconditioners; empty: none. Steps, >= 1.");
    prm.declare_entry("gmres restart",
                      "100",
                      Patterns::Integer(1),
                      "Restart length of GMRES. Unitless, >= 1.");
  }

  void
  KrylovSettings::parse_parameters(const dealii::ParameterHandler &prm)
  {
    method             = prm.get("krylov method");
    max_iterations     = prm.get_integer("max iterations");
    relative_tolerance = prm.get_double("relative tolerance");
    absolute_tolerance = prm.get_double("absolute tolerance");
    gmres_restart      = prm.get_integer("gmres restart");
    dump_steps.clear();
    for (const auto &s : dealii::Utilities::split_string_list(prm.get("dump matrices at steps"), ','))
      dump_steps.push_back(dealii::Utilities::string_to_int(s));
  }

  bool
  KrylovSettings::dump_at(const unsigned int step) const
  {
    return std::find(dump_steps.begin(), dump_steps.end(), step) != dump_steps.end();
  }

  void
  dump_linear_system(const std::string &file, Mat A, Vec b)
  {
    MPI_Comm comm;
    petsc_check(PetscObjectGetComm(reinterpret_cast<PetscObject>(A), &comm), "PetscObjectGetComm");
    PetscViewer viewer;
    petsc_check(PetscViewerBinaryOpen(comm, file.c_str(), FILE_MODE_WRITE, &viewer), "PetscViewerBinaryOpen");
    petsc_check(MatView(A, viewer), "MatView");
    petsc_check(VecView(b, viewer), "VecView");
    petsc_check(PetscViewerDestroy(&viewer), "PetscViewerDestroy");
  }

  std::string
  KrylovSettings::resolved_method(const bool symmetric) const
  {
    if (method == "auto")
      return symmetric ? "cg" : "gmres";
    return method;
  }

  void
  petsc_check(const int ierr, const char *call)
  {
    if (ierr != 0)
      throw std::runtime_error(std::string("PETSc error in ") + call + ", code " + std::to_string(ierr));
  }

  double
  parallel_l2_norm(Vec v)
  {
    MPI_Comm comm;
    petsc_check(PetscObjectGetComm(reinterpret_cast<PetscObject>(v), &comm), "PetscObjectGetComm");
    PetscInt n;
    petsc_check(VecGetLocalSize(v, &n), "VecGetLocalSize");
    const PetscScalar *values;
    petsc_check(VecGetArrayRead(v, &values), "VecGetArrayRead");
    double sum = 0;
    for (PetscInt i = 0; i < n; ++i)
      sum += values[i] * values[i];
    petsc_check(VecRestoreArrayRead(v, &values), "VecRestoreArrayRead");
    double total = 0;
    MPI_Allreduce(&sum, &total, 1, MPI_DOUBLE, MPI_SUM, comm);
    return std::sqrt(total);
  }

  namespace
  {
    /** PETSc's default convergence test plus a stagnation test over a window of iterations. */
    struct StagnationTest
    {
      void               *default_context = nullptr;
      unsigned int        window          = 0;
      std::vector<double> history;
      bool                stagnated = false;

      static PetscErrorCode
      test(KSP ksp, PetscInt iteration, PetscReal norm, KSPConvergedReason *reason, void *context)
      {
        auto                *self = static_cast<StagnationTest *>(context);
        const PetscErrorCode ierr = KSPConvergedDefault(ksp, iteration, norm, reason, self->default_context);
        if (ierr != 0 || *reason != KSP_CONVERGED_ITERATING)
          return ierr;
        // history[k]: the smallest residual norm of iterations 0..k (CG's residual norm is not
        // monotone); stagnation: the last `window` iterations did not improve it by 1 %
        const double best = self->history.empty() ? norm : std::min(self->history.back(), double(norm));
        self->history.push_back(best);
        const std::size_t n = self->history.size();
        if (n > self->window && !(best < 0.99 * self->history[n - 1 - self->window]))
          {
            self->stagnated = true;
            *reason         = KSP_DIVERGED_BREAKDOWN;
          }
        return 0;
      }
    };
  } // namespace

  SolveResult
  krylov_solve(const KrylovSettings &settings, const bool symmetric, Mat A, PC pc, Vec x, Vec b)
  {
    MPI_Comm comm;
    petsc_check(PetscObjectGetComm(reinterpret_cast<PetscObject>(A), &comm), "PetscObjectGetComm");
    KSP ksp;
    petsc_check(KSPCreate(comm, &ksp), "KSPCreate");
    const std::string method = settings.resolved_method(symmetric);
    if (method == "cg")
      petsc_check(KSPSetType(ksp, KSPCG), "KSPSetType");
    else if (method == "gmres")
      {
        petsc_check(KSPSetType(ksp, KSPGMRES), "KSPSetType");
        petsc_check(KSPGMRESSetRestart(ksp, settings.gmres_restart), "KSPGMRESSetRestart");
      }
    else
      petsc_check(KSPSetType(ksp, KSPBCGS), "KSPSetType");
    petsc_check(KSPSetOperators(ksp, A, A), "KSPSetOperators");
    petsc_check(KSPSetPC(ksp, pc), "KSPSetPC");
    // right preconditioning for the non-symmetric methods, so that the unpreconditioned residual
    // is what the method minimises and what the test checks
    if (method != "cg")
      petsc_check(KSPSetPCSide(ksp, PC_RIGHT), "KSPSetPCSide");
    petsc_check(KSPSetNormType(ksp, KSP_NORM_UNPRECONDITIONED), "KSPSetNormType");
    petsc_check(KSPSetTolerances(ksp,
                                 settings.relative_tolerance,
                                 settings.absolute_tolerance,
                                 1e10,
                                 settings.max_iterations),
                "KSPSetTolerances");
    petsc_check(KSPSetInitialGuessNonzero(ksp, PETSC_TRUE), "KSPSetInitialGuessNonzero");

    StagnationTest stagnation;
    if (settings.stagnation_window > 0)
      {
        stagnation.window = settings.stagnation_window;
        petsc_check(KSPConvergedDefaultCreate(&stagnation.default_context), "KSPConvergedDefaultCreate");
        petsc_check(KSPSetConvergenceTest(ksp, &StagnationTest::test, &stagnation, nullptr),
                    "KSPSetConvergenceTest");
      }

    SolveResult result;
    const auto  start = std::chrono::steady_clock::now();
    petsc_check(KSPSolve(ksp, b, x), "KSPSolve");
    result.solve_time = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    PetscInt iterations;
    petsc_check(KSPGetIterationNumber(ksp, &iterations), "KSPGetIterationNumber");
    PetscReal residual;
    petsc_check(KSPGetResidualNorm(ksp, &residual), "KSPGetResidualNorm");
    PetscReal b_norm;
    petsc_check(VecNorm(b, NORM_2, &b_norm), "VecNorm");
    KSPConvergedReason reason;
    petsc_check(KSPGetConvergedReason(ksp, &reason), "KSPGetConvergedReason");
    result.iterations        = iterations;
    result.residual          = residual;
    result.relative_residual = b_norm > 0 ? residual / b_norm : residual;
    result.converged         = reason > 0;
    result.reason            = KSPConvergedReasons[reason];
    if (stagnation.stagnated)
      result.reason = "STAGNATED (smallest residual reduced by less than 1 % over " +
                      std::to_string(stagnation.window) + " iterations)";
    petsc_check(KSPDestroy(&ksp), "KSPDestroy");
    if (stagnation.default_context != nullptr)
      petsc_check(KSPConvergedDefaultDestroy(stagnation.default_context), "KSPConvergedDefaultDestroy");
    return result;
  }
} // namespace hyfe
