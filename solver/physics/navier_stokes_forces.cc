/**
 * @file
 * @brief Navier-Stokes: drag and lift (volume and surface methods), point values (pressure probes) and
 * velocity profiles along lines.
 */

#include <deal.II/base/quadrature_lib.h>
#include <deal.II/base/symmetric_tensor.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/grid/grid_tools.h>

#include <fstream>
#include <iomanip>

#include "solver/modules/mesh_mover.h"
#include "solver/physics/navier_stokes_impl.h"

namespace hyfe
{
  namespace navier_stokes
  {
    template <int dim>
    std::vector<double>
    NavierStokes<dim>::evaluate_at_points(const std::vector<Point<dim>> &points, const bool velocity) const
    {
      // each rank evaluates the points inside its own cells; the sum over ranks, divided by the
      // number of ranks that found a point, gives every rank the values
      const unsigned int  n_components = velocity ? dim : 1;
      std::vector<double> values(points.size() * n_components + points.size(), 0.);
      const auto         &dof    = velocity ? dof_u : dof_p;
      const auto         &vector = velocity ? u_n : p_n;
      const auto         &fe     = velocity ? static_cast<const FiniteElement<dim> &>(fe_u) : fe_p;
      // the pressure probes' cells are searched once per mesh (the cache's lifetime)
      const bool probes = cache.valid && !velocity && points == pressure_points;
      if (probes && cache.probes.empty())
        for (const auto &point : points)
          {
            typename DoFHandler<dim>::active_cell_iterator cell;
            Point<dim>                                     reference;
            try
              {
                std::tie(cell, reference) =
                  GridTools::find_active_cell_around_point(context.mesh_mover.mapping(), dof, point);
              }
            catch (...)
              {
                cell = typename DoFHandler<dim>::active_cell_iterator();
              }
            cache.probes.emplace_back(cell, reference);
          }
      for (unsigned int k = 0; k < points.size(); ++k)
        {
          try
            {
              const auto found =
                probes
                  ? cache.probes[k]
                  : GridTools::find_active_cell_around_point(context.mesh_mover.mapping(), dof, points[k]);
              if (found.first.state() != IteratorState::valid || !found.first->is_locally_owned())
                continue;
              const Quadrature<dim> q(GeometryInfo<dim>::project_to_unit_cell(found.second));
              FEValues<dim>         fe_values(context.mesh_mover.mapping(), fe, q, update_values);
              fe_values.reinit(found.first);
              std::vector<Vector<double>> v(1, Vector<double>(n_components));
              fe_values.get_function_values(vector, v);
              for (unsigned int c = 0; c < n_components; ++c)
                values[k * n_components + c] = v[0][c];
              values[points.size() * n_components + k] = 1.;
            }
          catch (...)
            {
              // the point is not in this rank's part of the mesh
            }
        }
      Utilities::MPI::sum(values, context.comm, values);
      std::vector<double> result(points.size() * n_components, std::numeric_limits<double>::quiet_NaN());
      for (unsigned int k = 0; k < points.size(); ++k)
        {
          const double count = values[points.size() * n_components + k];
          if (count > 0)
            for (unsigned int c = 0; c < n_components; ++c)
              result[k * n_components + c] = values[k * n_components + c] / count;
        }
      return result;
    }

