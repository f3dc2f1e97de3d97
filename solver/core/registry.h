#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "solver/core/module.h"

namespace dealii
{
  class ParameterHandler;
}

namespace hyfe
{
  /** @brief Name, system, kind and description of one registered module. */
  struct ModuleInfo
  {
    std::string system;      ///< "preconditioner", "mesh mover" or "closure model"
    std::string name;        ///< the value of the system's `type` entry
    ModuleKind  kind;        ///< classical or learned
    std::string description; ///< one line for --list-modules
    /// empty if the module can be created in this build; otherwise why not (e.g. no LibTorch)
    std::string unavailable_reason;
  };

  /** @brief Every module of every system, in registration order (for --list-modules). */
  std::vector<ModuleInfo> &
  module_catalogue();

  /**
   * @brief Registry of one module system, after ASPECT's plugins.h.
   *
   * Each module registers its name, kind, description, a function that declares its parameters
   * (inside `subsection <name>` of the system's subsection) and a factory that builds it from
   * those parameters. The system's `type` entry takes its valid values from here.
   */
  template <typename Base>
  class Registry
  {
  public:
    /** @brief Declares a module's own parameters; the handler is inside its subsection. */
    using Declare = std::function<void(dealii::ParameterHandler &)>;
    /** @brief Builds a module; the handler is inside its subsection. */
    using Factory = std::function<std::unique_ptr<Base>(dealii::ParameterHandler &)>;

    /** @brief One registered module. */
    struct Entry
    {
      ModuleInfo info;
      Declare    declare_parameters;
      Factory    factory;
      /// whether the module declares any parameter (set by declare_system_parameters(); a module
      /// without one gets no subsection, so that the JSON parameter reference reads back)
      mutable bool has_parameters = true;
    };

    /** @brief The single registry of this system. */
    static Registry &
    instance()
    {
      static Registry registry;
      return registry;
    }

    /** @brief Adds a module; a name registered twice is a programming error. */
    void
    add(Entry entry)
    {
      for (const auto &e : entries)
        if (e.info.name == entry.info.name)
          throw std::logic_error("module '" + entry.info.name + "' registered twice in system '" +
                                 entry.info.system + "'");
      entries.push_back(std::move(entry));
    }

    /** @brief Registered module names, separated by '|', for a Patterns::Selection. */
    std::string
    names(const std::string &separator = "|") const
    {
      std::string s;
      for (const auto &e : entries)
        s += (s.empty() ? "" : separator) + e.info.name;
      return s;
    }

    /** @brief The entry of a name, or nullptr. */
    const Entry *
    find(const std::string &name) const
    {
      for (const auto &e : entries)
        if (e.info.name == name)
          return &e;
      return nullptr;
    }

    /** @brief All entries, in registration order. */
    const std::vector<Entry> &
    all() const
    {
      return entries;
    }

  private:
    std::vector<Entry> entries;
  };

  /**
   * @brief Declares `type` (valid values from the registry) and one subsection per module, in the
   * current subsection of @p prm.
   */
  void
  declare_module_selection(dealii::ParameterHandler &prm,
                           const std::string        &system,
                           const std::string        &names,
                           const std::string        &default_name,
                           const std::string        &help);

  /** @brief Throws a clear error if module @p info cannot be created in this build. */
  void
  check_module_available(const ModuleInfo &info);

  /** @brief Declares `type` and the parameters of every module of system @p Base. */
  template <typename Base>
  void
  declare_system_parameters(dealii::ParameterHandler &prm,
                            const std::string        &default_name,
                            const std::string        &help);

  /**
   * @brief Creates the module @p name of system @p Base from its subsection of the current
   * subsection of @p prm.
   */
  template <typename Base>
  std::unique_ptr<Base>
  create_named_module(dealii::ParameterHandler &prm, const std::string &name);

  /** @brief Creates the module chosen by `type` in the current subsection of @p prm. */
  template <typename Base>
  std::unique_ptr<Base>
  create_module(dealii::ParameterHandler &prm);

  /**
   * @brief Registers module class @p Impl (derived from @p Base) under @p name. @p Impl has a
   * static `declare_parameters(ParameterHandler &)` and a constructor taking the ParameterHandler
   * (both called inside the module's own subsection).
   */
  template <typename Base, typename Impl>
  void
  register_module(const std::string &name, const ModuleKind kind, const std::string &description)
  {
    ModuleInfo info{Base::system_name, name, kind, description, ""};
    module_catalogue().push_back(info);
    Registry<Base>::instance().add(
      {info, &Impl::declare_parameters, [](dealii::ParameterHandler &prm) -> std::unique_ptr<Base> {
         return std::make_unique<Impl>(prm);
       }});
  }

  /** @brief Like register_module(), for systems whose interface is templated on the dimension. */
  template <template <int> class Base, template <int> class Impl>
  void
  register_dim_module(const std::string &name, const ModuleKind kind, const std::string &description)
  {
    ModuleInfo info{Base<2>::system_name, name, kind, description, ""};
    module_catalogue().push_back(info);
    Registry<Base<2>>::instance().add(
      {info, &Impl<2>::declare_parameters, [](dealii::ParameterHandler &prm) -> std::unique_ptr<Base<2>> {
         return std::make_unique<Impl<2>>(prm);
       }});
    Registry<Base<3>>::instance().add(
      {info, &Impl<3>::declare_parameters, [](dealii::ParameterHandler &prm) -> std::unique_ptr<Base<3>> {
         return std::make_unique<Impl<3>>(prm);
       }});
  }

  /**
   * @brief Registers a name that this build cannot create (e.g. a learned module in a build
   * without LibTorch): choosing it is a clear error that gives @p reason, not "unknown module".
   */
  template <typename Base>
  void
  register_unavailable_module(const std::string &name,
                              const ModuleKind   kind,
                              const std::string &description,
                              const std::string &reason)
  {
    ModuleInfo info{Base::system_name, name, kind, description, reason};
    module_catalogue().push_back(info);
    Registry<Base>::instance().add({info, [](dealii::ParameterHandler &) {}, nullptr});
  }

  /**
   * @brief Registers every module of the solver library (classical modules). Called once by the
   * application; explicit so that no registration is lost to the linker.
   */
  void
  register_classical_modules();
} // namespace hyfe
