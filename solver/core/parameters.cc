#include "solver/core/parameters.h"

#include <deal.II/base/exceptions.h>
#include <deal.II/base/function_parser.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/utilities.h>

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "solver/core/exceptions.h"
#include "solver/core/parameter_check.h"

namespace hyfe
{

  std::string
  exception_message(const std::exception &e)
  {
    if (const auto *d = dynamic_cast<const dealii::ExceptionBase *>(&e))
      {
        std::ostringstream s;
        d->print_info(s);
        std::string text = s.str();
        // collapse deal.II's multi-line layout into single spaces
        std::string out;
        bool        blank = false;
        for (const char c : text)
          {
            const bool is_blank = (c == ' ' || c == '\n' || c == '\t');
            if (is_blank && !blank && !out.empty())
              out += ' ';
            if (!is_blank)
              out += c;
            blank = is_blank;
          }
        return trim(out);
      }
    return e.what();
  }

  std::string &
  parameter_file_folder_storage()
  {
    static std::string folder = ".";
    return folder;
  }

  const std::string &
  parameter_file_folder()
  {
    return parameter_file_folder_storage();
  }

  void
  parse_parameter_file(dealii::ParameterHandler &prm, const std::string &file)
  {
    parameter_file_folder_storage() = folder_of(file);
    const bool     is_json          = file.size() > 5 && file.substr(file.size() - 5) == ".json";
    EntryLocations locations;
    // hyfe's own checks first (names, values, duplicates, includes), with file and line; deal.II
    // then parses the checked text (includes expanded, no byte-order mark)
    const std::string text =
      is_json ? check_json_file(prm, file, locations) : check_prm_file(prm, file, locations);
    try
      {
        std::istringstream in(text);
        if (is_json)
          prm.parse_input_from_json(in, false);
        else
          prm.parse_input(in, file, "", false);
      }
    catch (const std::exception &e)
      {
        throw InputError("error in parameter file '" + file + "': " + exception_message(e));
      }
    check_documented_ranges(prm, file, locations);
  }

  std::string
  folder_of(const std::string &file)
  {
    const auto slash = file.find_last_of('/');
    return slash == std::string::npos ? "." : file.substr(0, slash);
  }

  std::string
  resolve_path(const std::string &folder, const std::string &path)
  {
    if (path.empty() || path[0] == '/')
      return path;
    return folder + "/" + path;
  }

  std::vector<dealii::types::boundary_id>
  parse_boundary_ids(const std::string &text, const std::string &entry)
  {
    std::vector<dealii::types::boundary_id> ids;
    for (const auto &item : dealii::Utilities::split_string_list(text, ','))
      {
        const std::string t = trim(item);
        if (t.empty())
          continue;
        char      *end   = nullptr;
        const long value = std::strtol(t.c_str(), &end, 10);
        if (*end != '\0' || value < 0 || value > 254)
          throw InputError("entry '" + entry + "': '" + t +
                           "' is not a boundary id (an integer in [0, 254])");
        ids.push_back(static_cast<dealii::types::boundary_id>(value));
      }
    return ids;
  }

  namespace
  {
    /** Names that a constant must not take: the variables and muparser's (and deal.II's) functions. */
    const std::set<std::string> reserved_names{"x",     "y",    "z",     "t",         "pi",    "sin",
                                               "cos",   "tan",  "asin",  "acos",      "atan",  "sinh",
                                               "cosh",  "tanh", "asinh", "acosh",     "atanh", "log2",
                                               "log10", "log",  "ln",    "exp",       "sqrt",  "sign",
                                               "rint",  "abs",  "min",   "max",       "sum",   "avg",
                                               "if",    "pow",  "floor", "ceil",      "cot",   "csc",
                                               "sec",   "erfc", "rand",  "rand_seed", "atan2", "fmod"};
  } // namespace

  std::map<std::string, double>
  parse_constants(const std::string &text, const std::string &entry)
  {
    std::map<std::string, double> constants{{"pi", dealii::numbers::PI}};
    for (const auto &item : dealii::Utilities::split_string_list(text, ','))
      {
        const auto eq = item.find('=');
        if (eq == std::string::npos)
          throw InputError("entry '" + entry + "': '" + item + "' is not of the form name=value");
        const std::string name  = trim(item.substr(0, eq));
        const std::string value = trim(item.substr(eq + 1));
        char             *end   = nullptr;
        errno                   = 0;
        const double v          = std::strtod(value.c_str(), &end);
        if (name.empty() || value.empty() || *end != '\0')
          throw InputError("entry '" + entry + "': '" + item + "' is not of the form name=number");
        if (!std::isalpha(static_cast<unsigned char>(name[0])) ||
            std::any_of(name.begin(), name.end(), [](const char c) {
              return !std::isalnum(static_cast<unsigned char>(c)) && c != '_';
            }))
          throw InputError("entry '" + entry + "': the constant name '" + name +
                           "' is not a name (a letter, then letters, digits or '_')");
        if (reserved_names.count(name))
          throw InputError("entry '" + entry + "': the constant name '" + name +
                           "' is reserved: it is a variable of the expressions (a coordinate x, y, z or the "
                           "time t) or a function or constant of the expression parser; choose another name");
        if (constants.count(name))
          throw InputError("entry '" + entry + "': the constant '" + name + "' is given twice");
        if (!std::isfinite(v) || errno == ERANGE)
          throw InputError("entry '" + entry + "': the constant '" + item +
                           "' is not a finite number in double precision");
        constants[name] = v;
      }
    return constants;
  }

