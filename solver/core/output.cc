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
#include <unistd.h>

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
  OutputParameters::check() const
  {
    namespace fs = std::filesystem;
    if (base_name.empty())
      throw InputError(
        "entry 'output/base name' is empty; it is the prefix of the .pvd, .pvtu and .vtu files "
        "(for example 'solution')");
    if (base_name.find('/') != std::string::npos || base_name == "." || base_name == "..")
      throw InputError("entry 'output/base name' = '" + base_name +
                       "' is not a file name: it must not contain '/'; put folders into 'output/directory'");
    if (directory.empty())
      throw InputError("entry 'output/directory' is empty; give a folder, for example 'output' or '.'");
    // the longest name written: <base>_00000.<group>.vtu.part
    const std::string longest = base_name + "_00000.0000.vtu.part";
    if (longest.size() > 255)
      throw InputError("entry 'output/base name' is too long: the file names it makes would have " +
                       std::to_string(longest.size()) +
                       " characters, more than the 255 that a file name may have");
    std::error_code ec;
    const fs::path  folder = fs::absolute(directory, ec).lexically_normal();
    for (const auto &component : folder)
      if (component.string().size() > 255)
        throw InputError("entry 'output/directory' = '" + directory + "': the folder name '" +
                         component.string().substr(0, 40) + "...' has " +
                         std::to_string(component.string().size()) +
                         " characters, more than the 255 that a file name may have");
    if (folder.string().size() + 1 + longest.size() >= 4096)
      throw InputError("entry 'output/directory' = '" + directory.substr(0, 60) +
                       "...' is too long: the output paths would have " +
                       std::to_string(folder.string().size() + 1 + longest.size()) +
                       " characters, more than the 4095 that a path may have");
    // the folder and its parents: each that exists must be a folder, and the deepest existing one writable
    for (fs::path p = folder; !p.empty(); p = p.parent_path())
      {
        const auto status = fs::status(p, ec);
        if (fs::exists(status))
          {
            if (!fs::is_directory(status))
              throw InputError("entry 'output/directory' = '" + directory + "': '" + p.string() +
                               "' is a file, not a folder, so the output folder cannot be " +
                               (p == folder ? "used" : "created inside it"));
            if (::access(p.c_str(), W_OK | X_OK) != 0)
              throw InputError("entry 'output/directory' = '" + directory + "': the folder '" + p.string() +
                               "' is not writable");
            break;
          }
        if (p == p.parent_path())
          break;
      }
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

  namespace
  {
    /** Renames @p from to @p to; throws with both names if that fails. */
    void
    rename_file(const std::string &from, const std::string &to)
    {
      std::error_code ec;
      std::filesystem::rename(from, to, ec);
      if (ec)
        throw std::runtime_error("cannot rename '" + from + "' to '" + to + "': " + ec.message());
    }
  } // namespace

  template <int dim>
  void
  VtuWriter::write(const dealii::DataOut<dim, dim> &data_out, const double time)
  {
    // every file is written under a temporary name and renamed when complete, in the order pieces,
    // pvtu, pvd: a run killed at any moment leaves only complete files under the final names, and
    // the pvd lists only complete records (the names are those of write_vtu_with_pvtu_record)
    const unsigned int rank     = dealii::Utilities::MPI::this_mpi_process(comm);
    const unsigned int n_ranks  = dealii::Utilities::MPI::n_mpi_processes(comm);
    const unsigned int n_files  = std::max(1u, std::min(parameters.groups, n_ranks));
    const unsigned int n_digits = dealii::Utilities::needed_digits(n_files - 1);
    const std::string  stem =
      parameters.base_name + "_" + dealii::Utilities::int_to_string(n_records(), 5) + ".";
    const std::string  folder = parameters.directory + "/";
    const unsigned int color  = rank % n_files;
    const std::string  piece  = stem + dealii::Utilities::int_to_string(color, n_digits) + ".vtu";
    const std::string  part   = folder + piece + ".part";

    MPI_Comm group;
    MPI_Comm_split(comm, color, rank, &group);
    data_out.write_vtu_in_parallel(part, group);
    const bool group_root = dealii::Utilities::MPI::this_mpi_process(group) == 0;
    MPI_Comm_free(&group);
    if (group_root)
      rename_file(part, folder + piece);
    MPI_Barrier(comm);

    const std::string pvtu = stem + "pvtu";
    records.emplace_back(time, pvtu);
    if (rank == 0)
      {
        std::vector<std::string> pieces;
        for (unsigned int i = 0; i < n_files; ++i)
          pieces.push_back(stem + dealii::Utilities::int_to_string(i, n_digits) + ".vtu");
        {
          std::ofstream out(folder + pvtu + ".part");
          data_out.write_pvtu_record(out, pieces);
          if (!out)
            throw std::runtime_error("cannot write '" + folder + pvtu + ".part'");
        }
        rename_file(folder + pvtu + ".part", folder + pvtu);
        const std::string pvd = folder + parameters.base_name + ".pvd";
        {
          std::ofstream out(pvd + ".part");
          dealii::DataOutBase::write_pvd_record(out, records);
          if (!out)
            throw std::runtime_error("cannot write '" + pvd + ".part'");
        }
        rename_file(pvd + ".part", pvd);
      }
  }

  std::string
  VtuWriter::save_records() const
  {
    std::ostringstream s;
    s << std::setprecision(17);
    for (const auto &[time, file] : records)
      s << time << " " << file << ";";
    return s.str();
  }

  void
  VtuWriter::restore_records(const std::string &saved)
  {
    records.clear();
    for (const auto &item : dealii::Utilities::split_string_list(saved, ';'))
      {
        if (item.empty())
          continue;
        std::istringstream in(item);
        double             time;
        std::string        file;
        in >> time >> file;
        records.emplace_back(time, file);
      }
    if (dealii::Utilities::MPI::this_mpi_process(comm) == 0 && parameters.write_fields)
      {
        const std::string pvd = parameters.directory + "/" + parameters.base_name + ".pvd";
        {
          std::ofstream out(pvd + ".part");
          dealii::DataOutBase::write_pvd_record(out, records);
        }
        rename_file(pvd + ".part", pvd);
      }
  }

  template void
  VtuWriter::write<2>(const dealii::DataOut<2, 2> &, double);
  template void
  VtuWriter::write<3>(const dealii::DataOut<3, 3> &, double);

  CsvWriter::CsvWriter(const std::string &file, MPI_Comm comm, const long resume_at)
      : is_root(dealii::Utilities::MPI::this_mpi_process(comm) == 0)
  {
    // rank 0 opens the file; every rank throws if it cannot (an input error is collective)
    std::string error;
    if (is_root && resume_at < 0)
      {
        out.open(file);
        if (!out)
          error = "cannot write '" + file + "'";
      }
    else if (is_root)
      {
        // a resumed run: the rows up to the checkpoint stay, those after it go
        std::error_code ec;
        const auto      size = std::filesystem::file_size(file, ec);
        std::ifstream   in(file);
        std::string     header;
        std::getline(in, header);
        in.close();
        if (ec || static_cast<long>(size) < resume_at || header.empty())
          error = "cannot continue '" + file + "' from the checkpoint: it is missing or shorter (" +
                  std::to_string(ec ? 0 : size) + " bytes) than when the checkpoint was written (" +
                  std::to_string(resume_at) + " bytes)";
        else
          {
            std::filesystem::resize_file(file, resume_at, ec);
            out.open(file, std::ios::app);
            if (ec || !out)
              error = "cannot continue '" + file + "'";
            columns = dealii::Utilities::split_string_list(header, ',');
            written = resume_at;
          }
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
    std::ostringstream line;
    line << std::setprecision(12);
    if (columns.empty())
      {
        for (std::size_t i = 0; i < row.size(); ++i)
          {
            columns.push_back(row[i].first);
            line << (i ? "," : "") << row[i].first;
          }
        line << '\n';
      }
    // the whole line in one write, so that a killed run leaves whole lines only
    for (std::size_t i = 0; i < row.size(); ++i)
      line << (i ? "," : "") << row[i].second;
    line << '\n';
    const std::string text = line.str();
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.flush();
    written += static_cast<long>(text.size());
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
