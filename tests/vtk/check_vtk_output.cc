/**
 * @file
 * @brief Reads the field output of a hyfe run back with VTK and checks it against the run.
 *
 * usage: check_vtk_output --dir OUTPUT --degree P --dim D --ranks R --groups G --steps 0,3,6,7
 *                         --start T0 --dt DT [--base solution] [--stats OUTPUT/stats.csv]
 *                         [--level L] [--exact EXPR --constants "a=1, b=2"]
 *
 * Checks: the .pvd lists one DataSet per expected output step, with the step's time and an
 * existing .pvtu; each .pvtu has min(G, R) pieces and is read by vtkXMLPUnstructuredGridReader; the
 * point arrays c, error, subdomain and level exist; the number of cells equals the number of active
 * cells (stats.csv `cells` of the same step; step 0: of step 1, before any adaptation) and the
 * number of points equals cells * (P+1)^D (one patch per cell); the cells are Lagrange cells for
 * P = 2 and linear ones for P = 1; subdomain takes every value 0..R-1; level is L everywhere (if
 * given); and c - error equals the exact solution at the points (error = c_h - I_h c).
 * Prints one line per check; exit status 1 if any failed.
 */
#include <deal.II/base/function_parser.h>
#include <deal.II/base/point.h>

#include <vtkCellType.h>
#include <vtkDataArray.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkUnstructuredGrid.h>
#include <vtkXMLPUnstructuredGridReader.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace
{
  int n_failed = 0;
  int n_checks = 0;

  bool
  check(const bool ok, const std::string &message)
  {
    ++n_checks;
    std::cout << (ok ? "PASS  " : "FAIL  ") << message << std::endl;
    if (!ok)
      ++n_failed;
    return ok;
  }

  std::string
  read_file(const std::string &file)
  {
    std::ifstream      in(file);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::vector<std::string>
  split(const std::string &text, const char separator)
  {
    std::vector<std::string> parts;
    std::stringstream        s(text);
    std::string              part;
    while (std::getline(s, part, separator))
      if (!part.empty())
        parts.push_back(part);
    return parts;
  }

  /** Attributes of every `<tag .../>` element in @p xml. */
  std::vector<std::map<std::string, std::string>>
  elements(const std::string &xml, const std::string &tag)
  {
    std::vector<std::map<std::string, std::string>> out;
    const std::regex                                element("<" + tag + R"(\s([^>]*?)/?>)");
    const std::regex                                attribute(R"re(([A-Za-z_][\w.-]*)\s*=\s*"([^"]*)")re");
    for (auto it = std::sregex_iterator(xml.begin(), xml.end(), element); it != std::sregex_iterator(); ++it)
      {
        std::map<std::string, std::string> attributes;
        const std::string                  body = (*it)[1];
        for (auto a = std::sregex_iterator(body.begin(), body.end(), attribute); a != std::sregex_iterator();
             ++a)
          attributes[(*a)[1]] = (*a)[2];
        out.push_back(attributes);
      }
    return out;
  }

  /** stats.csv: step -> cells. */
  std::map<long, long>
  cells_per_step(const std::string &file)
  {
    std::map<long, long> cells;
    std::ifstream        in(file);
    std::string          line;
    if (!std::getline(in, line))
      return cells;
    const auto header = split(line, ',');
    int        i_step = -1, i_cells = -1;
    for (int i = 0; i < static_cast<int>(header.size()); ++i)
      {
        if (header[i] == "step")
          i_step = i;
        if (header[i] == "cells")
          i_cells = i;
      }
    if (i_step < 0 || i_cells < 0)
      return cells;
    while (std::getline(in, line))
      {
        const auto values = split(line, ',');
        if (static_cast<int>(values.size()) > std::max(i_step, i_cells))
          cells[std::lround(std::stod(values[i_step]))] = std::lround(std::stod(values[i_cells]));
      }
    return cells;
  }

  template <int dim>
  std::unique_ptr<dealii::FunctionParser<dim>>
  exact_function(const std::string &expression, const std::string &constants_text)
  {
    std::map<std::string, double> constants{{"pi", M_PI}};
    for (const auto &item : split(constants_text, ','))
      {
        const auto eq = item.find('=');
        if (eq == std::string::npos)
          continue;
        std::string name = item.substr(0, eq);
        name.erase(0, name.find_first_not_of(' '));
        name.erase(name.find_last_not_of(' ') + 1);
        constants[name] = std::stod(item.substr(eq + 1));
      }
    auto f = std::make_unique<dealii::FunctionParser<dim>>(1);
    f->initialize(dim == 2 ? "x,y,t" : "x,y,z,t", expression, constants, true);
    return f;
  }

  /** max |c - error - exact(x, t)| over the points. */
  template <int dim>
  double
  max_interpolation_mismatch(vtkUnstructuredGrid   *grid,
                             vtkDataArray          *c,
                             vtkDataArray          *error,
                             const std::string     &expression,
                             const std::string     &constants,
                             const double           time,
                             std::array<double, 2> &scale)
  {
    auto f = exact_function<dim>(expression, constants);
    f->set_time(time);
    double worst = 0;
    scale        = {{0., 0.}};
    for (vtkIdType i = 0; i < grid->GetNumberOfPoints(); ++i)
      {
        double x[3];
        grid->GetPoint(i, x);
        dealii::Point<dim> p;
        for (int d = 0; d < dim; ++d)
          p[d] = x[d];
        const double exact = f->value(p);
        worst              = std::max(worst, std::abs(c->GetTuple1(i) - error->GetTuple1(i) - exact));
        scale[0]           = std::max(scale[0], std::abs(exact));
        scale[1]           = std::max(scale[1], std::abs(error->GetTuple1(i)));
      }
    return worst;
  }
} // namespace

int
main(int argc, char **argv)
{
  std::map<std::string, std::string> option{
    {"--base", "solution"}, {"--level", ""}, {"--exact", ""}, {"--constants", ""}, {"--stats", ""}};
  for (int i = 1; i + 1 < argc; i += 2)
    option[argv[i]] = argv[i + 1];
  for (const char *required :
       {"--dir", "--degree", "--dim", "--ranks", "--groups", "--steps", "--start", "--dt"})
    if (option.count(required) == 0)
      {
        std::cerr << "check_vtk_output: missing option " << required << " (see the file's documentation)\n";
        return 2;
      }
  const std::string dir    = option["--dir"];
  const int         degree = std::stoi(option["--degree"]);
  const int         dim    = std::stoi(option["--dim"]);
  const int         ranks  = std::stoi(option["--ranks"]);
  const int         groups = std::stoi(option["--groups"]);
  const double      start  = std::stod(option["--start"]);
  const double      dt     = std::stod(option["--dt"]);
  std::vector<long> steps;
  for (const auto &s : split(option["--steps"], ','))
    steps.push_back(std::stol(s));
  const std::string stats_file = option["--stats"].empty() ? dir + "/stats.csv" : option["--stats"];
  const auto        cells      = cells_per_step(stats_file);
  check(!cells.empty(), "stats.csv '" + stats_file + "' has the columns step and cells");

  // --- the .pvd time series ---
  const std::string pvd_file = dir + "/" + option["--base"] + ".pvd";
  const std::string pvd      = read_file(pvd_file);
  check(pvd.find("<VTKFile") != std::string::npos && pvd.find("type=\"Collection\"") != std::string::npos,
        pvd_file + " is a VTK Collection file");
  const auto datasets = elements(pvd, "DataSet");
  check(datasets.size() == steps.size(),
        "the .pvd lists " + std::to_string(datasets.size()) + " DataSets, expected " +
          std::to_string(steps.size()) + " (one per output step " + option["--steps"] + ")");

  const int  expected_type   = degree == 1 ? (dim == 2 ? VTK_QUAD : VTK_HEXAHEDRON)
                                           : (dim == 2 ? VTK_LAGRANGE_QUADRILATERAL : VTK_LAGRANGE_HEXAHEDRON);
  const long points_per_cell = std::lround(std::pow(degree + 1, dim));

  for (std::size_t k = 0; k < std::min(datasets.size(), steps.size()); ++k)
    {
      const long        step = steps[k];
      const std::string what = "record " + std::to_string(k) + " (step " + std::to_string(step) + ")";
      const auto       &ds   = datasets[k];
      const double      expected_time = start + step * dt;
      const double      time          = ds.count("timestep") ? std::stod(ds.at("timestep")) : std::nan("");
      check(std::abs(time - expected_time) <= 1e-9 + 1e-5 * std::abs(expected_time),
            what + ": timestep " + (ds.count("timestep") ? ds.at("timestep") : "(none)") +
              " = t0 + step dt = " + std::to_string(expected_time));
      const std::string pvtu = dir + "/" + (ds.count("file") ? ds.at("file") : "");
      if (!check(ds.count("file") && std::filesystem::is_regular_file(pvtu),
                 what + ": file '" + pvtu + "' exists"))
        continue;

      const auto pieces = elements(read_file(pvtu), "Piece");
      check(static_cast<int>(pieces.size()) == std::min(groups, ranks),
            what + ": " + std::to_string(pieces.size()) +
              " piece(s), expected min(groups, ranks) = " + std::to_string(std::min(groups, ranks)));
      for (const auto &piece : pieces)
        check(piece.count("Source") && std::filesystem::is_regular_file(dir + "/" + piece.at("Source")),
              what + ": piece '" + (piece.count("Source") ? piece.at("Source") : "") + "' exists");

      vtkNew<vtkXMLPUnstructuredGridReader> reader;
      reader->SetFileName(pvtu.c_str());
      reader->Update();
      vtkUnstructuredGrid *grid = reader->GetOutput();
      if (!check(grid != nullptr && grid->GetNumberOfPoints() > 0,
                 what + ": vtkXMLPUnstructuredGridReader reads it"))
        continue;

      vtkPointData *data = grid->GetPointData();
      for (const char *name : {"c", "error", "subdomain", "level"})
        check(data->GetArray(name) != nullptr, what + ": point array '" + name + "' exists");

      const long step_for_cells = std::max<long>(step, 1); // step 0: the mesh of the first step
      if (check(cells.count(step_for_cells) > 0,
                what + ": stats.csv has a row for step " + std::to_string(step_for_cells)))
        {
          const long n_cells = cells.at(step_for_cells);
          check(grid->GetNumberOfCells() == n_cells,
                what + ": " + std::to_string(grid->GetNumberOfCells()) +
                  " VTK cells = " + std::to_string(n_cells) + " active cells (stats.csv cells of step " +
                  std::to_string(step_for_cells) + ")");
          check(grid->GetNumberOfPoints() == n_cells * points_per_cell,
                what + ": " + std::to_string(grid->GetNumberOfPoints()) +
                  " points = cells * (degree+1)^dim = " + std::to_string(n_cells * points_per_cell));
        }

      std::set<int> types;
      for (vtkIdType i = 0; i < grid->GetNumberOfCells(); ++i)
        types.insert(grid->GetCellType(i));
      std::string type_list;
      for (const int t : types)
        type_list += (type_list.empty() ? "" : ",") + std::to_string(t);
      check(types.size() == 1 && *types.begin() == expected_type,
            what + ": cell types {" + type_list + "}, expected {" + std::to_string(expected_type) + "}" +
              (degree == 2 ? " (Lagrange cells)" : ""));

      if (auto *subdomain = data->GetArray("subdomain"))
        {
          std::set<long> ids;
          bool           integral = true;
          for (vtkIdType i = 0; i < subdomain->GetNumberOfTuples(); ++i)
            {
              const double v = subdomain->GetTuple1(i);
              integral       = integral && v == std::round(v);
              ids.insert(std::lround(v));
            }
          std::set<long> all;
          for (long r = 0; r < ranks; ++r)
            all.insert(r);
          check(integral && ids == all,
                what + ": subdomain takes exactly the values 0.." + std::to_string(ranks - 1));
        }
      if (auto *level = data->GetArray("level"); level != nullptr)
        {
          double lo = 1e300, hi = -1e300;
          for (vtkIdType i = 0; i < level->GetNumberOfTuples(); ++i)
            {
              lo = std::min(lo, level->GetTuple1(i));
              hi = std::max(hi, level->GetTuple1(i));
            }
          if (!option["--level"].empty())
            check(lo == hi && lo == std::stod(option["--level"]),
                  what + ": level is " + option["--level"] + " everywhere (range " + std::to_string(lo) +
                    ".." + std::to_string(hi) + ")");
          else
            check(lo >= 0 && hi <= 30 && lo == std::round(lo) && hi == std::round(hi),
                  what + ": level in [0, 30] (range " + std::to_string(lo) + ".." + std::to_string(hi) + ")");
        }

      auto *c     = data->GetArray("c");
      auto *error = data->GetArray("error");
      if (c != nullptr && error != nullptr && !option["--exact"].empty())
        {
          std::array<double, 2> scale{};
          const double          mismatch =
            dim == 2 ? max_interpolation_mismatch<2>(
                         grid, c, error, option["--exact"], option["--constants"], time, scale)
                              : max_interpolation_mismatch<3>(
                         grid, c, error, option["--exact"], option["--constants"], time, scale);
          // the output is single precision
          check(mismatch <= 1e-5 * std::max(1., scale[0]),
                what + ": max |c - error - exact(x, t)| = " + std::to_string(mismatch) +
                  " <= 1e-5 (max |exact| " + std::to_string(scale[0]) + ", max |error| " +
                  std::to_string(scale[1]) + ")");
          // non-zero after the first step; at step 0 the initial condition interpolates the exact
          // solution (the error is non-zero only at hanging nodes, where c_h is constrained)
          check((step == 0 || scale[1] > 0) && scale[1] < 0.1 * std::max(1e-30, scale[0]),
                what + ": the error field is small" + (step == 0 ? "" : " and non-zero") + " (max |error| " +
                  std::to_string(scale[1]) + ")");
        }
    }

  std::cout << "\n"
            << (n_failed ? "FAILED: " : "passed: ") << n_checks - n_failed << " of " << n_checks
            << " checks passed" << std::endl;
  return n_failed ? 1 : 0;
}
