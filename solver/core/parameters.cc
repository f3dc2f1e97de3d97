#include "solver/core/parameters.h"

#include <deal.II/base/exceptions.h>
#include <deal.II/base/function_parser.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/utilities.h>

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include "solver/core/exceptions.h"

namespace hyfe
{
  namespace
  {
    std::string
    trim(const std::string &s)
    {
      const auto b = s.find_first_not_of(" \t\r\n");
      if (b == std::string::npos)
        return "";
      const auto e = s.find_last_not_of(" \t\r\n");
      return s.substr(b, e - b + 1);
    }

    /** Undo deal.II's mangling of names in the property tree ("_20" for a blank, etc.). */
    std::string
    demangle(const std::string &s)
    {
      std::string out;
      for (std::size_t i = 0; i < s.size(); ++i)
        if (s[i] == '_' && i + 2 < s.size() + 0 && std::isxdigit(s[i + 1]) && std::isxdigit(s[i + 2]))
          {
            out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
            i += 2;
          }
        else
          out += s[i];
      return out;
    }

    /** Declared names of one subsection: entries and subsections. */
    struct Section
    {
      std::vector<std::string>           entries;
      std::map<std::string, std::string> patterns; ///< entry -> pattern description
      std::map<std::string, Section>     subsections;
    };

    Section
    to_section(const boost::property_tree::ptree &tree)
    {
      Section section;
      for (const auto &child : tree)
        {
          const std::string name = demangle(child.first);
          // in deal.II's JSON output, an entry is a node with a "value" child
          if (child.second.count("value") > 0)
            {
              section.entries.push_back(name);
              section.patterns[name] = child.second.get<std::string>("pattern_description", "");
            }
          else
            section.subsections[name] = to_section(child.second);
        }
      return section;
    }

    std::size_t
    edit_distance(const std::string &a, const std::string &b)
    {
      std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
      for (std::size_t j = 0; j <= b.size(); ++j)
        prev[j] = j;
      for (std::size_t i = 1; i <= a.size(); ++i)
        {
          cur[0] = i;
          for (std::size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
          std::swap(prev, cur);
        }
      return prev[b.size()];
    }

    std::string
    suggestion(const std::string &name, const std::vector<std::string> &candidates)
    {
      std::string best;
      std::size_t best_distance = std::max<std::size_t>(3, name.size() / 3) + 1;
      for (const auto &c : candidates)
        {
          const std::size_t d = edit_distance(name, c);
          if (d < best_distance)
            {
              best_distance = d;
              best          = c;
            }
        }
      return best.empty() ? "" : " Did you mean '" + best + "'?";
    }

    std::string
    join(const std::vector<std::string> &names)
    {
      std::string s;
      for (const auto &n : names)
        s += (s.empty() ? "'" : ", '") + n + "'";
      return s.empty() ? "(none)" : s;
    }

    std::string
    path_of(const std::vector<std::string> &stack)
    {
      std::string s;
      for (const auto &n : stack)
        s += (s.empty() ? "" : "/") + n;
      return s.empty() ? "the top level" : "subsection '" + s + "'";
    }

    /** hyfe's own check of a .prm file against the declared names, with suggestions. */
    void
    check_prm_names(const dealii::ParameterHandler &prm, const std::string &file)
    {
      std::ostringstream json;
      prm.print_parameters(json, dealii::ParameterHandler::JSON);
      boost::property_tree::ptree tree;
      std::istringstream          json_in(json.str());
      boost::property_tree::read_json(json_in, tree);
      const Section root = to_section(tree);

      std::ifstream                in(file);
      std::vector<const Section *> sections{&root};
      std::vector<std::string>     stack;
      std::string                  line;
      unsigned int                 line_number = 0;
      bool                         continued   = false;
      while (std::getline(in, line))
        {
          ++line_number;
          const bool  this_continued = continued;
          const auto  hash           = line.find('#');
          std::string text           = trim(hash == std::string::npos ? line : line.substr(0, hash));
          continued                  = !text.empty() && text.back() == '\\';
          if (this_continued || text.empty())
            continue;
          const std::string where =
            "error in parameter file '" + file + "', line " + std::to_string(line_number) + ": ";
          std::istringstream words(text);
          std::string        keyword;
          words >> keyword;
          if (keyword == "subsection")
            {
              const std::string name = trim(text.substr(keyword.size()));
              const Section    &s    = *sections.back();
              const auto        it   = s.subsections.find(name);
              if (it == s.subsections.end())
                {
                  std::vector<std::string> names;
                  for (const auto &sub : s.subsections)
                    names.push_back(sub.first);
                  throw InputError(where + "unknown subsection '" + name + "' in " + path_of(stack) + "." +
                                   suggestion(name, names) + "\n  Valid subsections here: " + join(names));
                }
              sections.push_back(&it->second);
              stack.push_back(name);
            }
          else if (keyword == "end")
            {
              if (stack.empty())
                throw InputError(where + "'end' without a matching 'subsection'");
              sections.pop_back();
              stack.pop_back();
            }
          else if (keyword == "set")
            {
              const auto eq = text.find('=');
              if (eq == std::string::npos)
                throw InputError(where + "expected 'set <entry> = <value>', found '" + text + "'");
              const std::string name    = trim(text.substr(3, eq - 3));
              const auto       &entries = sections.back()->entries;
              if (std::find(entries.begin(), entries.end(), name) == entries.end())
                throw InputError(where + "unknown entry '" + name + "' in " + path_of(stack) + "." +
                                 suggestion(name, entries) + "\n  Valid entries here: " + join(entries));
              const std::string value       = trim(text.substr(eq + 1));
              const std::string description = sections.back()->patterns.at(name);
              const auto        pattern     = dealii::Patterns::pattern_factory(description);
              if (!continued && pattern && !pattern->match(value))
                {
                  std::string full_name;
                  for (const auto &n : stack)
                    full_name += n + "/";
                  throw InputError(where + "the value '" + value + "' of entry '" + full_name + name +
                                   "' is not valid.\n  Valid values: " + description);
                }
            }
          else if (keyword != "include")
            throw InputError(
              where + "cannot read '" + text +
              "': a line is 'subsection <name>', 'end', 'set <entry> = <value>' or a # comment");
        }
      if (!stack.empty())
        throw InputError("error in parameter file '" + file + "': " + path_of(stack) +
                         " is not closed by 'end'");
    }
  } // namespace

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
    {
      std::ifstream in(file);
      if (!in)
        throw InputError("cannot open parameter file '" + file + "'");
    }
    const bool is_json = file.size() > 5 && file.substr(file.size() - 5) == ".json";
    if (!is_json)
      check_prm_names(prm, file);
    try
      {
        prm.parse_input(file, "", false, false);
      }
    catch (const std::exception &e)
      {
        throw InputError("error in parameter file '" + file + "': " + exception_message(e));
      }
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
        const double      v     = std::strtod(value.c_str(), &end);
        if (name.empty() || value.empty() || *end != '\0')
          throw InputError("entry '" + entry + "': '" + item + "' is not of the form name=number");
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