    template <int dim>
    std::pair<double, double>
    NavierStokes<dim>::compute_forces() const
    {
      // F_d = -R(u, p; psi_d): the momentum residual tested with psi_d = e_d on the body, 0 elsewhere,
      // with the time derivative of the BDF scheme
      const QGauss<dim> quadrature(degree + 1);
      FEValues<dim>     fe_values(context.mesh_mover.mapping(),
                              fe_u,
                              quadrature,
                              update_values | update_gradients | update_JxW_values |
                                update_quadrature_points);
      FEValues<dim>     fe_values_p(context.mesh_mover.mapping(), fe_p, quadrature, update_values);
      const FEValuesExtractors::Vector velocities(0);
      std::vector<Tensor<1, dim>>      v(quadrature.size()), dudt(quadrature.size()), psi(quadrature.size());
      std::vector<Tensor<2, dim>>      grad_v(quadrature.size()), grad_psi(quadrature.size());
      std::vector<double>              pressure(quadrature.size()), div_psi(quadrature.size());
      std::vector<Vector<double>>      force(quadrature.size(), Vector<double>(dim));
      Vector<double>                   local(fe_u.n_dofs_per_cell());
      std::array<double, dim>          F{};
      // the eddy viscosity of the step's momentum equation: + 2 nu_t eps(u):eps(psi) in the residual
      const std::vector<double> &nu_t   = nu_t_values;
      const unsigned int         n_q    = quadrature.size();
      std::size_t                offset = 0;
      // ALE: dudt is the time derivative along the mesh, the convection is by u - w
      physics_tools::MeshVelocityValues<dim> mesh_velocity(context.mesh_mover, quadrature);
      std::vector<Tensor<1, dim>>            w(n_q);
      for (const auto &cell : dof_u.active_cell_iterators())
        if (cell->is_locally_owned())
          {
            const std::size_t first = offset;
            offset += n_q;
            bool touches = false;
            if (cache.valid) // the cells that touch the body, from the cache of the mesh
              touches = cache.touches_body[first / n_q];
            else
              for (unsigned int d = 0; d < dim && !touches; ++d)
                {
                  cell->get_dof_values(force_test[d], local);
                  touches = local.linfty_norm() > 0;
                }
            if (!touches)
              continue;
            fe_values.reinit(cell);
            const auto cell_p = pressure_cell(cell);
            fe_values_p.reinit(cell_p);
            fe_values[velocities].get_function_values(u_n, v);
            fe_values[velocities].get_function_values(time_derivative, dudt);
            fe_values[velocities].get_function_gradients(u_n, grad_v);
            fe_values_p.get_function_values(p_n, pressure);
            body_force->vector_value_list(fe_values.get_quadrature_points(), force);
            if (mesh_velocity.active())
              mesh_velocity.get(cell->level(), cell->index(), w);
            for (unsigned int d = 0; d < dim; ++d)
              {
                fe_values[velocities].get_function_values(force_test[d], psi);
                fe_values[velocities].get_function_gradients(force_test[d], grad_psi);
                fe_values[velocities].get_function_divergences(force_test[d], div_psi);
                for (unsigned int q = 0; q < quadrature.size(); ++q)
                  {
                    Tensor<1, dim> f;
                    for (unsigned int c = 0; c < dim; ++c)
                      f[c] = force[q][c];
                    double r =
                      (dudt[q] + (convection ? grad_v[q] * (v[q] - w[q]) : Tensor<1, dim>()) - f) * psi[q] +
                      viscosity * scalar_product(grad_v[q], grad_psi[q]) - pressure[q] * div_psi[q];
                    if (!nu_t.empty())
                      r += 2. * nu_t[first + q] * (symmetrize(grad_v[q]) * symmetrize(grad_psi[q]));
                    // grad-div: in the rotational form p holds - gamma div u~ already (the pressure
                    // update); in the standard form the term is part of the residual
                    if (grad_div > 0. && !rotational)
                      r += grad_div * trace(grad_v[q]) * div_psi[q];
                    F[d] -= r * fe_values.JxW(q);
                  }
              }
          }
      for (unsigned int d = 0; d < dim; ++d)
        F[d] = Utilities::MPI::sum(F[d], context.comm);
      const double area  = dim == 2 ? reference_length : reference_length * reference_span;
      const double scale = 2. / (reference_velocity * reference_velocity * area);
      return {scale * F[0], scale * F[1]};
    }

