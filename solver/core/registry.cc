#include "solver/core/registry.h"

#include <deal.II/base/parameter_handler.h>

#include "solver/core/exceptions.h"

namespace hyfe
{
  std::string
  to_string(const ModuleKind kind)
  {
    return kind == ModuleKind::classical ? "classical" : "learned";
  }

  std::vector<ModuleInfo> &
  module_catalogue()
  {
    static std::vector<ModuleInfo> catalogue;
    return catalogue;
  }

  void
  declare_module_selection(dealii::ParameterHandler &prm,
                           const std::string        &system,
                           const std::string        &names,
                           const std::string        &default_name,
                           const std::string        &help)
  {
    prm.declare_entry("type",
                      default_name,
                      dealii::Patterns::Selection(names),
                      help + " Unitless; one of the registered " + system +
                        " modules (hyfe --list-modules). Each module's options are in the "
                        "subsection of the same name.");
  }

  void
  check_module_available(const ModuleInfo &info)
  {
    if (!info.unavailable_reason.empty())
      throw InputError("the " + info.system + " module '" + info.name + "' (" + to_string(info.kind) +
                       ") is not available in this build: " + info.unavailable_reason);
  }
} // namespace hyfe
