/**
 * @file
 * @brief The monitor of r-adaptivity (MeshMonitor): of a Hessian, a gradient or given.
 */
#include "solver/modules/mesh_monitor.h"

#include <deal.II/base/function_parser.h>
#include <deal.II/base/mpi.h>
#include <deal.II/base/mpi_remote_point_evaluation.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/quadrature_lib.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/fe/mapping.h>
#include <deal.II/lac/affine_constraints.h>
#include <deal.II/numerics/vector_tools_evaluate.h>

#include <algorithm>
#include <cmath>

#include "solver/core/exceptions.h"
#include "solver/core/parameters.h"

namespace hyfe
{
  using namespace dealii;
  using Vec = PETScWrappers::MPI::Vector;

  template <int dim>
  void
  MeshMonitor<dim>::declare_parameters(ParameterHandler &prm)
  {
    prm.declare_entry("monitor",
                      "hessian",
                      Patterns::Selection("hessian|gradient|function"),
                      "The monitor m >= 1 whose large values attract cells: 'hessian' m = 1 + alpha "
                      "|H(u)| / max |H(u)| (Frobenius norm), 'gradient' m = 1 + alpha |grad u| / max "
                      "|grad u|, 'function' m = 'expression' itself. One of hessian|gradient|function.");
    prm.declare_entry("alpha",
                      "5",
                      Patterns::Double(0., 1000.),
                      "alpha of the hessian and gradient monitors: the largest monitor value is "
                      "1 + alpha. Unitless, in [0, 1000].");
    prm.declare_entry("field",
                      "expression",
                      Patterns::Anything(),
                      "The field u of the hessian and gradient monitors: a field of the physics (c for "
                      "advection-diffusion; velocity or pressure for Navier-Stokes; every component "
                      "counts), recovered on the current mesh, or 'expression' for u = 'expression' "
                      "(an exact Hessian by central differences).");
    prm.declare_entry("expression",
                      "0",
                      Patterns::Anything(),
                      "u(x, t) for field = expression, or m(x, t) >= 1 for monitor = function: an "
                      "expression of x, y[, z] (physical coordinates, length) and t (time).");
    prm.declare_entry("function constants",
                      "",
                      Patterns::Anything(),
                      "Constants usable in 'expression', as 'name=value, ...'; pi is predefined.");
  }

  template <int dim>
  MeshMonitor<dim>::MeshMonitor(const ParameterHandler &prm, const std::string &section)
      : type(prm.get("monitor"))
      , field_name(prm.get("field"))
      , section(section)
      , alpha(prm.get_double("alpha"))
  {
    const auto constants = parse_constants(prm.get("function constants"), section + "function constants");
    if (!from_field())
      expression = make_function<dim>(prm.get("expression"), 1, constants, section + "expression");
  }

  template <int dim>
  MeshMonitor<dim>::~MeshMonitor() = default;

  template <int dim>
  bool
  MeshMonitor<dim>::field_available(const SimulationState<dim> &state) const
  {
    return std::any_of(state.fields.begin(), state.fields.end(), [&](const FieldState<dim> &f) {
      return f.name == field_name;
    });
  }

  template <int dim>
  void
  MeshMonitor<dim>::check_field(const SimulationState<dim> &state) const
  {
    if (!from_field() || field_available(state))
      return;
    std::string names;
    for (const auto &f : state.fields)
      names += ", " + f.name;
    throw InputError("entry '" + section + "field' = '" + field_name +
                     "' is not a field of the physics; valid: expression" + names);
  }

