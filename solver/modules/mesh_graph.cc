#include "solver/modules/mesh_graph.h"

#include <deal.II/base/partitioner.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/grid/tria.h>
#include <deal.II/lac/affine_constraints.h>
#include <deal.II/lac/la_parallel_vector.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "solver/core/exceptions.h"

namespace hyfe
{
  using namespace dealii;

  template <int dim>
  VertexGraph<dim>::VertexGraph() = default;

  template <int dim>
  VertexGraph<dim>::~VertexGraph() = default;

  template <int dim>
  std::vector<std::string>
  VertexGraph<dim>::node_feature_names()
  {
    std::vector<std::string> names{"monitor_over_mean"};
    for (unsigned int c = 0; c < dim; ++c)
      names.push_back(std::string("monitor_gradient_") + "xyz"[c]);
    for (const char *name : {"log2_cell_size_over_mean", "sliding", "fixed", "hanging"})
      names.emplace_back(name);
    for (unsigned int c = 0; c < dim; ++c)
      names.push_back(std::string("linearised_displacement_") + "xyz"[c]);
    return names;
  }

  template <int dim>
  std::vector<std::string>
  VertexGraph<dim>::edge_feature_names()
  {
    std::vector<std::string> names;
    for (const char *what : {"reference_offset_", "current_offset_"})
      for (unsigned int c = 0; c < dim; ++c)
        names.push_back(what + std::string(1, "xyz"[c]));
    names.emplace_back("on_boundary");
    return names;
  }

  namespace
  {
    /** @brief The unit normal of a flat boundary face from its vertices (sign arbitrary). */
    template <typename Face>
    Tensor<1, 2>
    face_normal(const Face &face, std::integral_constant<int, 2>)
    {
      const Tensor<1, 2> t = face->vertex(1) - face->vertex(0);
      Tensor<1, 2>       n;
      n[0] = t[1];
      n[1] = -t[0];
      return n / n.norm();
    }

    template <typename Face>
    Tensor<1, 3>
    face_normal(const Face &face, std::integral_constant<int, 3>)
    {
      const Tensor<1, 3> n =
        cross_product_3d(face->vertex(3) - face->vertex(0), face->vertex(2) - face->vertex(1));
      return n / n.norm();
    }

    /** @brief Lexicographic order of points (exact: distinct vertices differ somewhere). */
    template <int dim>
    bool
    before(const Point<dim> &a, const Point<dim> &b)
    {
      for (unsigned int c = 0; c < dim; ++c)
        if (a[c] != b[c])
          return a[c] < b[c];
      return false;
    }
  } // namespace

