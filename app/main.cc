/**
 * @file
 * @brief The hyfe executable: `mpirun -np N hyfe case.prm` and the inspection options.
 */
#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/revision.h>

#include <petscversion.h>

#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include "learned/learned.h"
#include "solver/core/parameters.h"
#include "solver/core/registry.h"
#include "solver/physics/simulation.h"

namespace
{
  const char *usage = R"(usage: mpirun -np N hyfe [option] case.prm

Runs the case described by the parameter file case.prm (.prm or .json).

options:
  --help                        this text
  --version                     versions of hyfe, deal.II, PETSc and LibTorch, and a LibTorch self-check
  --validate case.prm           parse and check everything (entries, values, modules, mesh file and
                                boundary ids) without computing; exit status 0 when valid
  --print-parameters [prm|json] every entry with its documentation, unit, valid values and default
  --list-modules                every registered module: system, kind (classical/learned), description

Exit status: 0 success, 1 bad input (reported before any computation), 2 run failure,
128 + signal (143, 130) when SIGTERM or SIGINT stopped the run after a complete step.
)";

  void
  list_modules(std::ostream &out)
  {
    out << std::left << std::setw(16) << "system" << std::setw(24) << "name" << std::setw(11) << "kind"
        << "description\n";
    for (const auto &m : hyfe::module_catalogue())
      out << std::setw(16) << m.system << std::setw(24) << m.name << std::setw(11) << hyfe::to_string(m.kind)
          << m.description
          << (m.unavailable_reason.empty() ? "" : " [unavailable: " + m.unavailable_reason + "]") << "\n";
  }
} // namespace

int
main(int argc, char **argv)
{
  dealii::Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  const MPI_Comm                           comm = MPI_COMM_WORLD;
  const bool                               root = dealii::Utilities::MPI::this_mpi_process(comm) == 0;
  hyfe::register_classical_modules();
  hyfe::learned::register_learned_modules();

  const std::vector<std::string> args(argv + 1, argv + argc);
  auto                           fail = [&](const std::string &message) {
    if (root)
      std::cerr << "hyfe: " << message << "\n(run 'hyfe --help' for the usage)" << std::endl;
    return 1;
  };
  if (args.empty())
    return fail("no parameter file given");

  const std::string &option = args[0];
  if (option == "--help" || option == "-h")
    {
      if (root)
        std::cout << usage;
      return 0;
    }
  if (option == "--version")
    {
      if (root)
        std::cout << "hyfe " << HYFE_VERSION << "\n"
                  << "deal.II " << DEAL_II_PACKAGE_VERSION << "\n"
                  << "PETSc " << PETSC_VERSION_MAJOR << "." << PETSC_VERSION_MINOR << "."
                  << PETSC_VERSION_SUBMINOR << "\n"
                  << "LibTorch " << hyfe::learned::torch_version() << "\n"
                  << "LibTorch self-check: " << hyfe::learned::torch_selfcheck() << std::endl;
      return 0;
    }
  if (option == "--list-modules")
    {
      if (root)
        list_modules(std::cout);
      return 0;
    }
  if (option == "--print-parameters")
    {
      const std::string format = args.size() > 1 ? args[1] : "prm";
      if (format != "prm" && format != "json")
        return fail("--print-parameters takes 'prm' or 'json', not '" + format + "'");
      dealii::ParameterHandler prm;
      hyfe::declare_all_parameters(prm);
      if (root)
        hyfe::print_parameter_reference(prm, std::cout, format);
      return 0;
    }
  if (option == "--validate")
    {
      if (args.size() != 2)
        return fail("--validate takes exactly one parameter file");
      return hyfe::run_case(args[1], comm, hyfe::RunMode::validate);
    }
  if (option.rfind("-", 0) == 0)
    return fail("unknown option '" + option +
                "'; valid options: --help, --version, --validate, --print-parameters, --list-modules");
  if (args.size() != 1)
    return fail("expected one parameter file, got " + std::to_string(args.size()) + " arguments");
  return hyfe::run_case(option, comm, hyfe::RunMode::run);
}