  template <int dim>
  void
  MeshMonitor<dim>::prepare(const double                time,
                            const SimulationState<dim> *state,
                            const DoFHandler<dim, dim> &nodes_,
                            const Mapping<dim, dim>    &reference,
                            const Mapping<dim, dim>    &current,
                            const double                length_)
  {
    nodes                 = &nodes_;
    length                = length_;
    const auto    &nodes  = nodes_;
    const auto    &fe     = nodes.get_fe();
    const unsigned degree = fe.degree;
    const MPI_Comm comm   = nodes.get_communicator();
    const IndexSet owned  = nodes.locally_owned_dofs();
    IndexSet       relevant;
    DoFTools::extract_locally_relevant_dofs(nodes, relevant);
    AffineConstraints<double> hanging;
    hanging.reinit(relevant);
    DoFTools::make_hanging_node_constraints(nodes, hanging);
    hanging.close();

    if (expression)
      expression->set_time(time);
    if (type == "function")
      return;
    const QGauss<dim> quadrature(degree + 1);
    if (field_name == "expression")
      {
        // the normalisation: the largest norm at the quadrature points of the reference mesh (the
        // same for every move at one time)
        FEValues<dim> values(reference, fe, quadrature, update_quadrature_points);
        double        largest = 0.;
        for (const auto &cell : nodes.active_cell_iterators())
          if (cell->is_locally_owned())
            {
              values.reinit(cell);
              for (const auto &x : values.get_quadrature_points())
                largest = std::max(largest, expression_norm(x));
            }
        max_norm = Utilities::MPI::max(largest, comm);
        return;
      }
    const FieldState<dim> *field = nullptr;
    for (const auto &f : state->fields)
      if (f.name == field_name)
        field = &f;
    if (field == nullptr)
      throw std::logic_error("MeshMonitor: no field '" + field_name + "'");
    // the recovered gradient G of every component (lumped L2 projection on the current mesh)
    const auto        &field_fe     = field->dof_handler->get_fe();
    const unsigned int n_components = field_fe.n_components();
    FEValues<dim>      values(current, fe, quadrature, update_values | update_JxW_values);
    FEValues<dim>      field_values(current, field_fe, quadrature, update_gradients);
    const unsigned int n = fe.n_dofs_per_cell(), n_q = quadrature.size();
    std::vector<std::vector<Tensor<1, dim>>> gradients(n_q, std::vector<Tensor<1, dim>>(n_components));
    std::vector<Vec>                         recovered(n_components * dim, Vec(owned, comm));
    Vec                                      mass(owned, comm);
    std::vector<types::global_dof_index>     dofs(n);
    Vector<double>                           cell_vector(n);
    for (const auto &cell : nodes.active_cell_iterators())
      if (cell->is_locally_owned())
        {
          values.reinit(cell);
          field_values.reinit(cell_of(cell, *field->dof_handler));
          field_values.get_function_gradients(*field->current, gradients);
          cell->get_dof_indices(dofs);
          for (unsigned int i = 0; i < n; ++i)
            {
              cell_vector(i) = 0.;
              for (unsigned int q = 0; q < n_q; ++q)
                cell_vector(i) += values.shape_value(i, q) * values.JxW(q);
            }
          mass.add(dofs, cell_vector);
          for (unsigned int c = 0; c < n_components; ++c)
            for (unsigned int e = 0; e < dim; ++e)
              {
                for (unsigned int i = 0; i < n; ++i)
                  {
                    cell_vector(i) = 0.;
                    for (unsigned int q = 0; q < n_q; ++q)
                      cell_vector(i) += values.shape_value(i, q) * gradients[q][c][e] * values.JxW(q);
                  }
                recovered[c * dim + e].add(dofs, cell_vector);
              }
        }
    mass.compress(VectorOperation::add);
    Vec norm(owned, comm);
    for (auto &v : recovered)
      {
        v.compress(VectorOperation::add);
        for (const auto i : owned)
          v[i] = v[i] / mass[i];
        v.compress(VectorOperation::insert);
        hanging.distribute(v);
      }
    if (type == "gradient")
      {
        for (const auto i : owned)
          {
            double s = 0.;
            for (const auto &v : recovered)
              s += v[i] * v[i];
            norm[i] = std::sqrt(s);
          }
        norm.compress(VectorOperation::insert);
        hanging.distribute(norm);
      }
    else
      {
        // |grad G| at the quadrature points, projected the same way
        std::vector<Vec> ghosted(recovered.size(), Vec(owned, relevant, comm));
        for (unsigned int k = 0; k < recovered.size(); ++k)
          ghosted[k] = recovered[k];
        FEValues<dim>               gradient_values(current, fe, quadrature, update_gradients);
        std::vector<double>         squared(n_q);
        std::vector<Tensor<1, dim>> grad(n_q);
        Vec                         sum(owned, comm);
        for (const auto &cell : nodes.active_cell_iterators())
          if (cell->is_locally_owned())
            {
              values.reinit(cell);
              gradient_values.reinit(cell);
              std::fill(squared.begin(), squared.end(), 0.);
              for (const auto &v : ghosted)
                {
                  gradient_values.get_function_gradients(v, grad);
                  for (unsigned int q = 0; q < n_q; ++q)
                    squared[q] += grad[q].norm_square();
                }
              for (unsigned int i = 0; i < n; ++i)
                {
                  cell_vector(i) = 0.;
                  for (unsigned int q = 0; q < n_q; ++q)
                    cell_vector(i) += values.shape_value(i, q) * std::sqrt(squared[q]) * values.JxW(q);
                }
              cell->get_dof_indices(dofs);
              sum.add(dofs, cell_vector);
            }
        sum.compress(VectorOperation::add);
        for (const auto i : owned)
          norm[i] = sum[i] / mass[i];
        norm.compress(VectorOperation::insert);
        hanging.distribute(norm);
      }
    const double largest = norm.linfty_norm();
    Vec          m(owned, comm);
    for (const auto i : owned)
      m[i] = 1. + (largest > 0. ? alpha * norm[i] / largest : 0.);
    m.compress(VectorOperation::insert);
    nodal_monitor.reinit(owned, relevant, comm);
    nodal_monitor = m;
  }