  template <int dim>
  void
  VertexGraph<dim>::build(const DoFHandler<dim, dim>         &vertices,
                          const std::set<types::boundary_id> &fixed_ids,
                          MPI_Comm                            communicator)
  {
    comm       = communicator;
    owned_dofs = vertices.locally_owned_dofs();
    IndexSet relevant;
    DoFTools::extract_locally_relevant_dofs(vertices, relevant);
    ghost_dofs = relevant;
    ghost_dofs.subtract_set(owned_dofs);
    if (!owned_dofs.is_contiguous())
      throw RunError("the vertex graph of a learned mesh mover needs contiguous owned vertex DoFs");
    partitioners.clear();
    n_owned              = owned_dofs.n_elements();
    const unsigned int n = n_owned + ghost_dofs.n_elements();
    dofs.resize(n);
    for (unsigned int i = 0; i < n_owned; ++i)
      dofs[i] = owned_dofs.nth_index_in_set(i);
    for (unsigned int i = n_owned; i < n; ++i)
      dofs[i] = ghost_dofs.nth_index_in_set(i - n_owned);
    const auto local = [&](const types::global_dof_index g) -> unsigned int {
      return owned_dofs.is_element(g) ? owned_dofs.index_within_set(g)
                                      : n_owned + ghost_dofs.index_within_set(g);
    };

    AffineConstraints<double> constraints(relevant);
    DoFTools::make_hanging_node_constraints(vertices, constraints);
    constraints.close();

    xi.assign(n, Point<dim>());
    kind.assign(n, 0);
    hanging.assign(n, 0);
    normal.assign(n, Tensor<1, dim>());
    std::set<std::pair<unsigned int, unsigned int>> edges, boundary_edges;
    for (const auto &cell : vertices.active_cell_iterators())
      if (cell->is_locally_owned() || cell->is_ghost())
        {
          for (const unsigned int v : cell->vertex_indices())
            xi[local(cell->vertex_dof_index(v, 0))] = cell->vertex(v);
          for (unsigned int l = 0; l < cell->n_lines(); ++l)
            {
              const auto         line = cell->line(l);
              const unsigned int a    = local(line->vertex_dof_index(0, 0)),
                                 b    = local(line->vertex_dof_index(1, 0));
              edges.insert({a, b});
              edges.insert({b, a});
            }
          for (const auto &face : cell->face_iterators())
            if (face->at_boundary())
              {
                const bool fixed = fixed_ids.count(face->boundary_id()) > 0 ||
                                   face->manifold_id() != numbers::flat_manifold_id;
                const Tensor<1, dim> n_face = face_normal(face, std::integral_constant<int, dim>());
                for (unsigned int v = 0; v < face->n_vertices(); ++v)
                  {
                    const unsigned int i = local(face->vertex_dof_index(v, 0));
                    if (fixed)
                      kind[i] = 2;
                    else if (kind[i] == 0)
                      {
                        kind[i]   = 1;
                        normal[i] = n_face;
                      }
                    else if (kind[i] == 1 && std::abs(normal[i] * n_face) < 1. - 1e-8)
                      kind[i] = 2; // boundary faces of different normals meet: a corner
                  }
                for (unsigned int l = 0; l < (dim == 2 ? 1u : face->n_lines()); ++l)
                  {
                    unsigned int a, b;
                    if constexpr (dim == 2)
                      {
                        a = local(face->vertex_dof_index(0, 0));
                        b = local(face->vertex_dof_index(1, 0));
                      }
                    else
                      {
                        a = local(face->line(l)->vertex_dof_index(0, 0));
                        b = local(face->line(l)->vertex_dof_index(1, 0));
                      }
                    boundary_edges.insert({a, b});
                    boundary_edges.insert({b, a});
                  }
              }
        }
    for (unsigned int i = 0; i < n; ++i)
      hanging[i] = constraints.is_constrained(dofs[i]) ? 1 : 0;

    // edges sorted by target, then by the source's reference position
    std::vector<std::vector<unsigned int>> neighbours(n);
    for (const auto &[a, b] : edges)
      neighbours[a].push_back(b);
    target.clear();
    source.clear();
    on_boundary.clear();
    first_edge.assign(n + 1, 0);
    h.assign(n, 0.);
    for (unsigned int i = 0; i < n; ++i)
      {
        auto &list = neighbours[i];
        std::sort(list.begin(), list.end(), [&](const unsigned int a, const unsigned int b) {
          return before(xi[a], xi[b]);
        });
        first_edge[i] = target.size();
        for (const unsigned int j : list)
          {
            target.push_back(i);
            source.push_back(j);
            on_boundary.push_back(boundary_edges.count({i, j}) ? 1 : 0);
            h[i] += xi[i].distance(xi[j]);
          }
        h[i] /= std::max<std::size_t>(list.size(), 1);
      }
    first_edge[n] = target.size();

    // the ghosts' node attributes are their owners' (a ghost's neighbourhood may be incomplete)
    const unsigned int  n_a = 3 + dim;
    std::vector<double> attributes(n * n_a);
    for (unsigned int i = 0; i < n; ++i)
      {
        attributes[i * n_a + 0] = kind[i];
        attributes[i * n_a + 1] = hanging[i];
        attributes[i * n_a + 2] = h[i];
        for (unsigned int c = 0; c < dim; ++c)
          attributes[i * n_a + 3 + c] = normal[i][c];
      }
    update_ghosts(attributes, n_a);
    for (unsigned int i = n_owned; i < n; ++i)
      {
        kind[i]    = static_cast<unsigned char>(attributes[i * n_a + 0]);
        hanging[i] = static_cast<unsigned char>(attributes[i * n_a + 1]);
        h[i]       = attributes[i * n_a + 2];
        for (unsigned int c = 0; c < dim; ++c)
          normal[i][c] = attributes[i * n_a + 3 + c];
      }
    double sum = 0.;
    for (unsigned int i = 0; i < n_owned; ++i)
      sum += h[i];
    mean_h = Utilities::MPI::sum(sum, comm) / std::max(1., Utilities::MPI::sum(double(n_owned), comm));
  }

