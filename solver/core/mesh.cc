#include "solver/core/mesh.h"

#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/distributed/grid_refinement.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/grid/grid_generator.h>
#include <deal.II/grid/grid_in.h>
#include <deal.II/grid/manifold_lib.h>
#include <deal.II/lac/vector.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "solver/core/exceptions.h"
#include "solver/core/parameters.h"

namespace hyfe
{
  void
  MeshParameters::declare_parameters(dealii::ParameterHandler &prm)
  {
    using namespace dealii;
    prm.enter_subsection("mesh");
    prm.declare_entry("source",
                      "generator",
                      Patterns::Selection("generator|file"),
                      "Where the coarse mesh comes from: a deal.II GridGenerator function or a gmsh "
                      ".msh file. Unitless.");
    prm.declare_entry("generator",
                      "hyper_cube",
                      Patterns::Anything(),
                      "Name of the deal.II GridGenerator function (e.g. hyper_cube, hyper_rectangle, "
                      "subdivided_hyper_rectangle, hyper_shell, hyper_ball). Unitless.");
    prm.declare_entry("generator arguments",
                      "0 : 1 : true",
                      Patterns::Anything(),
                      "Arguments of the generator, separated by ':', points as 'x, y', as in "
                      "GridGenerator::generate_from_name_and_arguments(). Lengths in the case's "
                      "length unit.");
    prm.declare_entry("file",
                      "",
                      Patterns::Anything(),
                      "gmsh .msh file (format 2.2 or 4), relative to the parameter file's folder. "
                      "Used when source = file.");
    prm.declare_entry("global refinements",
                      "0",
                      Patterns::Integer(0, 20),
                      "Number of uniform refinements of the coarse mesh. Unitless, in [0, 20].");
    prm.declare_entry("circle manifold",
                      "",
                      Patterns::Anything(),
                      "Curved boundary: 'id : x, y' makes the faces with boundary id 'id' a circle around "
                      "(x, y) in 2D (in 3D a cylinder along z through (x, y, z)), so that refinement "
                      "stays on the curve. Empty: none. Lengths in the case's length unit.");
    prm.leave_subsection();
  }

  void
  MeshParameters::parse_parameters(dealii::ParameterHandler &prm, const std::string &case_folder)
  {
    prm.enter_subsection("mesh");
    source              = prm.get("source");
    generator           = prm.get("generator");
    generator_arguments = prm.get("generator arguments");
    file                = prm.get("file");
    if (!file.empty())
      file = resolve_path(case_folder, file);
    global_refinements = prm.get_integer("global refinements");
    circle_manifold    = prm.get("circle manifold");
    prm.leave_subsection();
  }

  void
  MeshParameters::check_files() const
  {
    if (source != "file")
      return;
    if (file.empty())
      throw InputError("entry 'mesh/file' is empty, but 'mesh/source' is 'file'");
    if (std::filesystem::is_directory(file))
      throw InputError("entry 'mesh/file': '" + file + "' is a directory, not a gmsh mesh file");
    std::ifstream in(file);
    if (!in)
      throw InputError("entry 'mesh/file': cannot open the mesh file '" + file + "'");
    check_msh_structure(file);
  }

