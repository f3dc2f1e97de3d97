/**
 * @file
 * @brief Navier-Stokes: the per-step statistics (CFL, errors, forces, probes), the progress line and the
 * end-of-run summary with the Strouhal number.
 */

#include <deal.II/base/quadrature_lib.h>
#include <deal.II/base/symmetric_tensor.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/numerics/vector_tools.h>

#include <cmath>
#include <iomanip>
#include <sstream>
#include <tuple>

#include "solver/modules/mesh_mover.h"
#include "solver/physics/navier_stokes_impl.h"

namespace hyfe
{
  namespace navier_stokes
  {
    template <int dim>
    void
    NavierStokes<dim>::postprocess(const StepInfo &step, const bool last_step, StatisticsRow &row)
    {
      const QGauss<dim>                quadrature(degree + 1);
      FEValues<dim>                    fe_values(context.mesh_mover.mapping(),
                              fe_u,
                              quadrature,
                              update_values | update_gradients | update_JxW_values);
      const FEValuesExtractors::Vector velocities(0);
      std::vector<Tensor<1, dim>>      v(quadrature.size());
      std::vector<Tensor<2, dim>>      g(quadrature.size());
      double                           energy = 0, enstrophy = 0, dissipation = 0, divergence = 0, cfl = 0;
      physics_tools::MeshVelocityValues<dim> mesh_velocity(context.mesh_mover, quadrature);
      std::vector<Tensor<1, dim>>            w_mesh(quadrature.size());
      if (use_cache)
        std::tie(energy, enstrophy, dissipation, divergence, cfl) = [&] {
          const auto sums = cell_statistics_cached(step.dt);
          return std::make_tuple(sums[0], sums[1], sums[2], sums[3], sums[4]);
        }();
      else
        for (const auto &cell : dof_u.active_cell_iterators())
          if (cell->is_locally_owned())
            {
              fe_values.reinit(cell);
              fe_values[velocities].get_function_values(u_n, v);
              fe_values[velocities].get_function_gradients(u_n, g);
              const double h =
                physics_tools::minimum_vertex_distance(context.mesh_mover.mapping(), cell) / degree;
              if (mesh_velocity.active()) // the CFL number of the ALE convection u - w
                mesh_velocity.get(cell->level(), cell->index(), w_mesh);
              for (unsigned int q = 0; q < quadrature.size(); ++q)
                {
                  const double JxW = fe_values.JxW(q);
                  Tensor<1, 3> w;
                  w[2] = g[q][1][0] - g[q][0][1];
                  if constexpr (dim == 3)
                    {
                      w[0] = g[q][2][1] - g[q][1][2];
                      w[1] = g[q][0][2] - g[q][2][0];
                    }
                  energy += 0.5 * v[q].norm_square() * JxW;
                  enstrophy += 0.5 * w.norm_square() * JxW;
                  const SymmetricTensor<2, dim> e = symmetrize(g[q]);
                  dissipation += 2. * viscosity * (e * e) * JxW;
                  divergence += std::pow(trace(g[q]), 2) * JxW;
                  cfl = std::max(cfl, (v[q] - w_mesh[q]).norm() * step.dt / h);
                }
            }
      energy      = Utilities::MPI::sum(energy, context.comm);
      enstrophy   = Utilities::MPI::sum(enstrophy, context.comm);
      dissipation = Utilities::MPI::sum(dissipation, context.comm);
      divergence  = std::sqrt(Utilities::MPI::sum(divergence, context.comm));
      cfl         = Utilities::MPI::max(cfl, context.comm);
      last_cfl    = cfl;
      if (!(cfl <= cfl_limit))
        throw RunError("step " + std::to_string(step.step) + ", t = " + std::to_string(step.time) +
                       ": the CFL number of the field 'velocity' is " + std::to_string(cfl) +
                       ", above 'cfl limit' = " + std::to_string(cfl_limit) +
                       " (the run is unstable; reduce the time step)");
      row.emplace_back("kinetic_energy", energy);
      row.emplace_back("enstrophy", enstrophy);
      row.emplace_back("viscous_dissipation", dissipation);
      row.emplace_back("divergence_l2", divergence);
      if (grad_div > 0.) // the dissipation of the grad-div term, gamma ||div u~||^2
        row.emplace_back("grad_div_dissipation", grad_div * divergence * divergence);
      row.emplace_back("cfl", cfl);

      double c_d = std::numeric_limits<double>::quiet_NaN(), c_l = c_d, delta_p = c_d, c_d_surface = c_d,
             c_l_surface = c_d;
      if (!force_ids.empty())
        {
          std::tie(c_d, c_l)                 = compute_forces();
          std::tie(c_d_surface, c_l_surface) = compute_surface_forces();
        }
      if (!pressure_points.empty())
        {
          const auto p = evaluate_at_points(pressure_points, false);
          delta_p      = p[0] - p[1];
        }
      if (!force_ids.empty() || !pressure_points.empty())
        {
          row.emplace_back("C_D", c_d);
          row.emplace_back("C_L", c_l);
          row.emplace_back("delta_p", delta_p);
          row.emplace_back("C_D_surface", c_d_surface);
          row.emplace_back("C_L_surface", c_l_surface);
          if (forces_csv)
            forces_csv->write_row(
              {{"step", step.step}, {"time", step.time}, {"C_D", c_d}, {"C_L", c_l}, {"delta_p", delta_p}});
          force_history.push_back({{step.time, c_d, c_l, delta_p}});
        }

      if (exact_velocity || exact_pressure)
        {
          double            u_error = std::numeric_limits<double>::quiet_NaN(), p_error = u_error;
          const QGauss<dim> error_quadrature(degree + 2);
          Vector<double>    cellwise(context.triangulation.n_active_cells());
          if (exact_velocity)
            {
              exact_velocity->set_time(step.time);
              VectorTools::integrate_difference(context.mesh_mover.mapping(),
                                                dof_u,
                                                u_n,
                                                *exact_velocity,
                                                cellwise,
                                                error_quadrature,
                                                VectorTools::L2_norm);
              u_error =
                VectorTools::compute_global_error(context.triangulation, cellwise, VectorTools::L2_norm);
            }
          if (exact_pressure)
            {
              // pressures are compared with zero mean
              exact_pressure->set_time(step.time);
              Vector_t exact_p(owned_p, context.comm), shifted(owned_p, context.comm);
              VectorTools::interpolate(context.mesh_mover.mapping(), dof_p, *exact_pressure, exact_p);
              Vector_t exact_ghosted(owned_p, relevant_p, context.comm);
              exact_ghosted      = exact_p;
              const double shift = VectorTools::compute_mean_value(context.mesh_mover.mapping(),
                                                                   dof_p,
                                                                   QGauss<dim>(degree + 1),
                                                                   exact_ghosted,
                                                                   0) -
                                   VectorTools::compute_mean_value(
                                     context.mesh_mover.mapping(), dof_p, QGauss<dim>(degree + 1), p_n, 0);
              shifted = p_n;
              shifted.add(shift);
              Vector_t shifted_ghosted(owned_p, relevant_p, context.comm);
              shifted_ghosted = shifted;
              VectorTools::integrate_difference(context.mesh_mover.mapping(),
                                                dof_p,
                                                shifted_ghosted,
                                                *exact_pressure,
                                                cellwise,
                                                error_quadrature,
                                                VectorTools::L2_norm);
              p_error =
                VectorTools::compute_global_error(context.triangulation, cellwise, VectorTools::L2_norm);
            }
          row.emplace_back("u_l2_error", u_error);
          row.emplace_back("p_l2_error", p_error);
        }

      if (!lines.empty() && (last_step || (profile_interval > 0 && step.step % profile_interval == 0)))
        write_profiles(step.step);
    }

