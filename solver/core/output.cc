#include "solver/core/output.h"

#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/numerics/data_out.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "solver/core/exceptions.h"

namespace hyfe
{
  void
  OutputParameters::declare_parameters(dealii::ParameterHandler &prm)
  {
    using namespace dealii;
    prm.enter_subsection("output");
    prm.declare_entry("directory",
                      "output",
                      Patterns::Anything(),
                      "Output folder, relative to the working directory; created if missing.");
    prm.declare_entry("base name",
                      "solution",
                      Patterns::FileName(),
                      "Prefix of the .vtu, .pvtu and .pvd files. Unitless.");
    prm.declare_entry("interval",
                      "10",
                      Patterns::Integer(0),
                      "Write the fields every this many time steps (and at the start and the end); "
                      "0: only at the start and the end. Steps, >= 0.");
    prm.declare_entry("groups",
                      "1",
                      Patterns::Integer(1),
                      "Number of .vtu files that the ranks' pieces of one record are grouped into. "
                      "Unitless, >= 1 (at most the number of ranks is used).");
    prm.declare_entry("progress interval",
                      "10",
                      Patterns::Integer(1),
                      "Print a progress line every this many time steps. Steps, >= 1.");
    prm.declare_entry("write fields",
                      "true",
                      Patterns::Bool(),
                      "Write .vtu/.pvtu/.pvd field output (false: only the CSV tables). Unitless.");
    prm.leave_subsection();
  }

  void
  OutputParameters::parse_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("output");
    directory         = prm.get("directory");
    base_name         = prm.get("base name");
    interval          = prm.get_integer("interval");
    groups            = prm.get_integer("groups");
    progress_interval = prm.get_integer("progress interval");
    write_fields      = prm.get_bool("write fields");
    prm.leave_subsection();
  }

  void
  create_output_directory(const std::string &directory, MPI_Comm comm)
  {
    std::string error;
    if (dealii::Utilities::MPI::this_mpi_process(comm) == 0)
      {
        std::error_code ec;
        std::filesystem::create_directories(directory, ec);
        if (ec)
          error = "cannot create the output directory '" + directory + "': " + ec.message();
      }
    error = dealii::Utilities::MPI::broadcast(comm, error, 0);
    if (!error.empty())
      throw InputError(error);
  }

  VtuWriter::VtuWriter(const OutputParameters &parameters, MPI_Comm comm)
      : parameters(parameters)
      , comm(comm)
  {
  }

  template <int dim>
  void
  VtuWriter::write(const dealii::DataOut<dim, dim> &data_out, const double time)
  {
    const unsigned int n_ranks = dealii::Utilities::MPI::n_mpi_processes(comm);
    const std::string  pvtu    = data_out.write_vtu_with_pvtu_record(parameters.directory + "/",
                                                                 parameters.base_name,
                                                                 n_records(),
                                                                 comm,
                                                                 5,
                                                                 std::min(parameters.groups, n_ranks));
    records.emplace_back(time, pvtu);
    if (dealii::Utilities::MPI::this_mpi_process(comm) == 0)
      {
        std::ofstream pvd(parameters.directory + "/" + parameters.base_name + ".pvd");
        dealii::DataOutBase::write_pvd_record(pvd, records);
      }
  }

  template void
  VtuWriter::write<2>(const dealii::DataOut<2, 2> &, double);
  template void
  VtuWriter::write<3>(const dealii::DataOut<3, 3> &, double);

  CsvWriter::CsvWriter(const std::string &file, MPI_Comm comm)
      : is_root(dealii::Utilities::MPI::this_mpi_process(comm) == 0)
  {
    // rank 0 opens the file; every rank throws if it cannot (an input error is collective)
    std::string error;
    if (is_root)
      {
        out.open(file);
        if (!out)
          error = "cannot write '" + file + "'";
        out << std::setprecision(12);
      }
    error = dealii::Utilities::MPI::broadcast(comm, error, 0);
    if (!error.empty())
      throw InputError(error);
  }

  void
  CsvWriter::write_row(const std::vector<std::pair<std::string, double>> &row)
  {
    if (!is_root)
      return;
    if (columns.empty())
      {
        for (std::size_t i = 0; i < row.size(); ++i)
          {
            columns.push_back(row[i].first);
            out << (i ? "," : "") << row[i].first;
          }
        out << '\n';
      }
    for (std::size_t i = 0; i < row.size(); ++i)
      out << (i ? "," : "") << row[i].second;
    out << std::endl;
  }

  std::string
  format_duration(const double seconds)
  {
    if (!std::isfinite(seconds) || seconds < 0)
      return "--:--";
    const long s = std::lround(seconds);
    char       buffer[32];
    std::snprintf(buffer, sizeof(buffer), "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    return buffer;
  }

  Progress::Progress(const double start_time, const double end_time, MPI_Comm comm)
      : start_time(start_time)
      , end_time(end_time)
      , wall_start(std::chrono::steady_clock::now())
      , is_root(dealii::Utilities::MPI::this_mpi_process(comm) == 0)
  {
  }

  double
  Progress::elapsed() const
  {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  }

  void
  Progress::print(const unsigned int step, const double time, const std::string &extra) const
  {
    if (!is_root)
      return;
    const double       fraction = end_time > start_time ? (time - start_time) / (end_time - start_time) : 1.;
    const double       wall     = elapsed();
    const double       eta      = fraction > 0 ? wall * (1. - fraction) / fraction : -1.;
    std::ostringstream line;
    line << "step " << std::setw(6) << step << "  t = " << std::setprecision(6) << std::setw(10) << time
         << "  " << std::fixed << std::setprecision(1) << std::setw(5) << 100. * fraction << " %  elapsed "
         << format_duration(wall) << "  ETA " << format_duration(eta) << "  " << extra;
    std::cout << line.str() << std::endl;
  }
} // namespace hyfe