  void
  check_msh_structure(const std::string &file)
  {
    const std::string where = "entry 'mesh/file': the gmsh mesh '" + file + "' ";
    std::ifstream     in(file, std::ios::binary);
    std::string       line;
    unsigned int      number = 0;
    auto              next   = [&]() {
      const bool ok = static_cast<bool>(std::getline(in, line));
      if (ok)
        {
          ++number;
          if (!line.empty() && line.back() == '\r')
            line.pop_back();
        }
      return ok;
    };
    while (next() && line.find_first_not_of(" \t") == std::string::npos)
      ;
    if (number == 0 || (in.eof() && line.empty()))
      throw InputError(where + "is empty");
    if (line != "$MeshFormat")
      throw InputError(where + "is not a gmsh .msh file: it does not start with '$MeshFormat' (line " +
                       std::to_string(number) + " is '" + line.substr(0, 40) + "')");
    std::string format_line;
    if (!next())
      throw InputError(where + "is truncated: it ends inside $MeshFormat");
    format_line = line;
    std::istringstream format(format_line);
    double             version   = 0;
    int                file_type = -1;
    format >> version >> file_type;
    if (!format || (version != 2.2 && (version < 4 || version >= 5)))
      throw InputError(where + "has the format line '" + format_line +
                       "'; hyfe reads gmsh formats 2.2 and 4 (save with 'gmsh -format msh22' or msh4)");
    if (file_type != 0)
      return; // a binary file: deal.II's reader checks it
    std::set<std::string> sections{"MeshFormat"};
    std::string           open     = "MeshFormat";
    long                  declared = -1, counted = 0;
    while (next())
      {
        if (line.empty() || line[0] != '$')
          {
            if (version == 2.2 && (open == "Nodes" || open == "Elements"))
              {
                if (declared < 0)
                  declared = std::atol(line.c_str());
                else
                  ++counted;
              }
            continue;
          }
        const std::string name = line.substr(1);
        if (name.rfind("End", 0) == 0)
          {
            if (open.empty() || name != "End" + open)
              throw InputError(where + "is corrupt: line " + std::to_string(number) + " is '" + line +
                               "', but " +
                               (open.empty() ? "no section is open" : "section $" + open + " is open"));
            if (version == 2.2 && (open == "Nodes" || open == "Elements") && declared != counted)
              throw InputError(where + "is corrupt: section $" + open + " declares " +
                               std::to_string(declared) + " entries but has " + std::to_string(counted) +
                               " (line " + std::to_string(number) + ")");
            open.clear();
            continue;
          }
        if (!open.empty())
          throw InputError(where + "is corrupt: section $" + open + " has no $End" + open + " before line " +
                           std::to_string(number) + " ('" + line + "')");
        open     = name;
        declared = -1;
        counted  = 0;
        sections.insert(name);
      }
    if (!open.empty())
      throw InputError(where + "is truncated: section $" + open + " has no $End" + open +
                       " (the file ends at line " + std::to_string(number) + ")");
    for (const std::string required : {"Nodes", "Elements"})
      if (sections.count(required) == 0)
        throw InputError(where + "is incomplete: it has no $" + required + " section");
  }

  void
  AdaptivityParameters::declare_parameters(dealii::ParameterHandler &prm)
  {
    using namespace dealii;
    prm.enter_subsection("adaptivity");
    prm.declare_entry("interval",
                      "0",
                      Patterns::Integer(0),
                      "Adapt the mesh every this many time steps; 0 switches adaptivity off. Steps, >= 0.");
    prm.declare_entry("strategy",
                      "fixed-number",
                      Patterns::Selection("fixed-number|fixed-fraction"),
                      "fixed-number: refine/coarsen the given fractions of the cells; fixed-fraction: "
                      "the cells holding the given fractions of the total error. Unitless.");
    prm.declare_entry("refine fraction",
                      "0.3",
                      Patterns::Double(0., 1.),
                      "Fraction of cells (or of the error) to refine. Unitless, in [0, 1].");
    prm.declare_entry("coarsen fraction",
                      "0.03",
                      Patterns::Double(0., 1.),
                      "Fraction of cells (or of the error) to coarsen. Unitless, in [0, 1].");
    prm.declare_entry("minimum level",
                      "0",
                      Patterns::Integer(0, 30),
                      "Cells are not coarsened below this refinement level. Unitless, in [0, 30].");
    prm.declare_entry("maximum level",
                      "10",
                      Patterns::Integer(0, 30),
                      "Cells are not refined beyond this refinement level. Unitless, in [0, 30].");
    prm.declare_entry("initial refinement cycles",
                      "0",
                      Patterns::Integer(0, 20),
                      "Adaptive refinements on the initial condition before the first step. Unitless, "
                      "in [0, 20].");
    prm.leave_subsection();
  }

