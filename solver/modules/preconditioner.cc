#include "solver/modules/preconditioner.h"

#include <deal.II/lac/petsc_sparse_matrix.h>
#include <deal.II/lac/petsc_vector.h>

#include <chrono>
#include <stdexcept>

namespace hyfe
{

  Preconditioner::~Preconditioner()
  {
    if (pc != nullptr)
      PCDestroy(&pc);
  }

  void
  Preconditioner::set_option(const std::string &prefix, const std::string &name, const std::string &value)
  {
    petsc_check(PetscOptionsSetValue(nullptr, ("-" + prefix + name).c_str(), value.c_str()),
                "PetscOptionsSetValue");
  }

  void
  Preconditioner::initialize(const dealii::PETScWrappers::MPI::SparseMatrix &matrix, const bool is_symmetric)
  {
    static unsigned int counter = 0;
    if (options_prefix.empty())
      options_prefix = "hyfe" + std::to_string(counter++) + "_";

    const auto start = std::chrono::steady_clock::now();
    if (pc != nullptr)
      petsc_check(PCDestroy(&pc), "PCDestroy");
    symmetric = is_symmetric;
    Mat A     = static_cast<Mat>(matrix);
    petsc_check(PCCreate(matrix.get_mpi_communicator(), &pc), "PCCreate");
    petsc_check(PCSetOperators(pc, A, A), "PCSetOperators");
    petsc_check(PCSetOptionsPrefix(pc, options_prefix.c_str()), "PCSetOptionsPrefix");
    configure(pc, options_prefix);
    petsc_check(PCSetUp(pc), "PCSetUp");
    last_setup_time = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  SolveResult
  Preconditioner::solve(const KrylovSettings                           &settings,
                        const dealii::PETScWrappers::MPI::SparseMatrix &matrix,
                        dealii::PETScWrappers::MPI::Vector             &x,
                        const dealii::PETScWrappers::MPI::Vector       &rhs)
  {
    if (pc == nullptr)
      throw std::logic_error("Preconditioner::solve() called before initialize()");
    SolveResult result = krylov_solve(settings,
                                      symmetric,
                                      static_cast<Mat>(matrix),
                                      pc,
                                      static_cast<const Vec &>(x),
                                      static_cast<const Vec &>(rhs));
    result.setup_time  = last_setup_time;
    return result;
  }

  std::vector<std::pair<std::string, double>>
  Preconditioner::statistics() const
  {
    return {{"preconditioner_setup_time", last_setup_time}};
  }
} // namespace hyfe