  template <int dim>
  double
  MeshMonitor<dim>::expression_norm(const Point<dim> &x) const
  {
    const double h = 1e-4 * length;
    const auto   u = [&](const Point<dim> &p) { return expression->value(p); };
    if (type == "gradient")
      {
        double s = 0.;
        for (unsigned int i = 0; i < dim; ++i)
          {
            Point<dim> a(x), b(x);
            a[i] += h;
            b[i] -= h;
            s += std::pow((u(a) - u(b)) / (2. * h), 2);
          }
        return std::sqrt(s);
      }
    double       s  = 0.;
    const double u0 = u(x);
    for (unsigned int i = 0; i < dim; ++i)
      for (unsigned int j = 0; j < dim; ++j)
        {
          double hij;
          if (i == j)
            {
              Point<dim> a(x), b(x);
              a[i] += h;
              b[i] -= h;
              hij = (u(a) - 2. * u0 + u(b)) / (h * h);
            }
          else
            {
              Point<dim> pp(x), pm(x), mp(x), mm(x);
              pp[i] += h, pp[j] += h;
              pm[i] += h, pm[j] -= h;
              mp[i] -= h, mp[j] += h;
              mm[i] -= h, mm[j] -= h;
              hij = (u(pp) - u(pm) - u(mp) + u(mm)) / (4. * h * h);
            }
          s += hij * hij;
        }
    return std::sqrt(s);
  }


  template <int dim>
  double
  MeshMonitor<dim>::operator()(const Point<dim> &x) const
  {
    if (type == "function")
      return expression->value(x);
    return 1. + (max_norm > 0. ? alpha * expression_norm(x) / max_norm : 0.);
  }

  template <int dim>
  std::vector<double>
  MeshMonitor<dim>::at_points(const std::vector<Point<dim>> &points,
                              const std::vector<double>     &fallback,
                              const Mapping<dim, dim>       &current) const
  {
    Utilities::MPI::RemotePointEvaluation<dim, dim> evaluation;
    evaluation.reinit(points, nodes->get_triangulation(), current);
    auto        values = VectorTools::point_values<1>(evaluation, *nodes, nodal_monitor);
    const auto &found  = evaluation.get_point_ptrs(); // point k was found where found[k + 1] > found[k]
    // a point not found (off the boundary by round-off) takes its fallback
    for (unsigned int k = 0; k < values.size(); ++k)
      if (found[k + 1] == found[k])
        values[k] = fallback[k];
    return values;
  }

  template class MeshMonitor<2>;
  template class MeshMonitor<3>;
} // namespace hyfe
