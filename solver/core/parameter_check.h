#pragma once

#include <map>
#include <string>

namespace dealii
{
  class ParameterHandler;
}

namespace hyfe
{
  /**
   * @brief Where each entry of a parameter file was set: the entry's full path ("navier
   * stokes/max cfl") -> "file 'case.prm', line 12" (JSON: the line where its key first appears).
   */
  using EntryLocations = std::map<std::string, std::string>;

  /** @brief @p s without leading and trailing blanks (spaces, tabs, line ends). */
  std::string
  trim(const std::string &s);

  /** @brief A name of deal.II's property tree with its mangling undone ("_20" for a blank, etc.). */
  std::string
  demangle(const std::string &s);

  /**
   * @brief Reads a parameter file as text for hyfe's strict checks: throws InputError if @p file
   * does not exist, is a directory, is not readable, is empty of text (binary, UTF-16); a UTF-8
   * byte-order mark is removed.
   */
  std::string
  read_parameter_text(const std::string &file);

  /**
   * @brief Checks the .prm file @p file against the entries declared in @p prm, with its `include`
   * statements expanded (relative to the including file's folder; a cycle is an error): unknown
   * entries and subsections (with the closest declared name), values that do not match their
   * pattern, an entry set twice (also in two blocks of one subsection), unbalanced `end`. Returns the
   * expanded text, which deal.II parses without includes, and fills @p locations.
   */
  std::string
  check_prm_file(const dealii::ParameterHandler &prm, const std::string &file, EntryLocations &locations);

  /**
   * @brief The same checks for a JSON parameter file (deal.II's format: nested objects, an entry is a
   * string or an object with a "value"; names mangled as deal.II writes them or plain). Returns the
   * text without a byte-order mark.
   */
  std::string
  check_json_file(const dealii::ParameterHandler &prm, const std::string &file, EntryLocations &locations);

  /**
   * @brief Checks every numeric entry of @p prm against the range that its documentation states
   * ("> 0", ">= 1", "in [0, 1]", "in (0, 2)"), which deal.II's patterns cannot all express (a strict
   * bound). Throws InputError naming the file, the line (from @p locations), the entry, its value
   * and the documented range.
   */
  void
  check_documented_ranges(const dealii::ParameterHandler &prm,
                          const std::string              &file,
                          const EntryLocations           &locations);
} // namespace hyfe
