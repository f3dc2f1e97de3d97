/**
 * @file
 * @brief Navier-Stokes: assembly of the velocity (momentum) system, of the pressure Poisson right-hand side,
 * and the closure model's eddy viscosity.
 */

#include <deal.II/base/quadrature_lib.h>
#include <deal.II/fe/fe_values.h>

#include "solver/modules/closure_model.h"
#include "solver/modules/mesh_mover.h"
#include "solver/physics/navier_stokes_impl.h"

namespace hyfe
{
  namespace navier_stokes
  {
    template <int dim>
    std::vector<double>
    NavierStokes<dim>::eddy_viscosity(const double omega, const double time, const bool record) const
    {
      // one batched call per rank and step: the extrapolated velocity (1 + omega) u^n - omega u^{n-1}
      // at every quadrature point of the rank's cells, in cell order
      std::vector<double> nu_t;
      if (!context.closure_model.is_active())
        return nu_t;
      const ClosureNeeds               needs = context.closure_model.all_needs();
      const QGauss<dim>                quadrature(degree + 1);
      const unsigned int               n_q = quadrature.size();
      FEValues<dim>                    fe_values(context.mesh_mover.mapping(),
                              fe_u,
                              quadrature,
                              update_gradients | update_JxW_values |
                                (needs.positions ? update_quadrature_points : update_default) |
                                (needs.velocities ? update_values : update_default));
      const FEValuesExtractors::Vector velocities(0);
      std::vector<Tensor<2, dim>>      g_n(n_q), g_nm1(n_q);
      std::vector<Tensor<1, dim>>      v_n(n_q), v_nm1(n_q);
      ClosureInputs<dim>               in;
      in.comm                    = context.comm;
      in.points_per_cell         = n_q;
      in.viscosity               = viscosity;
      in.time                    = time;
      const std::size_t n_points = context.triangulation.n_locally_owned_active_cells() * n_q;
      in.velocity_gradients.reserve(n_points);
      in.filter_widths.reserve(n_points);
      in.weights.reserve(n_points);
      for (const auto &cell : dof_u.active_cell_iterators())
        if (cell->is_locally_owned())
          {
            fe_values.reinit(cell);
            fe_values[velocities].get_function_gradients(u_n, g_n);
            fe_values[velocities].get_function_gradients(u_nm1, g_nm1);
            double volume = 0.;
            for (unsigned int q = 0; q < n_q; ++q)
              {
                volume += fe_values.JxW(q);
                in.velocity_gradients.push_back((1. + omega) * g_n[q] - omega * g_nm1[q]);
                in.weights.push_back(fe_values.JxW(q));
              }
            const double size = std::pow(volume, 1. / dim);
            in.cells.push_back(cell->active_cell_index());
            in.cell_sizes.push_back(size);
            in.filter_widths.insert(in.filter_widths.end(),
                                    n_q,
                                    context.closure_model.filter_width(size, degree));
            if (needs.positions)
              in.positions.insert(in.positions.end(),
                                  fe_values.get_quadrature_points().begin(),
                                  fe_values.get_quadrature_points().end());
            if (needs.velocities)
              {
                fe_values[velocities].get_function_values(u_n, v_n);
                fe_values[velocities].get_function_values(u_nm1, v_nm1);
                for (unsigned int q = 0; q < n_q; ++q)
                  in.velocities.push_back((1. + omega) * v_n[q] - omega * v_nm1[q]);
              }
          }
      context.closure_model.evaluate(in, nu_t, record);
      return nu_t;
    }

    template <int dim>
    const std::vector<double> &
    NavierStokes<dim>::current_eddy_viscosity(const double time) const
    {
      if (context.closure_model.is_active() &&
          nu_t_values.size() !=
            context.triangulation.n_locally_owned_active_cells() * QGauss<dim>(degree + 1).size())
        nu_t_values = eddy_viscosity(0., time, false);
      return nu_t_values;
    }

