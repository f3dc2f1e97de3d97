/**
 * @file hyfe-solve: solves a linear system that hyfe dumped (`dump matrices at steps`, PETSc binary:
 * matrix then right-hand side) with one or more preconditioner modules, through the same module
 * system and Krylov solve as the physics, and prints one CSV line per module:
 *   preconditioner,ranks,rows,nonzeros,iterations,converged,setup_time,solve_time,total_time,difference
 * Times are medians over --repeat runs (set-up includes a learned module's inference); difference is
 * ||x - x_ref|| / ||x_ref|| against the first module's solution. Used by the preconditioner benchmark
 * and by the tests of learned-ic.
 */
#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/petsc_sparse_matrix.h>
#include <deal.II/lac/petsc_vector.h>

#include <petscmat.h>
#include <petscviewer.h>

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "learned/learned.h"
#include "solver/core/exceptions.h"
#include "solver/core/linear_solver.h"
#include "solver/core/registry.h"
#include "solver/modules/preconditioner.h"

using namespace dealii;

namespace
{
  const char *usage =
    "usage: mpirun -np N hyfe-solve system.petsc [--repeat R] [--tolerance T] [--method cg|gmres]\n"
    "                               [--set name/entry=value ...] PRECONDITIONER [PRECONDITIONER ...]\n"
    "Solves the dumped system from x = 0 with each preconditioner module (hyfe --list-modules) and\n"
    "prints "
    "preconditioner,ranks,rows,nonzeros,iterations,converged,setup_time,solve_time,total_time,difference,"
    "fallbacks\n"
    "(median times over R repetitions; difference: relative to the first preconditioner's solution).\n"
    "--set learned-ic/threads=2 sets an entry of a module's subsection.\n";

  double
  median(std::vector<double> v)
  {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0. : v[v.size() / 2];
  }

  /** Reads the dumped matrix and vector into deal.II's PETSc wrappers, rows split as PETSc does. */
  void
  load_system(const std::string                &file,
              const MPI_Comm                    comm,
              PETScWrappers::MPI::SparseMatrix &matrix,
              PETScWrappers::MPI::Vector       &rhs,
              IndexSet                         &owned,
              PetscInt                         &nonzeros)
  {
    PetscViewer viewer;
    hyfe::petsc_check(PetscViewerBinaryOpen(comm, file.c_str(), FILE_MODE_READ, &viewer),
                      "PetscViewerBinaryOpen");
    Mat A;
    Vec b;
    hyfe::petsc_check(MatCreate(comm, &A), "MatCreate");
    hyfe::petsc_check(MatSetType(A, MATAIJ), "MatSetType");
    hyfe::petsc_check(MatLoad(A, viewer), "MatLoad");
    hyfe::petsc_check(VecCreate(comm, &b), "VecCreate");
    hyfe::petsc_check(VecLoad(b, viewer), "VecLoad");
    hyfe::petsc_check(PetscViewerDestroy(&viewer), "PetscViewerDestroy");

    PetscInt n, first, last;
    hyfe::petsc_check(MatGetSize(A, &n, nullptr), "MatGetSize");
    hyfe::petsc_check(MatGetOwnershipRange(A, &first, &last), "MatGetOwnershipRange");
    owned = IndexSet(n);
    owned.add_range(first, last);
    DynamicSparsityPattern pattern(n, n, owned);
    for (PetscInt i = first; i < last; ++i)
      {
        PetscInt        count;
        const PetscInt *columns;
        hyfe::petsc_check(MatGetRow(A, i, &count, &columns, nullptr), "MatGetRow");
        for (PetscInt k = 0; k < count; ++k)
          pattern.add(i, columns[k]);
        hyfe::petsc_check(MatRestoreRow(A, i, &count, &columns, nullptr), "MatRestoreRow");
      }
    matrix.reinit(owned, owned, pattern, comm);
    for (PetscInt i = first; i < last; ++i)
      {
        PetscInt           count;
        const PetscInt    *columns;
        const PetscScalar *values;
        hyfe::petsc_check(MatGetRow(A, i, &count, &columns, &values), "MatGetRow");
        for (PetscInt k = 0; k < count; ++k)
          matrix.set(i, columns[k], values[k]);
        hyfe::petsc_check(MatRestoreRow(A, i, &count, &columns, &values), "MatRestoreRow");
      }
    matrix.compress(VectorOperation::insert);
    MatInfo info;
    hyfe::petsc_check(MatGetInfo(A, MAT_GLOBAL_SUM, &info), "MatGetInfo");
    nonzeros = static_cast<PetscInt>(info.nz_used);

    rhs.reinit(owned, comm);
    const PetscScalar *values;
    hyfe::petsc_check(VecGetArrayRead(b, &values), "VecGetArrayRead");
    for (PetscInt i = first; i < last; ++i)
      rhs(i) = values[i - first];
    hyfe::petsc_check(VecRestoreArrayRead(b, &values), "VecRestoreArrayRead");
    rhs.compress(VectorOperation::insert);
    MatDestroy(&A);
    VecDestroy(&b);
  }
} // namespace

