#include "solver/core/checkpoint.h"

#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>

#include <algorithm>
#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <unistd.h>

#include "solver/core/exceptions.h"
#include "solver/core/sha256.h"

namespace hyfe
{
  namespace fs = std::filesystem;

  void
  CheckpointParameters::declare_parameters(dealii::ParameterHandler &prm)
  {
    using namespace dealii;
    prm.enter_subsection("checkpoint");
    prm.declare_entry("interval",
                      "0",
                      Patterns::Integer(0),
                      "Write a checkpoint every this many time steps; 0: not by steps. Steps, >= 0.");
    prm.declare_entry(
      "wall interval",
      "0",
      Patterns::Double(0.),
      "Write a checkpoint at the end of the first step after this many wall-clock minutes "
      "since the start of the run or the last checkpoint; 0: not by wall time. Minutes, >= 0.");
    prm.declare_entry("keep",
                      "2",
                      Patterns::Integer(1, 100),
                      "Number of checkpoint slots kept (the oldest is overwritten); with 1, a job killed "
                      "while it writes a checkpoint has none left. Unitless, in [1, 100].");
    prm.declare_entry("resume",
                      "auto",
                      Patterns::Selection("auto|yes|no"),
                      "auto: continue from the newest complete checkpoint in the checkpoint folder if there "
                      "is one, else start at the start time; yes: a complete checkpoint must exist; no: "
                      "start at the start time (and overwrite the slots). Unitless.");
    prm.declare_entry("directory",
                      "",
                      Patterns::Anything(),
                      "Folder of the checkpoint slots, relative to the working directory; empty: "
                      "'<output directory>/checkpoints'.");
    prm.leave_subsection();
  }

  void
  CheckpointParameters::parse_parameters(dealii::ParameterHandler &prm, const std::string &output_directory)
  {
    prm.enter_subsection("checkpoint");
    interval     = prm.get_integer("interval");
    wall_minutes = prm.get_double("wall interval");
    keep         = prm.get_integer("keep");
    resume       = prm.get("resume");
    directory    = prm.get("directory");
    prm.leave_subsection();
    if (directory.empty())
      directory = output_directory + "/checkpoints";
  }

  void
  CheckpointState::set(const std::string &key, const std::string &value)
  {
    if (key.find_first_of("\t\n") != std::string::npos || value.find_first_of("\t\n") != std::string::npos)
      throw std::logic_error("checkpoint key or value with a tab or newline: " + key);
    entries[key] = value;
  }

  void
  CheckpointState::set_number(const std::string &key, const double value)
  {
    std::ostringstream s;
    s << std::setprecision(17) << value;
    set(key, s.str());
  }

  bool
  CheckpointState::has(const std::string &key) const
  {
    return entries.count(key) > 0;
  }

  const std::string &
  CheckpointState::get(const std::string &key) const
  {
    const auto it = entries.find(key);
    if (it == entries.end())
      throw InputError("the checkpoint '" + file + "' has no '" + key + "': it was written by another hyfe " +
                       "or for another case");
    return it->second;
  }

  double
  CheckpointState::get_number(const std::string &key) const
  {
    return std::stod(get(key));
  }

  namespace
  {
    /** Writes @p text into @p file through @p file.part, flushed to disk before the rename. */
    void
    write_durably(const std::string &file, const std::string &text)
    {
      const std::string part = file + ".part";
      std::FILE        *f    = std::fopen(part.c_str(), "wb");
      if (f == nullptr)
        throw std::runtime_error("cannot write '" + part + "'");
      const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size() && std::fflush(f) == 0 &&
                      ::fsync(::fileno(f)) == 0;
      std::fclose(f);
      if (!ok)
        throw std::runtime_error("cannot write '" + part + "' (disk full?)");
      fs::rename(part, file);
      // the rename itself reaches the disk with the folder
      const int folder = ::open(fs::path(file).parent_path().c_str(), O_RDONLY);
      if (folder >= 0)
        {
          ::fsync(folder);
          ::close(folder);
        }
    }

    std::string
    slot_name(const unsigned int index)
    {
      return "slot_" + std::to_string(index);
    }