    template <int dim>
    std::pair<double, double>
    NavierStokes<dim>::compute_surface_forces() const
    {
      // F = integral over the body of (nu grad u + 2 nu_t eps(u) - p I) n_body, with n_body = -n (n:
      // outward normal of the fluid domain); a cross-check of the volume-integral forces. nu_t is the
      // cell average of the step's eddy viscosity (it lives at the cell's quadrature points).
      const QGauss<dim - 1> quadrature(degree + 1);
      FEFaceValues<dim>     fe_face(context.mesh_mover.mapping(),
                                fe_u,
                                quadrature,
                                update_gradients | update_normal_vectors | update_JxW_values);
      FEFaceValues<dim>     fe_face_p(context.mesh_mover.mapping(), fe_p, quadrature, update_values);
      const FEValuesExtractors::Vector velocities(0);
      std::vector<Tensor<2, dim>>      g(quadrature.size());
      std::vector<double>              p(quadrature.size());
      Tensor<1, dim>                   F;
      const std::vector<double>       &nu_t   = nu_t_values;
      const unsigned int               n_q    = QGauss<dim>(degree + 1).size();
      std::size_t                      offset = 0;
      for (const auto &cell : dof_u.active_cell_iterators())
        if (cell->is_locally_owned() && (offset += n_q) > 0 && cell->at_boundary())
          for (const auto f : cell->face_indices())
            if (cell->at_boundary(f) &&
                std::find(force_ids.begin(), force_ids.end(), cell->face(f)->boundary_id()) !=
                  force_ids.end())
              {
                fe_face.reinit(cell, f);
                const auto cell_p = pressure_cell(cell);
                fe_face_p.reinit(cell_p, f);
                fe_face[velocities].get_function_gradients(u_n, g);
                fe_face_p.get_function_values(p_n, p);
                double nu_sgs = 0.;
                if (!nu_t.empty())
                  {
                    for (unsigned int q = offset - n_q; q < offset; ++q)
                      nu_sgs += nu_t[q];
                    nu_sgs /= n_q;
                  }
                for (unsigned int q = 0; q < quadrature.size(); ++q)
                  {
                    const Tensor<1, dim> n = fe_face.normal_vector(q);
                    // grad-div in the standard form: the traction gamma (div u) n (the rotational form's
                    // pressure holds it)
                    const double gd = rotational ? 0. : grad_div * trace(g[q]);
                    F -= (viscosity * (g[q] * n) + 2. * nu_sgs * (symmetrize(g[q]) * n) + (gd - p[q]) * n) *
                         fe_face.JxW(q);
                  }
              }
      const double area  = dim == 2 ? reference_length : reference_length * reference_span;
      const double scale = 2. / (reference_velocity * reference_velocity * area);
      return {scale * Utilities::MPI::sum(F[0], context.comm),
              scale * Utilities::MPI::sum(F[1], context.comm)};
    }

    template <int dim>
    void
    NavierStokes<dim>::write_profiles(const unsigned int step) const
    {
      for (unsigned int l = 0; l < lines.size(); ++l)
        {
          std::vector<Point<dim>> points;
          for (unsigned int k = 0; k < lines[l].n_points; ++k)
            points.push_back(lines[l].start +
                             (lines[l].end - lines[l].start) * (double(k) / (lines[l].n_points - 1)));
          const auto values = evaluate_at_points(points, true);
          if (Utilities::MPI::this_mpi_process(context.comm) != 0)
            continue;
          std::ofstream out(context.output_directory + "/profile_" + std::to_string(l) + "_" +
                            std::to_string(step) + ".csv");
          out << (dim == 2 ? "x,y,u,v\n" : "x,y,z,u,v,w\n") << std::setprecision(10);
          for (unsigned int k = 0; k < points.size(); ++k)
            {
              for (unsigned int d = 0; d < dim; ++d)
                out << points[k][d] << ",";
              for (unsigned int d = 0; d < dim; ++d)
                out << values[k * dim + d] << (d + 1 < dim ? "," : "\n");
            }
        }
    }

    template std::vector<double>
    NavierStokes<2>::evaluate_at_points(const std::vector<Point<2>> &points, const bool velocity) const;
    template std::vector<double>
    NavierStokes<3>::evaluate_at_points(const std::vector<Point<3>> &points, const bool velocity) const;
    template std::pair<double, double>
    NavierStokes<2>::compute_forces() const;
    template std::pair<double, double>
    NavierStokes<3>::compute_forces() const;
    template std::pair<double, double>
    NavierStokes<2>::compute_surface_forces() const;
    template std::pair<double, double>
    NavierStokes<3>::compute_surface_forces() const;
    template void
    NavierStokes<2>::write_profiles(const unsigned int step) const;
    template void
    NavierStokes<3>::write_profiles(const unsigned int step) const;
  } // namespace navier_stokes
} // namespace hyfe
