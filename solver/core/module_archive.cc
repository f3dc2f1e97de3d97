#include "solver/core/module_archive.h"

#include <deal.II/distributed/solution_transfer.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/lac/petsc_vector.h>

#include <sstream>

#include "solver/core/exceptions.h"

namespace hyfe
{
  namespace
  {
    /** @p data as hexadecimal digits (a module's value may hold any byte; the state file holds lines). */
    std::string
    to_hex(const std::string &data)
    {
      static const char *digits = "0123456789abcdef";
      std::string        out;
      for (const unsigned char c : data)
        {
          out += digits[c >> 4];
          out += digits[c & 15];
        }
      return out;
    }

    /** The bytes of to_hex(); @p key names the entry in errors. */
    std::string
    from_hex(const std::string &hex, const std::string &key, const std::string &file)
    {
      if (hex.size() % 2 != 0 || hex.find_first_not_of("0123456789abcdef") != std::string::npos)
        throw InputError("checkpoint state '" + file + "': the value of '" + key + "' is not hexadecimal");
      std::string out;
      for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
      return out;
    }

    std::string
    join(const std::vector<std::string> &items)
    {
      std::string s;
      for (const auto &i : items)
        s += (s.empty() ? "" : ",") + i;
      return s;
    }
  } // namespace

  ModuleArchive::ModuleArchive(CheckpointState &state, const std::string &prefix)
      : writable(&state)
      , state(state)
      , prefix("module/" + prefix + "/")
  {
  }

  ModuleArchive::ModuleArchive(const CheckpointState &state, const std::string &prefix)
      : writable(nullptr)
      , state(state)
      , prefix("module/" + prefix + "/")
  {
    if (state.has(this->prefix + "vectors"))
      {
        std::istringstream list(
          from_hex(state.get(this->prefix + "vectors"), this->prefix + "vectors", state.file));
        for (std::string key; std::getline(list, key, ',');)
          saved_vectors.push_back(key);
      }
  }

  ModuleArchive::~ModuleArchive() = default;

  void
  ModuleArchive::set(const std::string &key, const std::string &value)
  {
    if (!writable)
      throw std::logic_error("ModuleArchive::set() on an archive opened for reading");
    if (key.empty() || key.find_first_of(",\n\t ") != std::string::npos)
      throw std::logic_error("ModuleArchive: key '" + key + "' is empty or holds a comma or white space");
    writable->set(prefix + key, to_hex(value));
  }

  void
  ModuleArchive::set_number(const std::string &key, const double value)
  {
    std::ostringstream s;
    s.precision(17);
    s << value;
    set(key, s.str());
  }

  std::string
  ModuleArchive::get(const std::string &key) const
  {
    return from_hex(state.get(prefix + key), prefix + key, state.file);
  }

  double
  ModuleArchive::get_number(const std::string &key) const
  {
    const std::string text = get(key);
    try
      {
        std::size_t  end = 0;
        const double v   = std::stod(text, &end);
        if (end == text.size())
          return v;
      }
    catch (const std::exception &)
      {
      }
    throw InputError("checkpoint state '" + state.file + "': the value of '" + prefix + key + "' ('" + text +
                     "') is not a number");
  }

  bool
  ModuleArchive::has(const std::string &key) const
  {
    return state.has(prefix + key);
  }

  template <int dim>
  void
  ModuleArchive::save_vector(const std::string                        &key,
                             const dealii::DoFHandler<dim, dim>       &dof_handler,
                             const dealii::PETScWrappers::MPI::Vector &vector)
  {
    if (!writable)
      throw std::logic_error("ModuleArchive::save_vector() on an archive opened for reading");
    using Transfer = dealii::parallel::distributed::SolutionTransfer<dim, dealii::PETScWrappers::MPI::Vector>;
    auto transfer  = std::make_shared<Transfer>(dof_handler);
    transfer->prepare_for_serialization(vector);
    transfers.push_back(transfer);
    saved_vectors.push_back(key);
    set("vectors", join(saved_vectors));
  }

  template <int dim>
  void
  ModuleArchive::load_vector(const std::string                  &key,
                             const dealii::DoFHandler<dim, dim> &dof_handler,
                             dealii::PETScWrappers::MPI::Vector &vector)
  {
    if (next_vector >= saved_vectors.size() || saved_vectors[next_vector] != key)
      throw InputError("checkpoint state '" + state.file + "': '" + prefix + "' asks for the vector '" + key +
                       "' as number " + std::to_string(next_vector + 1) + ", the checkpoint holds [" +
                       join(saved_vectors) + "]");
    ++next_vector;
    dealii::PETScWrappers::MPI::Vector owned(dof_handler.locally_owned_dofs(),
                                             dof_handler.get_triangulation().get_communicator());
    dealii::parallel::distributed::SolutionTransfer<dim, dealii::PETScWrappers::MPI::Vector> transfer(
      dof_handler);
    transfer.deserialize(owned);
    vector = owned;
  }

  template void
  ModuleArchive::save_vector<2>(const std::string &,
                                const dealii::DoFHandler<2, 2> &,
                                const dealii::PETScWrappers::MPI::Vector &);
  template void
  ModuleArchive::save_vector<3>(const std::string &,
                                const dealii::DoFHandler<3, 3> &,
                                const dealii::PETScWrappers::MPI::Vector &);
  template void
  ModuleArchive::load_vector<2>(const std::string &,
                                const dealii::DoFHandler<2, 2> &,
                                dealii::PETScWrappers::MPI::Vector &);
  template void
  ModuleArchive::load_vector<3>(const std::string &,
                                const dealii::DoFHandler<3, 3> &,
                                dealii::PETScWrappers::MPI::Vector &);
} // namespace hyfe