  template <int dim>
  unsigned int
  VertexGraph<dim>::node_of(const types::global_dof_index g) const
  {
    return owned_dofs.is_element(g) ? owned_dofs.index_within_set(g)
                                    : n_owned + ghost_dofs.index_within_set(g);
  }

  template <int dim>
  void
  VertexGraph<dim>::update_ghosts(std::vector<double> &values, const unsigned int components) const
  {
    auto &partitioner = partitioners[components];
    if (!partitioner)
      {
        const types::global_dof_index size = owned_dofs.size() * components;
        IndexSet                      owned(size), ghosts(size);
        if (n_owned > 0)
          owned.add_range(owned_dofs.nth_index_in_set(0) * components,
                          (owned_dofs.nth_index_in_set(n_owned - 1) + 1) * components);
        for (const auto g : ghost_dofs)
          ghosts.add_range(g * components, (g + 1) * components);
        owned.compress();
        ghosts.compress();
        partitioner = std::make_shared<const Utilities::MPI::Partitioner>(owned, ghosts, comm);
      }
    LinearAlgebra::distributed::Vector<double> v(partitioner);
    const std::size_t                          n_own = std::size_t(n_owned) * components;
    for (std::size_t k = 0; k < n_own; ++k)
      v.local_element(k) = values[k];
    v.update_ghost_values();
    for (std::size_t k = n_own; k < values.size(); ++k)
      values[k] = v.local_element(k);
  }

  template <int dim>
  std::vector<float>
  VertexGraph<dim>::node_features(const std::vector<double> &monitor, const std::vector<double> &linear) const
  {
    const unsigned int n = dofs.size(), F = n_node_features;
    double             sum = 0.;
    for (unsigned int i = 0; i < n_owned; ++i)
      sum += monitor[i];
    const double mean_m =
      Utilities::MPI::sum(sum, comm) / std::max(1., Utilities::MPI::sum(double(n_owned), comm));
    std::vector<double> m(monitor);
    update_ghosts(m, 1);
    std::vector<double> f(std::size_t(n) * F, 0.);
    for (unsigned int i = 0; i < n_owned; ++i)
      {
        // least-squares gradient from the neighbours, in units of h_i
        Tensor<2, dim> A;
        Tensor<1, dim> b;
        for (unsigned int e = first_edge[i]; e < first_edge[i + 1]; ++e)
          {
            const Tensor<1, dim> delta = (xi[source[e]] - xi[i]) / h[i];
            A += outer_product(delta, delta);
            b += delta * (m[source[e]] - m[i]);
          }
        Tensor<1, dim> gradient;
        if (std::abs(determinant(A)) > 1e-12)
          gradient = invert(A) * b;
        double *row = &f[std::size_t(i) * F];
        row[0]      = m[i] / mean_m;
        for (unsigned int c = 0; c < dim; ++c)
          row[1 + c] = gradient[c] / mean_m;
        row[dim + 1] = std::log2(h[i] / mean_h);
        row[dim + 2] = kind[i] == 1;
        row[dim + 3] = kind[i] == 2;
        row[dim + 4] = hanging[i];
        for (unsigned int c = 0; c < dim; ++c)
          row[dim + 5 + c] = linear[std::size_t(i) * dim + c] / h[i];
      }
    update_ghosts(f, F);
    return std::vector<float>(f.begin(), f.end());
  }

  template <int dim>
  std::vector<float>
  VertexGraph<dim>::edge_features(const std::vector<double> &d) const
  {
    const unsigned int E = target.size(), F = n_edge_features;
    std::vector<float> f(std::size_t(E) * F);
    for (unsigned int e = 0; e < E; ++e)
      {
        const unsigned int i = target[e], j = source[e];
        float             *row = &f[std::size_t(e) * F];
        for (unsigned int c = 0; c < dim; ++c)
          {
            const double reference = (xi[j][c] - xi[i][c]) / h[i];
            row[c]                 = static_cast<float>(reference);
            row[dim + c]           = static_cast<float>(
              reference + (d[std::size_t(j) * dim + c] - d[std::size_t(i) * dim + c]) / h[i]);
          }
        row[2 * dim] = on_boundary[e];
      }
    return f;
  }

