#pragma once

#include <string>

namespace dealii
{
  class ParameterHandler;
}

namespace hyfe
{
  /**
   * @brief The guard and shadow-mode bookkeeping that every module system shares (preconditioners,
   * closure models): the `fallback` and `shadow interval` entries, when a shadow comparison is due,
   * and the counting and reporting of fallbacks. Each system decides what a failure is and what a
   * shadow comparison measures.
   */
  class GuardShadow
  {
  public:
    /**
     * @brief Declares `fallback` (one of @p classical_names, '|'-separated, default @p default_fallback)
     * and `shadow interval` in the current subsection; @p fallback_help and @p shadow_help say what the
     * system does with them.
     */
    static void
    declare_parameters(dealii::ParameterHandler &prm,
                       const std::string        &classical_names,
                       const std::string        &default_fallback,
                       const std::string        &fallback_help,
                       const std::string        &shadow_help);

    /** @brief Reads `type`, `fallback` and `shadow interval` from the current subsection. */
    void
    parse_parameters(dealii::ParameterHandler &prm);

    /** @brief Starts step @p step: resets the per-step fallback count. */
    void
    start_step(unsigned int step);

    /** @brief Whether a shadow comparison is due in the current step (once per step); marks it done. */
    bool
    take_shadow_turn();

    /**
     * @brief Counts a fallback of this step; on rank 0 (@p root) prints @p problem with the module's and
     * the fallback's names for the first five fallbacks of the run.
     */
    void
    count_fallback(bool               root,
                   const std::string &system,
                   const std::string &problem,
                   const std::string &action);

    std::string   name;                ///< the module's name (`type`)
    std::string   fallback_name;       ///< the classical fallback's name
    unsigned int  shadow_interval = 0; ///< 0: no shadow mode
    unsigned int  step            = 0; ///< the current step
    unsigned int  step_fallbacks  = 0; ///< fallbacks of the current step
    unsigned long fallbacks       = 0; ///< fallbacks of the run
    unsigned long fallback_steps  = 0; ///< steps of the run with at least one fallback
    unsigned long shadows         = 0; ///< shadow comparisons of the run

  private:
    unsigned int  last_shadow_step   = 0;
    unsigned int  last_fallback_step = 0;
    unsigned long messages           = 0;
  };
} // namespace hyfe