    template <int dim>
    void
    NavierStokes<dim>::assemble_velocity_system(const StepInfo &step,
                                                const double    alpha0,
                                                const double    alpha1,
                                                const double    alpha2,
                                                const double    omega)
    {
      if (convecting == nullptr) // a Picard solve keeps the step's nu_t
        nu_t_values = eddy_viscosity(omega, step.time - step.dt, true);
      const std::vector<double> &nu_t = nu_t_values;
      if (cached_assembly())
        {
          assemble_velocity_system_cached(step, alpha0, alpha1, alpha2, omega, nu_t);
          return;
        }
      velocity_matrix       = 0;
      velocity_rhs          = 0;
      const double       dt = step.dt;
      const QGauss<dim>  quadrature(degree + 1);
      const unsigned int n_q = quadrature.size();
      FEValues<dim>      fe_values(context.mesh_mover.mapping(),
                              fe_u,
                              quadrature,
                              update_values | update_gradients | update_quadrature_points |
                                update_JxW_values);
      FEValues<dim>      fe_values_p(context.mesh_mover.mapping(),
                                fe_p,
                                quadrature,
                                update_values | (projected_convection ? update_gradients : update_default));
      // 'convection form = projected': u* = (1 + omega) (u^n - grad psi^n) - omega (u^{n-1} - grad
      // psi^{n-1}), the end-of-step velocities of the pressure correction, without div u*; in a Picard solve
      // the iterate minus the gradient of the same extrapolated psi (psi^{n+1} is not known yet)
      std::vector<Tensor<1, dim>> grad_psi(projected_convection ? n_q : 0),
        grad_psi_old(projected_convection ? n_q : 0);
      const FEValuesExtractors::Vector     velocities(0);
      const unsigned int                   n = fe_u.n_dofs_per_cell();
      FullMatrix<double>                   cell_matrix(n, n);
      Vector<double>                       cell_rhs(n);
      std::vector<types::global_dof_index> dofs(n);
      std::vector<Tensor<1, dim>>          v_n(n_q), v_nm1(n_q);
      std::vector<double> div_n(n_q), div_nm1(n_q), pressure(n_q), psi_values(n_q), psi_old_values(n_q);
      std::vector<Tensor<1, dim>> v_c(convecting != nullptr ? n_q : 0);
      std::vector<double>         div_c(convecting != nullptr ? n_q : 0);
      std::vector<Vector<double>> force(n_q, Vector<double>(dim));
      // without a closure and without grad-div the cell matrix is block diagonal with dim equal blocks (every
      // term couples a component only with itself, through the same scalar shape functions): one block of the
      // n_s scalar shape functions is computed and copied into the dim diagonal blocks. With an eddy
      // viscosity, the term 2 nu_t eps(u):eps(v) adds nu_t grad(phi_b).grad(phi_a) to the diagonal blocks
      // and, between test component c and trial component e, nu_t d_c(phi_b) d_e(phi_a): the coupled blocks;
      // grad-div adds gamma d_c(phi_a) d_e(phi_b) to them.
      const unsigned int                     n_s = fe_u.base_element(0).n_dofs_per_cell();
      std::vector<std::vector<unsigned int>> system_index(dim, std::vector<unsigned int>(n_s));
      for (unsigned int c = 0; c < dim; ++c)
        for (unsigned int a = 0; a < n_s; ++a)
          system_index[c][a] = fe_u.component_to_system_index(c, a);
      FullMatrix<double> block(n_s, n_s);
      // implicit: the coupled blocks in the matrix; explicit: nu_t (grad u*)^T : grad v on the right-hand
      // side. The grad-div term gamma (div u, div v) couples the components too.
      const bool                      implicit_nu_t = !nu_t.empty() && !explicit_transpose;
      const bool                      rhs_part      = !nu_t.empty() && explicit_transpose;
      const bool                      coupled       = implicit_nu_t || grad_div > 0.;
      std::vector<Tensor<2, dim>>     g_n(rhs_part ? n_q : 0), g_nm1(rhs_part ? n_q : 0);
      std::vector<FullMatrix<double>> coupling(coupled ? dim * dim : 0, FullMatrix<double>(n_s, n_s));
      // the coupled blocks as dense products: G_c(q, b) = d_c phi_b at q, W_e = diag(nu_t JxW) G_e,
      // D_c = diag(gamma JxW) G_c, and the block (c, e) = W_e^T G_c + D_c^T G_e, whose transpose is the
      // block (e, c)
      std::vector<FullMatrix<double>> shape_derivative(coupled ? dim : 0, FullMatrix<double>(n_q, n_s)),
        weighted_derivative(implicit_nu_t ? dim : 0, FullMatrix<double>(n_q, n_s)),
        grad_div_derivative(grad_div > 0. ? dim : 0, FullMatrix<double>(n_q, n_s));
      std::vector<double>         phi(n_s), transport(n_s);
      std::vector<Tensor<1, dim>> grad_phi(n_s);
      cell_matrix = 0;
      body_force->set_time(step.time);
      // ALE: the convection is by u* - w, w the mesh velocity (zero on a fixed mesh)
      physics_tools::MeshVelocityValues<dim> mesh_velocity(context.mesh_mover, quadrature);
      std::vector<Tensor<1, dim>>            w(n_q);

      std::size_t q_offset = 0;
      for (const auto &cell : dof_u.active_cell_iterators())
        {
          if (!cell->is_locally_owned())
            continue;
          fe_values.reinit(cell);
          const auto cell_p = pressure_cell(cell);
          fe_values_p.reinit(cell_p);
          fe_values[velocities].get_function_values(u_n, v_n);
          fe_values[velocities].get_function_values(u_nm1, v_nm1);
          fe_values[velocities].get_function_divergences(u_n, div_n);
          fe_values[velocities].get_function_divergences(u_nm1, div_nm1);
          fe_values_p.get_function_values(p_n, pressure);
          if (convecting != nullptr)
            {
              fe_values[velocities].get_function_values(*convecting, v_c);
              fe_values[velocities].get_function_divergences(*convecting, div_c);
            }
          if (mesh_velocity.active())
            mesh_velocity.get(cell->level(), cell->index(), w);
          if (rhs_part)
            {
              fe_values[velocities].get_function_gradients(u_n, g_n);
              fe_values[velocities].get_function_gradients(u_nm1, g_nm1);
            }
          fe_values_p.get_function_values(psi_n, psi_values);
          fe_values_p.get_function_values(psi_nm1, psi_old_values);
          if (projected_convection)
            {
              fe_values_p.get_function_gradients(psi_n, grad_psi);
              fe_values_p.get_function_gradients(psi_nm1, grad_psi_old);
            }
          for (unsigned int q = 0; q < n_q; ++q)
            pressure[q] += (alpha1 * psi_values[q] - alpha2 * psi_old_values[q]) / dt;
          body_force->vector_value_list(fe_values.get_quadrature_points(), force);
          block    = 0;
          cell_rhs = 0;
          for (unsigned int q = 0; q < n_q; ++q)
            {
              Tensor<1, dim> u_star =
                (convecting != nullptr ? v_c[q] : (1. + omega) * v_n[q] - omega * v_nm1[q]) - w[q];
              if (projected_convection)
                u_star -= (1. + omega) * grad_psi[q] - omega * grad_psi_old[q];
              const double div_star =
                projected_convection
                  ? 0.
                  : (div_c.empty() ? (1. + omega) * div_n[q] - omega * div_nm1[q] : div_c[q]);
              const double         nu_sgs  = nu_t.empty() ? 0. : nu_t[q_offset + q];
              const double         nu      = viscosity + nu_sgs;
              const Tensor<1, dim> history = (alpha1 * v_n[q] - alpha2 * v_nm1[q]) / dt;
              const double         JxW     = fe_values.JxW(q);
              for (unsigned int a = 0; a < n_s; ++a)
                {
                  phi[a]      = fe_values.shape_value(system_index[0][a], q);
                  grad_phi[a] = fe_values.shape_grad(system_index[0][a], q);
                  // skew-symmetric form of the extrapolated convection (u* - w here: ALE)
                  transport[a] = (u_star * grad_phi[a]) + 0.5 * div_star * phi[a];
                }
              for (unsigned int a = 0; a < n_s; ++a)
                {
                  for (unsigned int b = 0; b < n_s; ++b)
                    {
                      double value = alpha0 / dt * phi[b] * phi[a] + nu * (grad_phi[b] * grad_phi[a]);
                      if (convection)
                        value += transport[b] * phi[a];
                      block(a, b) += value * JxW;
                    }
                  for (unsigned int c = 0; c < dim; ++c)
                    cell_rhs(system_index[c][a]) +=
                      ((history[c] + force[q][c]) * phi[a] + pressure[q] * grad_phi[a][c]) * JxW;
                }
              if (rhs_part)
                {
                  // - nu_t sum_e d_c u*_e d_e phi_a for the test function phi_a e_c
                  const Tensor<2, dim> g_star = (1. + omega) * g_n[q] - omega * g_nm1[q];
                  const Tensor<2, dim> g_t    = transpose(g_star);
                  for (unsigned int a = 0; a < n_s; ++a)
                    {
                      const Tensor<1, dim> transposed = g_t * grad_phi[a]; // sum_e g*_ec d_e phi_a
                      for (unsigned int c = 0; c < dim; ++c)
                        cell_rhs(system_index[c][a]) -= nu_sgs * JxW * transposed[c];
                    }
                }
              if (coupled)
                for (unsigned int c = 0; c < dim; ++c)
                  for (unsigned int a = 0; a < n_s; ++a)
                    {
                      shape_derivative[c](q, a) = grad_phi[a][c];
                      if (implicit_nu_t)
                        weighted_derivative[c](q, a) = nu_sgs * JxW * grad_phi[a][c];
                      if (grad_div > 0.)
                        grad_div_derivative[c](q, a) = grad_div * JxW * grad_phi[a][c];
                    }
            }
          if (coupled)
            for (unsigned int c = 0; c < dim; ++c)
              for (unsigned int e = c; e < dim; ++e)
                {
                  auto &pair = coupling[c * dim + e];
                  if (implicit_nu_t)
                    weighted_derivative[e].Tmmult(pair, shape_derivative[c]);
                  else
                    pair = 0;
                  if (grad_div > 0.)
                    grad_div_derivative[c].Tmmult(pair, shape_derivative[e], true);
                  if (e != c)
                    coupling[e * dim + c].copy_transposed(pair);
                }
          // without a coupling the blocks between different components stay zero (cell_matrix is zeroed
          // once, above)
          for (unsigned int c = 0; c < dim; ++c)
            for (unsigned int a = 0; a < n_s; ++a)
              for (unsigned int b = 0; b < n_s; ++b)
                cell_matrix(system_index[c][a], system_index[c][b]) = block(a, b);
          if (coupled) // every block is set anew: the diagonal ones get their coupling part added
            for (unsigned int c = 0; c < dim; ++c)
              for (unsigned int e = 0; e < dim; ++e)
                for (unsigned int a = 0; a < n_s; ++a)
                  for (unsigned int b = 0; b < n_s; ++b)
                    cell_matrix(system_index[c][a], system_index[e][b]) =
                      (c == e ? block(a, b) : 0.) + coupling[c * dim + e](a, b);
          q_offset += n_q;
          cell->get_dof_indices(dofs);
          constraints_u.distribute_local_to_global(
            cell_matrix, cell_rhs, dofs, velocity_matrix, velocity_rhs);
        }
      velocity_matrix.compress(VectorOperation::add);
      velocity_rhs.compress(VectorOperation::add);
    }

