#include "solver/core/parameter_check.h"

#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/patterns.h>

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <vector>

#include "solver/core/exceptions.h"

namespace hyfe
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
      if (s[i] == '_' && i + 2 < s.size() && std::isxdigit(s[i + 1]) && std::isxdigit(s[i + 2]))
        {
          out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
          i += 2;
        }
      else
        out += s[i];
    return out;
  }

  namespace
  {
    /** Declared names of one subsection: entries and subsections. */
    struct Section
    {
      std::vector<std::string>           entries;
      std::map<std::string, std::string> patterns;      ///< entry -> pattern description
      std::map<std::string, std::string> documentation; ///< entry -> help string
      std::map<std::string, std::string> values;        ///< entry -> current value
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
              section.patterns[name]      = child.second.get<std::string>("pattern_description", "");
              section.documentation[name] = child.second.get<std::string>("documentation", "");
              section.values[name]        = child.second.get<std::string>("value", "");
            }
          else
            section.subsections[name] = to_section(child.second);
        }
      return section;
    }

    Section
    declared_tree(const dealii::ParameterHandler &prm)
    {
      std::ostringstream json;
      prm.print_parameters(json, dealii::ParameterHandler::JSON);
      boost::property_tree::ptree tree;
      std::istringstream          json_in(json.str());
      boost::property_tree::read_json(json_in, tree);
      return to_section(tree);
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

    std::string
    full_name(const std::vector<std::string> &stack, const std::string &name)
    {
      std::string s;
      for (const auto &n : stack)
        s += n + "/";
      return s + name;
    }

    std::vector<std::string>
    subsection_names(const Section &s)
    {
      std::vector<std::string> names;
      for (const auto &sub : s.subsections)
        names.push_back(sub.first);
      return names;
    }

    std::string
    unknown_subsection(const std::string &name, const Section &s, const std::vector<std::string> &stack)
    {
      const auto names = subsection_names(s);
      return "unknown subsection '" + name + "' in " + path_of(stack) + "." + suggestion(name, names) +
             "\n  Valid subsections here: " + join(names);
    }

    std::string
    unknown_entry(const std::string &name, const Section &s, const std::vector<std::string> &stack)
    {
      return "unknown entry '" + name + "' in " + path_of(stack) + "." + suggestion(name, s.entries) +
             "\n  Valid entries here: " + join(s.entries);
    }

    /** An error unless @p value matches the pattern of entry @p name of @p s. */
    void
    check_value(const Section                  &s,
                const std::vector<std::string> &stack,
                const std::string              &name,
                const std::string              &value,
                const std::string              &where)
    {
      const std::string description = s.patterns.at(name);
      const auto        pattern     = dealii::Patterns::pattern_factory(description);
      if (pattern && !pattern->match(value))
        throw InputError(where + "the value '" + value + "' of entry '" + full_name(stack, name) +
                         "' is not valid.\n  Valid values: " + description);
    }

    /** One line of an expanded .prm file, with the file and line it comes from. */
    struct Line
    {
      std::string  text;
      std::string  file;
      unsigned int number;
    };

    std::string
    location(const Line &line)
    {
      return "file '" + line.file + "', line " + std::to_string(line.number);
    }

    /** Appends the lines of @p file to @p out, with its `include` statements replaced by the lines
     * of the included file; @p chain holds the files being read (to find cycles). */
    void
    expand_includes(const std::string &file, std::vector<std::string> &chain, std::vector<Line> &out)
    {
      const std::string text = read_parameter_text(file);
      chain.push_back(std::filesystem::weakly_canonical(file).string());
      std::istringstream in(text);
      std::string        line;
      unsigned int       number = 0;
      while (std::getline(in, line))
        {
          ++number;
          if (!line.empty() && line.back() == '\r')
            line.pop_back();
          std::istringstream words(line);
          std::string        keyword;
          words >> keyword;
          if (keyword != "include" && keyword != "INCLUDE")
            {
              out.push_back({line, file, number});
              continue;
            }
          const std::string where =
            "error in parameter file '" + file + "', line " + std::to_string(number) + ": ";
          std::string name = trim(line.substr(line.find(keyword) + keyword.size()));
          if (const auto hash = name.find('#'); hash != std::string::npos)
            name = trim(name.substr(0, hash));
          if (name.empty())
            throw InputError(where + "'include' needs a file name");
          const std::string included =
            name[0] == '/' ? name : (std::filesystem::path(file).parent_path() / name).string();
          const std::string canonical = std::filesystem::weakly_canonical(included).string();
          if (std::find(chain.begin(), chain.end(), canonical) != chain.end())
            {
              std::string cycle;
              for (const auto &c : chain)
                cycle += "'" + std::filesystem::path(c).filename().string() + "' includes ";
              throw InputError(where + "'include " + name + "' makes a cycle: " + cycle + "'" + name +
                               "' again" +
                               (canonical == chain.back() ? " (a file that includes itself)" : ""));
            }
          if (chain.size() > 20)
            throw InputError(where + "'include " + name + "': more than 20 nested includes");
          try
            {
              expand_includes(included, chain, out);
            }
          catch (const InputError &e)
            {
              const std::string message = e.what();
              throw InputError(message.rfind("error in parameter file", 0) == 0
                                 ? message
                                 : where + "'include " + name + "': " + message);
            }
        }
      chain.pop_back();
    }

    /** Line number (1-based) of the first line at or after @p from that holds "@p key" in quotes. */
    unsigned int
    json_line_of(const std::vector<std::string> &lines, const std::string &key, const unsigned int from)
    {
      const std::string quoted = "\"" + key + "\"";
      for (unsigned int i = from; i < lines.size(); ++i)
        if (lines[i].find(quoted) != std::string::npos)
          return i + 1;
      return from > 0 ? json_line_of(lines, key, 0) : 0;
    }

    void
    check_json_node(const boost::property_tree::ptree &node,
                    const Section                     &section,
                    std::vector<std::string>          &stack,
                    const std::vector<std::string>    &lines,
                    const unsigned int                 from,
                    const std::string                 &file,
                    EntryLocations                    &locations)
    {
      std::set<std::string> seen;
      for (const auto &child : node)
        {
          const std::string  name   = demangle(child.first);
          const unsigned int number = json_line_of(lines, child.first, from);
          const std::string  at = "file '" + file + "'" + (number ? ", line " + std::to_string(number) : "");
          const std::string  where = "error in parameter file '" + file + "'" +
                                    (number ? ", line " + std::to_string(number) : "") + ": ";
          if (!seen.insert(name).second)
            throw InputError(where + "'" + full_name(stack, name) + "' is given twice in " + path_of(stack) +
                             "; remove one of them");
          const bool is_entry = child.second.empty() || child.second.count("value") > 0;
          if (is_entry)
            {
              if (std::find(section.entries.begin(), section.entries.end(), name) == section.entries.end())
                throw InputError(where +
                                 (section.subsections.count(name)
                                    ? "'" + name + "' is a subsection, not an entry: give it an object"
                                    : unknown_entry(name, section, stack)));
              const std::string value =
                child.second.empty() ? child.second.data() : child.second.get<std::string>("value");
              check_value(section, stack, name, value, where);
              locations[full_name(stack, name)] = at;
            }
          else
            {
              const auto it = section.subsections.find(name);
              if (it == section.subsections.end())
                throw InputError(where + (std::find(section.entries.begin(), section.entries.end(), name) !=
                                              section.entries.end()
                                            ? "'" + name + "' is an entry, not a subsection: give it a string"
                                            : unknown_subsection(name, section, stack)));
              stack.push_back(name);
              check_json_node(
                child.second, it->second, stack, lines, number ? number - 1 : from, file, locations);
              stack.pop_back();
            }
        }
    }

    /** A documented bound: value > bound (strict) or value >= bound, or the upper ones. */
    struct Bound
    {
      bool   lower;
      bool   strict;
      double value;
    };

    std::vector<Bound>
    documented_bounds(const std::string &documentation)
    {
      static const std::string number = R"(([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?))";
      static const std::regex  interval("in ([\\[(])\\s*" + number + "\\s*,\\s*" + number + "\\s*([\\])])");
      static const std::regex  comparison("(>=|<=|>|<)\\s*" + number + "(?![\\w.])");
      std::vector<Bound>       bounds;
      std::smatch              m;
      if (std::regex_search(documentation, m, interval))
        {
          bounds.push_back({true, m[1] == "(", std::stod(m[2])});
          bounds.push_back({false, m[4] == ")", std::stod(m[3])});
          return bounds;
        }
      for (auto it = std::sregex_iterator(documentation.begin(), documentation.end(), comparison);
           it != std::sregex_iterator();
           ++it)
        {
          const std::string op = (*it)[1];
          bounds.push_back({op[0] == '>', op.size() == 1, std::stod((*it)[2])});
        }
      return bounds;
    }

    void
    check_ranges(const Section            &section,
                 std::vector<std::string> &stack,
                 const std::string        &file,
                 const EntryLocations     &locations)
    {
      for (const auto &name : section.entries)
        {
          const std::string &pattern = section.patterns.at(name);
          if (pattern.rfind("[Double", 0) != 0 && pattern.rfind("[Integer", 0) != 0)
            continue;
          const std::string &text = section.values.at(name);
          char              *end  = nullptr;
          const double       v    = std::strtod(text.c_str(), &end);
          if (end == text.c_str())
            continue; // the pattern reports it
          for (const auto &b : documented_bounds(section.documentation.at(name)))
            {
              const bool ok =
                b.lower ? (b.strict ? v > b.value : v >= b.value) : (b.strict ? v < b.value : v <= b.value);
              if (ok)
                continue;
              const std::string  entry = full_name(stack, name);
              const auto         it    = locations.find(entry);
              std::ostringstream bound;
              bound << (b.lower ? (b.strict ? "> " : ">= ") : (b.strict ? "< " : "<= ")) << b.value;
              throw InputError(
                (it == locations.end() ? "error in parameter file '" + file + "' (a default value)"
                                       : "error in parameter " + it->second) +
                ": the value '" + text + "' of entry '" + entry + "' is not valid: it must be " +
                bound.str() + ".\n  Documentation: " + section.documentation.at(name));
            }
        }
      for (const auto &[name, sub] : section.subsections)
        {
          stack.push_back(name);
          check_ranges(sub, stack, file, locations);
          stack.pop_back();
        }
    }
  } // namespace

  std::string
  read_parameter_text(const std::string &file)
  {
    std::error_code ec;
    const auto      status = std::filesystem::status(file, ec);
    if (ec || !std::filesystem::exists(status))
      throw InputError("cannot open parameter file '" + file + "': it does not exist");
    if (std::filesystem::is_directory(status))
      throw InputError("cannot read parameter file '" + file + "': it is a directory, not a file");
    std::ifstream in(file, std::ios::binary);
    if (!in)
      throw InputError("cannot open parameter file '" + file + "': it is not readable");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    std::string text = buffer.str();
    if (text.size() >= 2 &&
        ((text[0] == '\xff' && text[1] == '\xfe') || (text[0] == '\xfe' && text[1] == '\xff')))
      throw InputError("cannot read parameter file '" + file +
                       "': it is encoded in UTF-16; save it as UTF-8 (or ASCII)");
    if (text.rfind("\xef\xbb\xbf", 0) == 0)
      text.erase(0, 3); // a UTF-8 byte-order mark, as some editors write
    if (text.find('\0') != std::string::npos)
      throw InputError("cannot read parameter file '" + file +
                       "': it is not a text file (it holds NUL bytes)");
    return text;
  }

  std::string
  check_prm_file(const dealii::ParameterHandler &prm, const std::string &file, EntryLocations &locations)
  {
    std::vector<Line>        lines;
    std::vector<std::string> chain;
    expand_includes(file, chain, lines);

    const Section                root = declared_tree(prm);
    std::vector<const Section *> sections{&root};
    std::vector<std::string>     stack;
    bool                         continued = false;
    std::string                  expanded;
    for (const auto &l : lines)
      {
        expanded += l.text + "\n";
        const bool  this_continued = continued;
        const auto  hash           = l.text.find('#');
        std::string text           = trim(hash == std::string::npos ? l.text : l.text.substr(0, hash));
        continued                  = !text.empty() && text.back() == '\\';
        if (this_continued || text.empty())
          continue;
        const std::string where =
          "error in parameter file '" + l.file + "', line " + std::to_string(l.number) + ": ";
        std::istringstream words(text);
        std::string        keyword;
        words >> keyword;
        if (keyword == "subsection")
          {
            const std::string name = trim(text.substr(keyword.size()));
            const Section    &s    = *sections.back();
            const auto        it   = s.subsections.find(name);
            if (it == s.subsections.end())
              throw InputError(where + unknown_subsection(name, s, stack));
            // a subsection may be opened again (its entries add up); an entry set twice is an error
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
            const Section    &s       = *sections.back();
            const auto       &entries = s.entries;
            if (std::find(entries.begin(), entries.end(), name) == entries.end())
              throw InputError(where + unknown_entry(name, s, stack));
            const std::string entry = full_name(stack, name);
            if (const auto it = locations.find(entry); it != locations.end())
              throw InputError(where + "entry '" + entry + "' is set a second time (first at " + it->second +
                               "); the second value would silently win: remove one of them");
            locations[entry] = location(l);
            if (!continued)
              check_value(s, stack, name, trim(text.substr(eq + 1)), where);
          }
        else
          throw InputError(where + "cannot read '" + text +
                           "': a line is 'subsection <name>', 'end', 'set <entry> = <value>', "
                           "'include <file>' or a # comment");
      }
    if (!stack.empty())
      throw InputError("error in parameter file '" + file + "': " + path_of(stack) +
                       " is not closed by 'end'");
    return expanded;
  }

  std::string
  check_json_file(const dealii::ParameterHandler &prm, const std::string &file, EntryLocations &locations)
  {
    const std::string           text = read_parameter_text(file);
    boost::property_tree::ptree tree;
    try
      {
        std::istringstream in(text);
        boost::property_tree::read_json(in, tree);
      }
    catch (const boost::property_tree::json_parser_error &e)
      {
        throw InputError("error in parameter file '" + file + "', line " + std::to_string(e.line()) +
                         ": not valid JSON (" + e.message() + ")");
      }
    if (!tree.data().empty() || tree.empty())
      throw InputError("error in parameter file '" + file +
                       "': the JSON file must be an object of entries and "
                       "subsections, as 'hyfe --print-parameters json' writes");
    std::vector<std::string> lines;
    {
      std::istringstream in(text);
      for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    }
    const Section            root = declared_tree(prm);
    std::vector<std::string> stack;
    check_json_node(tree, root, stack, lines, 0, file, locations);
    return text;
  }

  void
  check_documented_ranges(const dealii::ParameterHandler &prm,
                          const std::string              &file,
                          const EntryLocations           &locations)
  {
    std::vector<std::string> stack;
    check_ranges(declared_tree(prm), stack, file, locations);
  }
} // namespace hyfe
