#include "solver/core/data_check.h"

#include <deal.II/base/function.h>
#include <deal.II/base/geometry_info.h>
#include <deal.II/base/mpi.h>
#include <deal.II/fe/mapping_q1.h>
#include <deal.II/grid/tria.h>
#include <deal.II/lac/vector.h>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <unistd.h>

#include "solver/core/exceptions.h"

namespace hyfe
{
  namespace
  {
    template <int dim>
    std::string
    format_point(const dealii::Point<dim> &p)
    {
      std::ostringstream s;
      s << std::setprecision(6) << "(";
      for (unsigned int d = 0; d < dim; ++d)
        s << (d ? ", " : "") << p[d];
      s << ")";
      return s.str();
    }

    std::string
    format_number(const double v)
    {
      if (std::isnan(v))
        return "nan";
      std::ostringstream s;
      s << std::setprecision(6) << v;
      return s.str();
    }

    std::string
    format_bytes(const double bytes)
    {
      std::ostringstream s;
      s << std::setprecision(3) << bytes / (1024. * 1024. * 1024.) << " GiB";
      return s.str();
    }

    /** The points where the expression is checked: vertices and centres of cells or boundary faces. */
    template <int dim>
    std::vector<dealii::Point<dim>>
    check_points(const dealii::Triangulation<dim, dim>         &triangulation,
                 const std::vector<dealii::types::boundary_id> &ids,
                 const bool                                     owned_only)
    {
      // each vertex once; the cell and face centres only on the coarse mesh (owned_only false),
      // where they add points inside coarse cells, while a refined mesh has enough vertices
      std::vector<dealii::Point<dim>> points;
      std::vector<bool>               seen(triangulation.n_vertices(), false);
      auto                            add = [&](const auto &object) {
        for (const unsigned int v : object->vertex_indices())
          if (!seen[object->vertex_index(v)])
            {
              seen[object->vertex_index(v)] = true;
              points.push_back(object->vertex(v));
            }
        if (!owned_only)
          points.push_back(object->center());
      };
      for (const auto &cell : triangulation.active_cell_iterators())
        {
          if (owned_only && !cell->is_locally_owned())
            continue;
          if (ids.empty())
            add(cell);
          else
            for (const auto &face : cell->face_iterators())
              if (face->at_boundary() && std::find(ids.begin(), ids.end(), face->boundary_id()) != ids.end())
                add(face);
        }
      return points;
    }
  } // namespace

  template <int dim>
  void
  check_data_on_mesh(const dealii::Triangulation<dim, dim>  &triangulation,
                     const std::vector<DataExpression<dim>> &data,
                     const std::vector<double>              &times,
                     const bool                              owned_only)
  {
    for (const auto &d : data)
      {
        if (d.function == nullptr)
          continue;
        const auto                points = check_points(triangulation, d.boundary_ids, owned_only);
        const double              saved  = d.function->get_time();
        const unsigned int        n      = d.function->n_components;
        dealii::Vector<double>    values(n);
        const std::vector<double> at = d.initial_only ? std::vector<double>{times.front()} : times;
        for (const double t : at)
          {
            d.function->set_time(t);
            for (const auto &p : points)
              {
                d.function->vector_value(p, values);
                for (unsigned int c = 0; c < n; ++c)
                  {
                    const double v = values[c];
                    std::string  problem;
                    if (!std::isfinite(v))
                      problem = "is not finite";
                    else if (d.sign == Sign::non_negative && v < 0)
                      problem = "must be >= 0, but is negative";
                    else if (d.sign == Sign::positive && v <= 0)
                      problem = "must be > 0";
                    if (problem.empty())
                      continue;
                    d.function->set_time(saved);
                    throw InputError(
                      "entry '" + d.entry + "' " + problem + ": it is " + format_number(v) +
                      (n > 1 ? " in component " + std::to_string(c + 1) : "") + " at the point " +
                      format_point(p) + (d.boundary_ids.empty() ? "" : " on the boundary") +
                      " at t = " + format_number(t) +
                      " (checked at the mesh's vertices and cell centres before the first step)");
                  }
              }
          }
        d.function->set_time(saved);
      }
  }

  void
  check_problem_size(const double       n_cells,
                     const double       dofs_per_cell,
                     const unsigned int global_refinements,
                     MPI_Comm           comm)
  {
    // the memory of every node of the job: one rank per node counts its node's memory
    MPI_Comm node;
    MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
    const bool node_root = dealii::Utilities::MPI::this_mpi_process(node) == 0;
    MPI_Comm_free(&node);
    const double node_memory = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGE_SIZE);
    const double memory      = dealii::Utilities::MPI::sum(node_root ? node_memory : 0., comm);
    // a lower estimate: about 1 kB per cell (triangulation, p4est, DoF handler, mapping data) and
    // 0.5 kB per DoF (sparse matrices, preconditioners, vectors)
    const double dofs     = n_cells * dofs_per_cell;
    const double estimate = 1e3 * n_cells + 5e2 * dofs;
    if (estimate > memory)
      throw InputError("entry 'mesh/global refinements' = " + std::to_string(global_refinements) +
                       " makes about " + format_number(n_cells) + " cells and " + format_number(dofs) +
                       " DoFs, which need at least about " + format_bytes(estimate) + " of memory; the " +
                       "nodes of this job have " + format_bytes(memory) + " in all. Use fewer refinements.");
  }

  template <int dim>
  void
  check_point_in_mesh(const dealii::Triangulation<dim, dim> &triangulation,
                      const dealii::Point<dim>              &point,
                      const std::string                     &entry)
  {
    const dealii::MappingQ1<dim> mapping;
    for (const auto &cell : triangulation.active_cell_iterators())
      {
        try
          {
            const auto unit = mapping.transform_real_to_unit_cell(cell, point);
            if (dealii::GeometryInfo<dim>::is_inside_unit_cell(unit, 1e-8))
              return;
          }
        catch (...)
          {
            // the point is far from this cell (the inverse map does not converge)
          }
      }
    throw InputError("entry '" + entry + "': the point " + format_point(point) +
                     " lies outside the mesh; every point must be inside the domain or on its boundary");
  }

  template void
  check_data_on_mesh<2>(const dealii::Triangulation<2, 2> &,
                        const std::vector<DataExpression<2>> &,
                        const std::vector<double> &,
                        bool);
  template void
  check_data_on_mesh<3>(const dealii::Triangulation<3, 3> &,
                        const std::vector<DataExpression<3>> &,
                        const std::vector<double> &,
                        bool);
  template void
  check_point_in_mesh<2>(const dealii::Triangulation<2, 2> &, const dealii::Point<2> &, const std::string &);
  template void
  check_point_in_mesh<3>(const dealii::Triangulation<3, 3> &, const dealii::Point<3> &, const std::string &);
} // namespace hyfe