    template <int dim>
    void
    NavierStokes<dim>::assemble_pressure_rhs(const double alpha0, const double dt)
    {
      pressure_rhs   = 0;
      divergence_rhs = 0;
      if (use_cache)
        {
          assemble_pressure_rhs_cached(alpha0, dt);
          return;
        }
      const QGauss<dim> quadrature(degree + 1);
      FEValues<dim>     fe_values_u(context.mesh_mover.mapping(), fe_u, quadrature, update_gradients);
      FEValues<dim>     fe_values_p(context.mesh_mover.mapping(),
                                fe_p,
                                quadrature,
                                update_values | update_JxW_values);
      const FEValuesExtractors::Vector     velocities(0);
      const unsigned int                   n = fe_p.n_dofs_per_cell();
      Vector<double>                       cell_phi(n), cell_div(n);
      std::vector<double>                  divergence(quadrature.size());
      std::vector<types::global_dof_index> dofs(n);
      for (const auto &cell : dof_p.active_cell_iterators())
        if (cell->is_locally_owned())
          {
            const typename DoFHandler<dim>::active_cell_iterator cell_u(&context.triangulation,
                                                                        cell->level(),
                                                                        cell->index(),
                                                                        &dof_u);
            fe_values_u.reinit(cell_u);
            fe_values_p.reinit(cell);
            fe_values_u[velocities].get_function_divergences(u_n, divergence); // u_n holds u^{n+1} here
            cell_phi = 0;
            cell_div = 0;
            for (unsigned int q = 0; q < quadrature.size(); ++q)
              for (unsigned int i = 0; i < n; ++i)
                {
                  const double v = divergence[q] * fe_values_p.shape_value(i, q) * fe_values_p.JxW(q);
                  cell_phi(i) -= alpha0 / dt * v;
                  cell_div(i) += v;
                }
            cell->get_dof_indices(dofs);
            constraints_phi.distribute_local_to_global(cell_phi, dofs, pressure_rhs);
            hanging_p.distribute_local_to_global(cell_div, dofs, divergence_rhs);
          }
      pressure_rhs.compress(VectorOperation::add);
      divergence_rhs.compress(VectorOperation::add);
    }

    template std::vector<double>
    NavierStokes<2>::eddy_viscosity(const double omega, const double time, const bool record) const;
    template std::vector<double>
    NavierStokes<3>::eddy_viscosity(const double omega, const double time, const bool record) const;
    template void
    NavierStokes<2>::assemble_velocity_system(const StepInfo &step,
                                              const double    alpha0,
                                              const double    alpha1,
                                              const double    alpha2,
                                              const double    omega);
    template void
    NavierStokes<3>::assemble_velocity_system(const StepInfo &step,
                                              const double    alpha0,
                                              const double    alpha1,
                                              const double    alpha2,
                                              const double    omega);
    template const std::vector<double> &
    NavierStokes<2>::current_eddy_viscosity(const double time) const;
    template const std::vector<double> &
    NavierStokes<3>::current_eddy_viscosity(const double time) const;
    template void
    NavierStokes<2>::assemble_pressure_rhs(const double alpha0, const double dt);
    template void
    NavierStokes<3>::assemble_pressure_rhs(const double alpha0, const double dt);
  } // namespace navier_stokes
} // namespace hyfe
