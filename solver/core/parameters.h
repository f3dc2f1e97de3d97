#pragma once

#include <deal.II/base/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace dealii
{
  class ParameterHandler;
  template <int dim>
  class FunctionParser;
} // namespace dealii

namespace hyfe
{
  /**
   * @brief Parses @p file into @p prm strictly: an unknown entry or subsection, a value that does
   * not match its pattern, or an unreadable file throws InputError, with the file, the line, the
   * entry and the valid choices (and the closest declared name for a misspelling).
   * `.prm` files get hyfe's own line-by-line check first; `.json` files deal.II's.
   */
  void
  parse_parameter_file(dealii::ParameterHandler &prm, const std::string &file);

  /**
   * @brief The folder of the parameter file read last by parse_parameter_file() ("." before), where
   * modules resolve relative file names (for example model files).
   */
  const std::string &
  parameter_file_folder();

  /** @brief Storage behind parameter_file_folder(). */
  std::string &
  parameter_file_folder_storage();

  /** @brief The folder of @p file, where relative paths in it are resolved. */
  std::string
  folder_of(const std::string &file);

  /** @brief @p path if absolute, else @p folder / @p path. */
  std::string
  resolve_path(const std::string &folder, const std::string &path);

  /**
   * @brief Parses a comma-separated list of boundary ids ("0, 2, 3"; empty for none); @p entry
   * names the entry in the error message.
   */
  std::vector<dealii::types::boundary_id>
  parse_boundary_ids(const std::string &text, const std::string &entry);

  /** @brief Parses "name=value, name=value" into a map (plus pi); @p entry names the entry. */
  std::map<std::string, double>
  parse_constants(const std::string &text, const std::string &entry);

  /**
   * @brief A function of x (and t) from an expression with @p n_components components separated by
   * ';', with the variables x,y[,z],t and @p constants. Gradients are computed by fourth-order
   * finite differences. A syntax error throws InputError naming @p entry.
   */
  template <int dim>
  std::unique_ptr<dealii::FunctionParser<dim>>
  make_function(const std::string                   &expression,
                unsigned int                         n_components,
                const std::map<std::string, double> &constants,
                const std::string                   &entry);

  /** @brief Whether every component of @p expression is the literal zero. */
  bool
  is_zero_expression(const std::string &expression);

  /** @brief Lower-case hyfe-style name of a deal.II exception, without stack trace. */
  std::string
  exception_message(const std::exception &e);
} // namespace hyfe

namespace hyfe
{
  /**
   * @brief Prints every declared entry with its documentation (unit and range), valid values and
   * default: @p format "prm" gives an annotated parameter file, "json" deal.II's JSON.
   */
  void
  print_parameter_reference(const dealii::ParameterHandler &prm,
                            std::ostream                   &out,
                            const std::string              &format);
} // namespace hyfe