  void
  AdaptivityParameters::parse_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("adaptivity");
    interval         = prm.get_integer("interval");
    strategy         = prm.get("strategy");
    refine_fraction  = prm.get_double("refine fraction");
    coarsen_fraction = prm.get_double("coarsen fraction");
    minimum_level    = prm.get_integer("minimum level");
    maximum_level    = prm.get_integer("maximum level");
    initial_cycles   = prm.get_integer("initial refinement cycles");
    prm.leave_subsection();
    if (refine_fraction + coarsen_fraction > 1.)
      throw InputError(
        "entries 'adaptivity/refine fraction' + 'adaptivity/coarsen fraction' must not exceed 1");
    if (minimum_level > maximum_level)
      throw InputError("entry 'adaptivity/minimum level' (" + std::to_string(minimum_level) +
                       ") exceeds 'adaptivity/maximum level' (" + std::to_string(maximum_level) + ")");
  }

  void
  check_boundary_conditions(
    const std::set<dealii::types::boundary_id>                                         &mesh_ids,
    const std::vector<std::pair<std::string, std::vector<dealii::types::boundary_id>>> &conditions,
    const std::string                                                                  &where,
    const std::string                                                                  &hint)
  {
    auto list = [](const std::set<dealii::types::boundary_id> &ids) {
      std::string s;
      for (const auto id : ids)
        s += (s.empty() ? "" : ", ") + std::to_string(id);
      return "{" + s + "}";
    };
    std::map<dealii::types::boundary_id, std::string> seen;
    std::string                                       entries;
    for (const auto &[entry, ids] : conditions)
      {
        entries += (entries.empty() ? "'" : ", '") + entry + "'";
        for (const auto id : ids)
          {
            if (mesh_ids.count(id) == 0)
              throw InputError(where + "entry '" + entry + "' lists boundary id " + std::to_string(id) +
                               ", which the mesh does not have; the mesh's boundary ids are " +
                               list(mesh_ids));
            const auto it = seen.find(id);
            if (it != seen.end())
              throw InputError(where + "boundary id " + std::to_string(id) +
                               " is given two conditions, in '" + it->second + "' and in '" + entry + "'");
            seen[id] = entry;
          }
      }
    std::set<dealii::types::boundary_id> missing;
    for (const auto id : mesh_ids)
      if (seen.count(id) == 0)
        missing.insert(id);
    if (!missing.empty())
      throw InputError(where + "the mesh's boundary ids " + list(missing) +
                       " have no condition; list each under " + entries + hint);
  }

  namespace
  {
    template <int dim>
    void
    attach_circle_manifold(dealii::parallel::distributed::Triangulation<dim, dim> &triangulation,
                           const std::string                                      &text)
    {
      const auto parts = dealii::Utilities::split_string_list(text, ':');
      if (parts.size() != 2)
        throw InputError("entry 'mesh/circle manifold': expected 'id : x, y', found '" + text + "'");
      const auto ids    = parse_boundary_ids(parts[0], "mesh/circle manifold");
      const auto coords = dealii::Utilities::split_string_list(parts[1], ',');
      if (ids.size() != 1 || coords.size() < 2 || coords.size() > dim)
        throw InputError("entry 'mesh/circle manifold': expected 'id : x, y', found '" + text + "'");
      dealii::Point<dim> center;
      for (unsigned int d = 0; d < coords.size(); ++d)
        center[d] = dealii::Utilities::string_to_double(coords[d]);
      const auto mesh_ids = triangulation.get_boundary_ids();
      if (std::find(mesh_ids.begin(), mesh_ids.end(), ids[0]) == mesh_ids.end())
        throw InputError("entry 'mesh/circle manifold': the mesh has no boundary id " +
                         std::to_string(ids[0]));
      const dealii::types::manifold_id manifold = 1;
      triangulation.set_all_manifold_ids_on_boundary(ids[0], manifold);
      if constexpr (dim == 2)
        triangulation.set_manifold(manifold, dealii::SphericalManifold<dim>(center));
      else
        triangulation.set_manifold(manifold,
                                   dealii::CylindricalManifold<dim>(dealii::Tensor<1, dim>({0., 0., 1.}),
                                                                    center));
    }
  } // namespace

  template <int dim>
  void
  create_coarse_mesh(dealii::parallel::distributed::Triangulation<dim, dim> &triangulation,
                     const MeshParameters                                   &parameters)
  {
    if (parameters.source == "generator")
      {
        try
          {
            dealii::GridGenerator::generate_from_name_and_arguments(triangulation,
                                                                    parameters.generator,
                                                                    parameters.generator_arguments);
          }
        catch (const std::exception &e)
          {
            throw InputError("entries 'mesh/generator' = '" + parameters.generator +
                             "' and 'mesh/generator arguments' = '" + parameters.generator_arguments +
                             "': " + exception_message(e));
          }
      }
    else
      {
        parameters.check_files();
        dealii::GridIn<dim> grid_in;
        grid_in.attach_triangulation(triangulation);
        std::ifstream in(parameters.file);
        try
          {
            grid_in.read_msh(in);
          }
        catch (const std::exception &e)
          {
            throw InputError("entry 'mesh/file': cannot read the gmsh mesh '" + parameters.file +
                             "': " + exception_message(e));
          }
      }
    if (!parameters.circle_manifold.empty())
      attach_circle_manifold(triangulation, parameters.circle_manifold);
  }


  template <int dim>
  std::set<dealii::types::boundary_id>
  global_boundary_ids(const dealii::parallel::distributed::Triangulation<dim, dim> &triangulation)
  {
    // the coarse mesh is known to every rank, so its ids are the global ones
    const auto ids = triangulation.get_boundary_ids();
    return {ids.begin(), ids.end()};
  }

  template <int dim>
  void
  mark_cells(dealii::parallel::distributed::Triangulation<dim, dim> &triangulation,
             const dealii::Vector<float>                            &indicators,
             const AdaptivityParameters                             &parameters)
  {
    namespace GR = dealii::parallel::distributed::GridRefinement;
    if (parameters.strategy == "fixed-number")
      GR::refine_and_coarsen_fixed_number(triangulation,
                                          indicators,
                                          parameters.refine_fraction,
                                          parameters.coarsen_fraction);
    else
      GR::refine_and_coarsen_fixed_fraction(triangulation,
                                            indicators,
                                            parameters.refine_fraction,
                                            parameters.coarsen_fraction);
    for (const auto &cell : triangulation.active_cell_iterators())
      if (cell->is_locally_owned())
        {
          if (cell->level() >= static_cast<int>(parameters.maximum_level))
            cell->clear_refine_flag();
          if (cell->level() <= static_cast<int>(parameters.minimum_level))
            cell->clear_coarsen_flag();
        }
  }

  template void
  create_coarse_mesh<2>(dealii::parallel::distributed::Triangulation<2, 2> &, const MeshParameters &);
  template void
  create_coarse_mesh<3>(dealii::parallel::distributed::Triangulation<3, 3> &, const MeshParameters &);
  template std::set<dealii::types::boundary_id>
  global_boundary_ids<2>(const dealii::parallel::distributed::Triangulation<2, 2> &);
  template std::set<dealii::types::boundary_id>
  global_boundary_ids<3>(const dealii::parallel::distributed::Triangulation<3, 3> &);
  template void
  mark_cells<2>(dealii::parallel::distributed::Triangulation<2, 2> &,
                const dealii::Vector<float> &,
                const AdaptivityParameters &);
  template void
  mark_cells<3>(dealii::parallel::distributed::Triangulation<3, 3> &,
                const dealii::Vector<float> &,
                const AdaptivityParameters &);
} // namespace hyfe
