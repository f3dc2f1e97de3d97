#pragma once

#include <deal.II/base/parameter_handler.h>

#include <sstream>

#include "solver/core/registry.h"

namespace hyfe
{
  template <typename Base>
  void
  declare_system_parameters(dealii::ParameterHandler &prm,
                            const std::string        &default_name,
                            const std::string        &help)
  {
    const auto &registry = Registry<Base>::instance();
    declare_module_selection(prm, Base::system_name, registry.names(), default_name, help);
    for (const auto &entry : registry.all())
      {
        dealii::ParameterHandler scratch;
        entry.declare_parameters(scratch);
        std::ostringstream declared;
        scratch.print_parameters(declared, dealii::ParameterHandler::ShortJSON);
        entry.has_parameters = declared.str().find(':') != std::string::npos;
        if (!entry.has_parameters)
          continue;
        prm.enter_subsection(entry.info.name);
        entry.declare_parameters(prm);
        prm.leave_subsection();
      }
  }

  template <typename Base>
  std::unique_ptr<Base>
  create_named_module(dealii::ParameterHandler &prm, const std::string &name)
  {
    const auto *entry = Registry<Base>::instance().find(name);
    if (entry == nullptr)
      throw std::runtime_error(std::string("unknown ") + Base::system_name + " '" + name +
                               "'; valid choices: " + Registry<Base>::instance().names(", "));
    check_module_available(entry->info);
    if (!entry->has_parameters)
      return entry->factory(prm);
    prm.enter_subsection(name);
    auto module = entry->factory(prm);
    prm.leave_subsection();
    return module;
  }

  template <typename Base>
  std::unique_ptr<Base>
  create_module(dealii::ParameterHandler &prm)
  {
    return create_named_module<Base>(prm, prm.get("type"));
  }
} // namespace hyfe
