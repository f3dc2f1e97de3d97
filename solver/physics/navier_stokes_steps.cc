/**
 * @file
 * @brief Navier-Stokes: one time step of the projection scheme: the velocity solve, the pressure increment
 * and the pressure update; the CFL-adaptive step.
 */

#include <chrono>

#include "solver/physics/navier_stokes_impl.h"

namespace hyfe
{
  namespace navier_stokes
  {
    template <int dim>
    double
    NavierStokes<dim>::propose_time_step(const double max_step) const
    {
      if (!adaptive_dt || steps_done == 0 || last_cfl <= 0.)
        return adaptive_dt && steps_done == 0 ? max_step * 0.1 : max_step;
      // grow by at most 20 % per step, towards the target CFL number
      return std::min({max_step, last_dt * max_cfl / last_cfl, 1.2 * last_dt});
    }

    template <int dim>
    void
    NavierStokes<dim>::advance(const StepInfo &step, StatisticsRow &row)
    {
      const auto clock = [] { return std::chrono::steady_clock::now(); };
      const auto since = [](const auto t0) {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      };
      const double dt = step.dt;
      // variable-step BDF2 (BDF1 in the first step): (alpha0 u^{n+1} - alpha1 u^n + alpha2 u^{n-1}) / dt
      const double omega  = steps_done == 0 ? 0. : dt / previous_dt;
      const double alpha0 = (1. + 2. * omega) / (1. + omega);
      const double alpha1 = 1. + omega;
      const double alpha2 = omega * omega / (1. + omega);

      auto t0 = clock();
      make_velocity_constraints(step.time);
      assemble_velocity_system(step, alpha0, alpha1, alpha2, omega);
      double velocity_assembly = since(t0);

      // the velocity solve, with u^n as the first guess; again per Picard iteration, with u* = the last
      // solution as the convecting velocity and that solution as the first guess
      double     velocity_time  = 0.;
      const auto solve_velocity = [&] {
        t0 = clock();
        velocity_preconditioner->initialize(velocity_matrix, false);
        velocity_result = physics_tools::solve_and_check(
          *velocity_preconditioner,
          velocity_krylov,
          velocity_matrix,
          new_velocity,
          velocity_rhs,
          constraints_u,
          step,
          {context.output_directory + "/velocity", "the velocity solve", "velocity", false});
        velocity_time += since(t0);
      };
      new_velocity = u_n;
      constraints_u.set_zero(new_velocity);
      solve_velocity();
      for (unsigned int k = 0; k < picard_iterations; ++k)
        {
          t0 = clock();
          Vector_t iterate(owned_u, relevant_u, context.comm);
          iterate    = new_velocity;
          convecting = &iterate;
          assemble_velocity_system(step, alpha0, alpha1, alpha2, omega);
          convecting = nullptr;
          velocity_assembly += since(t0);
          solve_velocity();
        }
      {
        // du/dt of the scheme, for the forces: (alpha0 u^{n+1} - alpha1 u^n + alpha2 u^{n-1}) / dt
        Vector_t derivative(owned_u, context.comm), old(owned_u, context.comm);
        derivative = new_velocity;
        derivative *= alpha0 / dt;
        old = u_n;
        derivative.add(-alpha1 / dt, old);
        old = u_nm1;
        derivative.add(alpha2 / dt, old);
        time_derivative = derivative;
      }
      u_nm1 = u_n;
      u_n   = new_velocity;

      // pressure Poisson problem for the increment phi, then the rotational update
      t0 = clock();
      assemble_pressure_rhs(alpha0, dt);
      const double pressure_assembly = since(t0);
      t0                             = clock();
      phi                            = 0;
      pressure_result                = physics_tools::solve_and_check(
        *pressure_preconditioner,
        pressure_krylov,
        pressure_laplace,
        phi,
        pressure_rhs,
        constraints_phi,
        step,
        {context.output_directory + "/pressure", "the pressure solve", "", false});
      const double pressure_time = since(t0);

      KrylovSettings mass_settings;
      mass_settings.method             = "cg";
      mass_settings.relative_tolerance = 1e-10;
      div_projection                   = 0;
      krylov_solve(mass_settings,
                   true,
                   static_cast<Mat>(pressure_mass),
                   mass_pc,
                   static_cast<const Vec &>(div_projection),
                   static_cast<const Vec &>(divergence_rhs));
      hanging_p.distribute(div_projection);
      new_pressure = p_n;
      new_pressure += phi;
      // the rotational form: p^{n+1} = p^n + phi - (nu + gamma) div u~; with grad-div, gamma div u~ is
      // the part of the pressure that the grad-div term carried in the velocity step (without it, fine
      // pressure modes would be corrected only by (alpha0/dt + nu k^2) / (alpha0/dt + (nu + gamma) k^2)
      // per step)
      if (rotational)
        new_pressure.add(-(viscosity + grad_div), div_projection);
      hanging_p.distribute(new_pressure);
      physics_tools::check_finite(new_pressure, step, "pressure");
      p_n     = new_pressure;
      psi_nm1 = psi_n;
      phi *= dt / alpha0;
      psi_n = phi;

      previous_dt = dt;
      last_dt     = dt;
      ++steps_done;
      total_velocity_its += velocity_result.iterations;
      total_pressure_its += pressure_result.iterations;
      row.emplace_back("cells", context.triangulation.n_global_active_cells());
      row.emplace_back("velocity_dofs", dof_u.n_dofs());
      row.emplace_back("pressure_dofs", dof_p.n_dofs());
      row.emplace_back("velocity_iterations", velocity_result.iterations);
      row.emplace_back("pressure_iterations", pressure_result.iterations);
      row.emplace_back("velocity_residual", velocity_result.relative_residual);
      row.emplace_back("pressure_residual", pressure_result.relative_residual);
      row.emplace_back("assembly_time", velocity_assembly + pressure_assembly);
      row.emplace_back("velocity_solve_time", velocity_time);
      row.emplace_back("pressure_solve_time", pressure_time);
    }

    template double
    NavierStokes<2>::propose_time_step(const double max_step) const;
    template double
    NavierStokes<3>::propose_time_step(const double max_step) const;
    template void
    NavierStokes<2>::advance(const StepInfo &step, StatisticsRow &row);
    template void
    NavierStokes<3>::advance(const StepInfo &step, StatisticsRow &row);
  } // namespace navier_stokes
} // namespace hyfe