    template <int dim>
    std::string
    NavierStokes<dim>::progress_text() const
    {
      std::ostringstream s;
      s << "cells " << context.triangulation.n_global_active_cells() << "  dofs "
        << dof_u.n_dofs() + dof_p.n_dofs() << "  CFL " << std::setprecision(3) << last_cfl << "  its u "
        << velocity_result.iterations << " p " << pressure_result.iterations;
      if (!force_history.empty())
        s << "  C_D " << std::setprecision(5) << force_history.back()[1] << " C_L "
          << force_history.back()[2];
      return s.str();
    }

    template <int dim>
    std::vector<std::string>
    NavierStokes<dim>::summary() const
    {
      std::vector<std::string> lines_out;
      std::ostringstream       s;
      s << "velocity solves: " << total_velocity_its / std::max(1u, steps_done)
        << " iterations per step; pressure: " << total_pressure_its / std::max(1u, steps_done)
        << " iterations per step";
      lines_out.push_back(s.str());
      if (force_history.size() < 2)
        return lines_out;
      const auto &last = force_history.back();
      s.str("");
      s << std::setprecision(8) << "final: C_D = " << last[1] << ", C_L = " << last[2]
        << ", delta_p = " << last[3];
      lines_out.push_back(s.str());
      // Strouhal number from the period of the lift: upward zero crossings of C_L - mean
      const double t_end = last[0], t_start = force_history.front()[0];
      double       mean = 0;
      unsigned int n    = 0;
      for (const auto &f : force_history)
        if (f[0] >= 0.5 * (t_start + t_end))
          {
            mean += f[2];
            ++n;
          }
      mean /= std::max(1u, n);
      std::vector<double> crossings;
      for (std::size_t k = 1; k < force_history.size(); ++k)
        {
          const auto &a = force_history[k - 1], &b = force_history[k];
          if (a[0] >= 0.5 * (t_start + t_end) && a[2] < mean && b[2] >= mean)
            crossings.push_back(a[0] + (mean - a[2]) / (b[2] - a[2]) * (b[0] - a[0]));
        }
      if (crossings.size() >= 2)
        {
          const double period = crossings.back() - crossings[crossings.size() - 2];
          double       cd_max = -1e300, cl_max = -1e300, cl_min = 1e300;
          for (const auto &f : force_history)
            if (f[0] >= crossings[crossings.size() - 2])
              {
                cd_max = std::max(cd_max, f[1]);
                cl_max = std::max(cl_max, f[2]);
                cl_min = std::min(cl_min, f[2]);
              }
          s.str("");
          s << std::setprecision(6) << "last lift period [" << crossings[crossings.size() - 2] << ", "
            << crossings.back() << "]: C_D max = " << cd_max << ", C_L max = " << cl_max
            << ", C_L min = " << cl_min << ", St = " << reference_length / (reference_velocity * period);
          lines_out.push_back(s.str());
        }
      return lines_out;
    }

    template void
    NavierStokes<2>::postprocess(const StepInfo &step, const bool last_step, StatisticsRow &row);
    template void
    NavierStokes<3>::postprocess(const StepInfo &step, const bool last_step, StatisticsRow &row);
    template std::string
    NavierStokes<2>::progress_text() const;
    template std::string
    NavierStokes<3>::progress_text() const;
    template std::vector<std::string>
    NavierStokes<2>::summary() const;
    template std::vector<std::string>
    NavierStokes<3>::summary() const;
  } // namespace navier_stokes
} // namespace hyfe