    /** Size and SHA-256 of every file of a slot except state.txt, as "name size sha" lines. */
    std::string
    slot_files(const std::string &folder)
    {
      std::vector<std::string> names;
      for (const auto &entry : fs::directory_iterator(folder))
        if (entry.is_regular_file() && entry.path().filename() != "state.txt" &&
            entry.path().extension() != ".part")
          names.push_back(entry.path().filename().string());
      std::sort(names.begin(), names.end());
      std::string out;
      for (const auto &n : names)
        {
          const std::string path = folder + "/" + n;
          out += n + " " + std::to_string(fs::file_size(path)) + " " + sha256_of_file(path) + ";";
        }
      return out;
    }
  } // namespace

  void
  CheckpointState::write(const std::string &path) const
  {
    std::string text = "# hyfe checkpoint state: key<TAB>value, then the SHA-256 of the lines above\n";
    for (const auto &[key, value] : entries)
      text += key + "\t" + value + "\n";
    text += "sha256\t" + sha256(text) + "\n";
    write_durably(path, text);
  }

  CheckpointState
  CheckpointState::read(const std::string &path)
  {
    std::ifstream in(path, std::ios::binary);
    if (!in)
      throw InputError("the checkpoint state '" + path + "' is missing");
    return parse(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()), path);
  }

  CheckpointState
  CheckpointState::parse(const std::string &text, const std::string &path)
  {
    const auto mark = text.rfind("sha256\t");
    if (mark == std::string::npos || text.empty() || text.back() != '\n' ||
        text.substr(mark + 7, text.size() - mark - 8) != sha256(text.substr(0, mark)))
      throw InputError("the checkpoint state '" + path +
                       "' is truncated or corrupt (its SHA-256 does not match its content)");
    CheckpointState    state;
    std::istringstream lines(text.substr(0, mark));
    for (std::string line; std::getline(lines, line);)
      {
        if (line.empty() || line[0] == '#')
          continue;
        const auto tab = line.find('\t');
        if (tab == std::string::npos)
          throw InputError("the checkpoint state '" + path + "' is corrupt (line '" + line.substr(0, 40) +
                           "')");
        state.entries[line.substr(0, tab)] = line.substr(tab + 1);
      }
    state.file = path;
    return state;
  }

  CheckpointStore::CheckpointStore(const CheckpointParameters &parameters, MPI_Comm comm)
      : parameters(parameters)
      , comm(comm)
  {
  }

  std::string
  CheckpointStore::begin(const unsigned int number)
  {
    const std::string folder = parameters.directory + "/" + slot_name(number % parameters.keep);
    std::string       error;
    if (dealii::Utilities::MPI::this_mpi_process(comm) == 0)
      {
        std::error_code ec;
        fs::remove_all(folder, ec);
        fs::create_directories(folder, ec);
        if (ec)
          error = "cannot create the checkpoint folder '" + folder + "': " + ec.message();
      }
    error = dealii::Utilities::MPI::broadcast(comm, error, 0);
    if (!error.empty())
      throw RunError(error);
    return folder;
  }

  void
  CheckpointStore::commit(const std::string &folder, const unsigned int number, const CheckpointState &state)
  {
    // every rank's part of the mesh and vectors is on disk when every rank got here
    MPI_Barrier(comm);
    std::string error;
    if (dealii::Utilities::MPI::this_mpi_process(comm) == 0)
      {
        try
          {
            CheckpointState complete = state;
            complete.set("checkpoint/number", std::to_string(number));
            complete.set("checkpoint/files", slot_files(folder));
            complete.write(folder + "/state.txt");
            write_durably(parameters.directory + "/last-good",
                          fs::path(folder).filename().string() + " " + std::to_string(number) + "\n");
          }
        catch (const std::exception &e)
          {
            error = std::string("cannot write the checkpoint: ") + e.what();
          }
      }
    error = dealii::Utilities::MPI::broadcast(comm, error, 0);
    if (!error.empty())
      throw RunError(error);
  }

  std::optional<CheckpointSlot>
  CheckpointStore::find_last_good(std::vector<std::string> &problems) const
  {
    std::string found;      // the slot's folder, on rank 0
    std::string found_text; // its state.txt, read once by rank 0 and sent to every rank
    if (dealii::Utilities::MPI::this_mpi_process(comm) == 0)
      try
        {
          if (fs::is_directory(parameters.directory))
            {
              std::string   marked;
              std::ifstream marker(parameters.directory + "/last-good");
              if (marker)
                marker >> marked;
              else
                problems.push_back("there is no marker '" + parameters.directory + "/last-good'");
              // every slot, newest first; the marked one wins when it is complete
              std::vector<std::pair<unsigned int, std::string>> complete;
              for (const auto &entry : fs::directory_iterator(parameters.directory))
                {
                  if (!entry.is_directory() || entry.path().filename().string().rfind("slot_", 0) != 0)
                    continue;
                  const std::string folder = entry.path().string();
                  try
                    {
                      const CheckpointState state = CheckpointState::read(folder + "/state.txt");
                      if (state.get("checkpoint/files") != slot_files(folder))
                        throw InputError(
                          "the files of checkpoint slot '" + folder +
                          "' differ from those recorded in its state.txt (a truncated or changed file)");
                      complete.emplace_back(
                        static_cast<unsigned int>(std::stoul(state.get("checkpoint/number"))), folder);
                    }
                  catch (const std::exception &e)
                    {
                      problems.push_back(e.what());
                    }
                }
              std::sort(complete.rbegin(), complete.rend());
              for (const auto &[number, folder] : complete)
                if (fs::path(folder).filename() == marked)
                  found = folder;
              if (found.empty() && !complete.empty())
                {
                  found = complete.front().second;
                  if (!marked.empty())
                    problems.push_back("the slot that 'last-good' names, '" + marked +
                                       "', is not complete; falling back to '" +
                                       fs::path(found).filename().string() + "'");
                }
              if (!found.empty())
                {
                  std::ifstream in(found + "/state.txt", std::ios::binary);
                  found_text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
                }
            }
        }
      catch (const std::exception &e)
        {
          // (a folder that cannot be listed: rank 0 must still reach the broadcasts below)
          problems.push_back("cannot read the checkpoint folder '" + parameters.directory + "': " + e.what());
          found.clear();
        }
    std::string problem_text;
    for (const auto &p : problems)
      problem_text += p + "\n";
    problem_text = dealii::Utilities::MPI::broadcast(comm, problem_text, 0);
    problems.clear();
    std::istringstream problem_lines(problem_text);
    for (std::string line; std::getline(problem_lines, line);)
      problems.push_back(line);
    found = dealii::Utilities::MPI::broadcast(comm, found, 0);
    if (found.empty())
      return std::nullopt;
    // rank 0 checked this text; every rank parses the same bytes (no rank reads a file the others do not)
    found_text             = dealii::Utilities::MPI::broadcast(comm, found_text, 0);
    CheckpointState state  = CheckpointState::parse(found_text, found + "/state.txt");
    const auto      number = static_cast<unsigned int>(std::stoul(state.get("checkpoint/number")));
    return CheckpointSlot{found, number, std::move(state)};
  }

  void
  CheckpointStore::clear() const
  {
    std::string removed;
    if (dealii::Utilities::MPI::this_mpi_process(comm) == 0 && fs::is_directory(parameters.directory))
      {
        std::error_code ec;
        for (const auto &entry : fs::directory_iterator(parameters.directory, ec))
          if ((entry.is_directory() && entry.path().filename().string().rfind("slot_", 0) == 0) ||
              entry.path().filename() == "last-good")
            {
              fs::remove_all(entry.path(), ec);
              removed = parameters.directory;
            }
      }
    removed = dealii::Utilities::MPI::broadcast(comm, removed, 0);
    if (!removed.empty() && dealii::Utilities::MPI::this_mpi_process(comm) == 0)
      std::cout << "hyfe: checkpoint: this run starts afresh; the older checkpoints in '" << removed
                << "' were removed" << std::endl;
  }

  std::map<std::string, std::string> &
  library_versions()
  {
    static std::map<std::string, std::string> versions;
    return versions;
  }
} // namespace hyfe