int
main(int argc, char **argv)
{
  Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  const MPI_Comm                   comm = MPI_COMM_WORLD;
  const bool                       root = Utilities::MPI::this_mpi_process(comm) == 0;
  try
    {
      std::vector<std::string> args(argv + 1, argv + argc), names, settings;
      std::string              file, method = "cg";
      unsigned int             repeat    = 3;
      double                   tolerance = 1e-8;
      for (std::size_t i = 0; i < args.size(); ++i)
        {
          const auto value = [&]() -> std::string {
            if (i + 1 >= args.size())
              throw hyfe::InputError("option " + args[i] + " needs a value\n" + usage);
            return args[++i];
          };
          if (args[i] == "--help")
            {
              if (root)
                std::cout << usage;
              return 0;
            }
          else if (args[i] == "--repeat")
            repeat = std::max(1, std::stoi(value()));
          else if (args[i] == "--tolerance")
            tolerance = std::stod(value());
          else if (args[i] == "--method")
            method = value();
          else if (args[i] == "--set")
            settings.push_back(value());
          else if (file.empty())
            file = args[i];
          else
            names.push_back(args[i]);
        }
      if (file.empty() || names.empty())
        throw hyfe::InputError(std::string("a system file and at least one preconditioner are needed\n") +
                               usage);

      hyfe::register_classical_modules();
      hyfe::learned::register_learned_modules();
      ParameterHandler prm;
      prm.enter_subsection("preconditioner");
      hyfe::Preconditioner::declare_system(prm, "boomeramg", "Preconditioner.");
      for (const auto &s : settings)
        {
          const auto slash = s.find('/'), equal = s.find('=');
          if (slash == std::string::npos || equal == std::string::npos || equal < slash)
            throw hyfe::InputError("--set " + s + ": expected module/entry=value");
          prm.enter_subsection(s.substr(0, slash));
          prm.set(s.substr(slash + 1, equal - slash - 1), s.substr(equal + 1));
          prm.leave_subsection();
        }

      PETScWrappers::MPI::SparseMatrix matrix;
      PETScWrappers::MPI::Vector       rhs;
      IndexSet                         owned;
      PetscInt                         nonzeros = 0;
      load_system(file, comm, matrix, rhs, owned, nonzeros);

      hyfe::KrylovSettings krylov;
      krylov.method             = method;
      krylov.relative_tolerance = tolerance;
      krylov.absolute_tolerance = 0.;
      krylov.max_iterations     = 20000;

      std::unique_ptr<PETScWrappers::MPI::Vector> reference;
      if (root)
        std::cout
          << "preconditioner,ranks,rows,nonzeros,iterations,converged,setup_time,solve_time,total_time,"
             "difference,fallbacks"
          << std::endl;
      for (const auto &name : names)
        {
          prm.set("type", name);
          auto                       module = hyfe::Preconditioner::create(prm);
          std::vector<double>        setup, solve, total;
          hyfe::SolveResult          result;
          PETScWrappers::MPI::Vector x(owned, comm);
          for (unsigned int r = 0; r < repeat; ++r)
            {
              x = 0.;
              module->initialize(matrix, method == "cg");
              result = module->solve(krylov, matrix, x, rhs);
              setup.push_back(result.setup_time);
              solve.push_back(result.solve_time);
              total.push_back(result.setup_time + result.solve_time);
            }
          double difference = 0.;
          if (!reference)
            reference = std::make_unique<PETScWrappers::MPI::Vector>(x);
          else
            {
              PETScWrappers::MPI::Vector d(x);
              d -= *reference;
              difference = hyfe::parallel_l2_norm(static_cast<const Vec &>(d)) /
                           hyfe::parallel_l2_norm(static_cast<const Vec &>(*reference));
            }
          double n_fallbacks = 0;
          for (const auto &[what, value] : module->summary())
            if (what == "fallbacks")
              n_fallbacks = value;
          if (root)
            {
              std::cout << name << "," << Utilities::MPI::n_mpi_processes(comm) << "," << matrix.m() << ","
                        << nonzeros << "," << result.iterations << "," << (result.converged ? 1 : 0) << ","
                        << std::setprecision(5) << median(setup) << "," << median(solve) << ","
                        << median(total) << "," << std::setprecision(3) << difference << "," << n_fallbacks
                        << std::endl;
            }
        }
      return 0;
    }
  catch (const std::exception &e)
    {
      if (root)
        std::cerr << "hyfe-solve: error: " << e.what() << std::endl;
      return 1;
    }
}
