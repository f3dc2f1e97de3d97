#include "solver/modules/guard_shadow.h"

#include <deal.II/base/parameter_handler.h>

#include <iostream>

namespace hyfe
{
  void
  GuardShadow::declare_parameters(dealii::ParameterHandler &prm,
                                  const std::string        &classical_names,
                                  const std::string        &default_fallback,
                                  const std::string        &fallback_help,
                                  const std::string        &shadow_help)
  {
    prm.declare_entry("fallback",
                      default_fallback,
                      dealii::Patterns::Selection(classical_names),
                      fallback_help + " Its options are those of its own subsection here. Unitless; one of "
                                      "the classical modules of this system.");
    prm.declare_entry("shadow interval",
                      "0",
                      dealii::Patterns::Integer(0),
                      "Shadow mode: every this many steps " + shadow_help + "; 0: off. Steps, >= 0.");
  }

  void
  GuardShadow::parse_parameters(dealii::ParameterHandler &prm)
  {
    name            = prm.get("type");
    fallback_name   = prm.get("fallback");
    shadow_interval = prm.get_integer("shadow interval");
  }

  void
  GuardShadow::start_step(const unsigned int new_step)
  {
    step           = new_step;
    step_fallbacks = 0;
  }

  bool
  GuardShadow::take_shadow_turn()
  {
    if (shadow_interval == 0 || step % shadow_interval != 0 || last_shadow_step == step)
      return false;
    last_shadow_step = step;
    ++shadows;
    return true;
  }

  void
  GuardShadow::count_fallback(const bool         root,
                              const std::string &system,
                              const std::string &problem,
                              const std::string &action)
  {
    ++step_fallbacks;
    ++fallbacks;
    if (last_fallback_step != step || fallback_steps == 0)
      ++fallback_steps;
    last_fallback_step = step;
    if (root && messages < 5)
      std::cout << "hyfe: step " << step << ": guard of " << system << " '" << name << "': " << problem
                << "; " << action << " '" << fallback_name << "'"
                << (++messages == 5 ? " (further fallbacks are only counted)" : "") << std::endl;
  }
} // namespace hyfe