  template <int dim>
  std::vector<std::int64_t>
  VertexGraph<dim>::edge_index() const
  {
    std::vector<std::int64_t> index(2 * target.size());
    std::copy(target.begin(), target.end(), index.begin());
    std::copy(source.begin(), source.end(), index.begin() + target.size());
    return index;
  }

  template <int dim>
  void
  VertexGraph<dim>::deform(const std::vector<float> &logits,
                           const std::vector<float> &self_logits,
                           std::vector<double>      &d) const
  {
    std::vector<Tensor<1, dim>> delta(n_owned);
    for (unsigned int i = 0; i < n_owned; ++i)
      {
        if (kind[i] == 2)
          continue;
        // the softmax over the node itself and its admissible neighbours, shifted by the largest logit
        double largest = self_logits[i];
        for (unsigned int e = first_edge[i]; e < first_edge[i + 1]; ++e)
          if (kind[i] == 0 || on_boundary[e])
            largest = std::max(largest, double(logits[e]));
        double         total = std::exp(self_logits[i] - largest);
        Tensor<1, dim> shift;
        for (unsigned int e = first_edge[i]; e < first_edge[i + 1]; ++e)
          if (kind[i] == 0 || on_boundary[e])
            {
              const double       w      = std::exp(logits[e] - largest);
              const unsigned int j      = source[e];
              Tensor<1, dim>     offset = xi[j] - xi[i];
              for (unsigned int c = 0; c < dim; ++c)
                offset[c] += d[std::size_t(j) * dim + c] - d[std::size_t(i) * dim + c];
              shift += w * offset;
              total += w;
            }
        delta[i] = shift / total;
        if (kind[i] == 1)
          delta[i] -= (delta[i] * normal[i]) * normal[i];
      }
    for (unsigned int i = 0; i < n_owned; ++i)
      for (unsigned int c = 0; c < dim; ++c)
        d[std::size_t(i) * dim + c] += delta[i][c];
    update_ghosts(d, dim);
  }

  template <int dim>
  void
  VertexGraph<dim>::write_sample(std::ostream              &out,
                                 const std::vector<double> &monitor,
                                 const std::vector<double> &linear,
                                 const std::vector<double> &target_displacement) const
  {
    if (Utilities::MPI::n_mpi_processes(comm) != 1)
      throw InputError("training data of a mesh mover are written by runs on one rank");
    const std::vector<float> nodes = node_features(monitor, linear);
    const std::vector<float> edges = edge_features(std::vector<double>(dofs.size() * dim, 0.));
    const auto               index = edge_index();
    const auto               write = [&](const void *data, const std::size_t bytes) {
      out.write(static_cast<const char *>(data), static_cast<std::streamsize>(bytes));
    };
    const char         magic[8]  = {'H', 'Y', 'F', 'E', 'G', 'R', '0', '1'};
    const std::int32_t header[5] = {dim,
                                    static_cast<std::int32_t>(dofs.size()),
                                    static_cast<std::int32_t>(target.size()),
                                    static_cast<std::int32_t>(n_node_features),
                                    static_cast<std::int32_t>(n_edge_features)};
    write(magic, sizeof(magic));
    write(header, sizeof(header));
    write(nodes.data(), nodes.size() * sizeof(float));
    write(index.data(), index.size() * sizeof(std::int64_t));
    write(edges.data(), edges.size() * sizeof(float));
    write(kind.data(), kind.size());
    write(h.data(), h.size() * sizeof(double));
    write(target_displacement.data(), target_displacement.size() * sizeof(double));
    std::vector<double> positions;
    for (const auto &p : xi)
      for (unsigned int c = 0; c < dim; ++c)
        positions.push_back(p[c]);
    write(positions.data(), positions.size() * sizeof(double));
    std::vector<double> normals;
    for (const auto &n : normal)
      for (unsigned int c = 0; c < dim; ++c)
        normals.push_back(n[c]);
    write(normals.data(), normals.size() * sizeof(double));
    write(linear.data(), linear.size() * sizeof(double));
  }

  template class VertexGraph<2>;
  template class VertexGraph<3>;
} // namespace hyfe