  template <int dim>
  std::unique_ptr<dealii::FunctionParser<dim>>
  make_function(const std::string                   &expression,
                const unsigned int                   n_components,
                const std::map<std::string, double> &constants,
                const std::string                   &entry)
  {
    const std::vector<std::string> parts = dealii::Utilities::split_string_list(expression, ';');
    if (parts.size() != n_components)
      throw InputError("entry '" + entry + "': expected " + std::to_string(n_components) +
                       " component(s) separated by ';', found " + std::to_string(parts.size()) + " in '" +
                       expression + "'");
    const std::string variables = dim == 2 ? "x,y,t" : "x,y,z,t";
    auto              f         = std::make_unique<dealii::FunctionParser<dim>>(n_components, 0., 1e-4);
    // muparser's errors are also printed to std::cerr by deal.II; keep them for our own message
    std::ostringstream parser_output;
    std::streambuf    *cerr_buffer = std::cerr.rdbuf(parser_output.rdbuf());
    try
      {
        f->initialize(variables, parts, constants, true);
        // evaluate once: muparser reports some errors (unknown names) only here
        dealii::Point<dim> p;
        for (unsigned int c = 0; c < n_components; ++c)
          (void)f->value(p, c);
        std::cerr.rdbuf(cerr_buffer);
      }
    catch (const std::exception &e)
      {
        std::cerr.rdbuf(cerr_buffer);
        throw InputError("entry '" + entry + "': cannot parse the expression '" + expression +
                         "' (variables " + variables + "): " + exception_message(e));
      }
    catch (...)
      {
        // muparser's own exceptions (mu::ParserError) are not std::exceptions
        std::cerr.rdbuf(cerr_buffer);
        std::string detail = trim(parser_output.str());
        throw InputError("entry '" + entry + "': cannot parse the expression '" + expression +
                         "' (variables " + variables +
                         (constants.size() > 1 ? ", and the function constants" : "") + ")" +
                         (detail.empty() ? "" : ": " + detail));
      }
    f->set_formula(dealii::AutoDerivativeFunction<dim>::FourthOrder);
    return f;
  }

  bool
  is_zero_expression(const std::string &expression)
  {
    for (const auto &part : dealii::Utilities::split_string_list(expression, ';'))
      {
        char        *end = nullptr;
        const double v   = std::strtod(part.c_str(), &end);
        if (*end != '\0' || v != 0.)
          return false;
      }
    return true;
  }

  namespace
  {
    void
    print_prm_section(const boost::property_tree::ptree &tree, std::ostream &out, const std::string &indent)
    {
      // entries first, then subsections, as deal.II does
      for (const auto &child : tree)
        if (child.second.count("value") > 0)
          {
            const auto &e = child.second;
            out << indent << "# " << e.get<std::string>("documentation", "") << "\n";
            out << indent << "# valid: " << e.get<std::string>("pattern_description", "") << "\n";
            out << indent << "set " << demangle(child.first) << " = "
                << e.get<std::string>("default_value", "") << "\n\n";
          }
      for (const auto &child : tree)
        if (child.second.count("value") == 0)
          {
            out << indent << "subsection " << demangle(child.first) << "\n";
            print_prm_section(child.second, out, indent + "  ");
            out << indent << "end\n\n";
          }
    }
  } // namespace

  void
  print_parameter_reference(const dealii::ParameterHandler &prm, std::ostream &out, const std::string &format)
  {
    if (format == "json")
      {
        prm.print_parameters(out, dealii::ParameterHandler::JSON);
        return;
      }
    std::ostringstream json;
    prm.print_parameters(json, dealii::ParameterHandler::JSON);
    boost::property_tree::ptree tree;
    std::istringstream          json_in(json.str());
    boost::property_tree::read_json(json_in, tree);
    out << "# hyfe parameter reference: every entry with its documentation, valid values and default.\n\n";
    print_prm_section(tree, out, "");
  }

  template std::unique_ptr<dealii::FunctionParser<2>>
  make_function<2>(const std::string &,
                   unsigned int,
                   const std::map<std::string, double> &,
                   const std::string &);
  template std::unique_ptr<dealii::FunctionParser<3>>
  make_function<3>(const std::string &,
                   unsigned int,
                   const std::map<std::string, double> &,
                   const std::string &);
} // namespace hyfe
