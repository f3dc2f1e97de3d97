/**
 * @file
 * @brief Navier-Stokes: the DoFs, sparsity, matrices and vectors on a mesh, the initial condition, and the
 * transfer of the history through mesh adaptation and checkpoints.
 */

#include <deal.II/base/quadrature_lib.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/sparsity_tools.h>
#include <deal.II/numerics/vector_tools.h>

#include <cmath>
#include <iomanip>
#include <sstream>

#include "solver/core/checkpoint.h"
#include "solver/modules/closure_model.h"
#include "solver/modules/mesh_mover.h"
#include "solver/physics/navier_stokes_impl.h"

namespace hyfe
{
  namespace navier_stokes
  {
    template <int dim>
    void
    NavierStokes<dim>::setup_dofs()
    {
      cache = CellCache(); // new DoFs and a new sparsity: nothing of the cache stays
      dof_u.distribute_dofs(fe_u);
      dof_p.distribute_dofs(fe_p);
      owned_u = dof_u.locally_owned_dofs();
      owned_p = dof_p.locally_owned_dofs();
      DoFTools::extract_locally_relevant_dofs(dof_u, relevant_u);
      DoFTools::extract_locally_relevant_dofs(dof_p, relevant_p);

      hanging_u.clear();
      hanging_u.reinit(relevant_u);
      DoFTools::make_hanging_node_constraints(dof_u, hanging_u);
      for (const auto &p : periodic)
        DoFTools::make_periodicity_constraints(dof_u, p.a, p.b, p.direction, hanging_u);
      hanging_u.close();
      hanging_p.clear();
      hanging_p.reinit(relevant_p);
      DoFTools::make_hanging_node_constraints(dof_p, hanging_p);
      for (const auto &p : periodic)
        DoFTools::make_periodicity_constraints(dof_p, p.a, p.b, p.direction, hanging_p);
      hanging_p.close();

      // phi: zero on the outflow; without an outflow it is fixed at one unconstrained DoF
      constraints_phi.clear();
      constraints_phi.reinit(relevant_p);
      constraints_phi.merge(hanging_p);
      if (!do_nothing_ids.empty())
        {
          std::map<types::boundary_id, const Function<dim> *> zero;
          const Functions::ZeroFunction<dim>                  zero_function;
          for (const auto id : do_nothing_ids)
            zero[id] = &zero_function;
          VectorTools::interpolate_boundary_values(context.mesh_mover.mapping(),
                                                   dof_p,
                                                   zero,
                                                   constraints_phi);
        }
      else
        {
          types::global_dof_index pin = numbers::invalid_dof_index;
          for (const auto i : owned_p)
            if (!hanging_p.is_constrained(i))
              {
                pin = i;
                break;
              }
          pin = Utilities::MPI::min(pin, context.comm);
          if (relevant_p.is_element(pin))
            constraints_phi.add_line(pin);
        }
      constraints_phi.close();

      make_velocity_constraints(0.);
      {
        DynamicSparsityPattern       dsp(relevant_u);
        Table<2, DoFTools::Coupling> coupling(dim, dim);
        for (unsigned int c = 0; c < dim; ++c)
          for (unsigned int d = 0; d < dim; ++d)
            coupling[c][d] = (c == d || !slip_ids.empty() ||
                              (context.closure_model.is_active() && !explicit_transpose) || grad_div > 0.)
                               ? DoFTools::always
                               : DoFTools::none;
        DoFTools::make_sparsity_pattern(dof_u, coupling, dsp, constraints_u, false);
        SparsityTools::distribute_sparsity_pattern(dsp, owned_u, context.comm, relevant_u);
        velocity_matrix.reinit(owned_u, owned_u, dsp, context.comm);
      }
      {
        DynamicSparsityPattern dsp(relevant_p);
        DoFTools::make_sparsity_pattern(dof_p, dsp, constraints_phi, false);
        SparsityTools::distribute_sparsity_pattern(dsp, owned_p, context.comm, relevant_p);
        pressure_laplace.reinit(owned_p, owned_p, dsp, context.comm);
        DynamicSparsityPattern dsp_mass(relevant_p);
        DoFTools::make_sparsity_pattern(dof_p, dsp_mass, hanging_p, false);
        SparsityTools::distribute_sparsity_pattern(dsp_mass, owned_p, context.comm, relevant_p);
        pressure_mass.reinit(owned_p, owned_p, dsp_mass, context.comm);
      }
      velocity_rhs.reinit(owned_u, context.comm);
      new_velocity.reinit(owned_u, context.comm);
      for (auto *v : {&pressure_rhs, &divergence_rhs, &phi, &div_projection, &new_pressure})
        v->reinit(owned_p, context.comm);
      u_n.reinit(owned_u, relevant_u, context.comm);
      u_nm1.reinit(owned_u, relevant_u, context.comm);
      time_derivative.reinit(owned_u, relevant_u, context.comm);
      psi_n.reinit(owned_p, relevant_p, context.comm);
      psi_nm1.reinit(owned_p, relevant_p, context.comm);
      p_n.reinit(owned_p, relevant_p, context.comm);

      // test functions of the volume-integral forces: e_d on the body, zero elsewhere
      for (unsigned int d = 0; d < dim; ++d)
        {
          Vector_t                                  owned(owned_u, context.comm);
          std::map<types::global_dof_index, double> values;
          Vector<double>                            unit(dim);
          unit[d] = 1.;
          const Functions::ConstantFunction<dim> e_d(unit);
          for (const auto id : force_ids)
            VectorTools::interpolate_boundary_values(context.mesh_mover.mapping(), dof_u, id, e_d, values);
          for (const auto &[i, v] : values)
            if (owned_u.is_element(i))
              owned[i] = v;
          owned.compress(VectorOperation::insert);
          force_test[d].reinit(owned_u, relevant_u, context.comm);
          force_test[d] = owned;
        }
      assemble_pressure_matrices();
    }

    template <int dim>
    void
    NavierStokes<dim>::assemble_pressure_matrices()
    {
      pressure_laplace = 0;
      pressure_mass    = 0;
      const QGauss<dim>                    quadrature(degree + 1);
      FEValues<dim>                        fe_values(context.mesh_mover.mapping(),
                              fe_p,
                              quadrature,
                              update_values | update_gradients | update_JxW_values);
      const unsigned int                   n = fe_p.n_dofs_per_cell();
      FullMatrix<double>                   laplace(n, n), mass(n, n);
      std::vector<types::global_dof_index> dofs(n);
      for (const auto &cell : dof_p.active_cell_iterators())
        if (cell->is_locally_owned())
          {
            fe_values.reinit(cell);
            laplace = 0;
            mass    = 0;
            for (unsigned int q = 0; q < quadrature.size(); ++q)
              for (unsigned int i = 0; i < n; ++i)
                for (unsigned int j = 0; j < n; ++j)
                  {
                    laplace(i, j) +=
                      fe_values.shape_grad(i, q) * fe_values.shape_grad(j, q) * fe_values.JxW(q);
                    mass(i, j) +=
                      fe_values.shape_value(i, q) * fe_values.shape_value(j, q) * fe_values.JxW(q);
                  }
            cell->get_dof_indices(dofs);
            constraints_phi.distribute_local_to_global(laplace, dofs, pressure_laplace);
            hanging_p.distribute_local_to_global(mass, dofs, pressure_mass);
          }
      pressure_laplace.compress(VectorOperation::add);
      pressure_mass.compress(VectorOperation::add);
      // the pressure matrix changes only here, with the mesh: its preconditioner is built here too
      pressure_preconditioner->initialize(pressure_laplace, true);
      if (mass_pc != nullptr)
        PCDestroy(&mass_pc);
      petsc_check(PCCreate(context.comm, &mass_pc), "PCCreate");
      petsc_check(PCSetType(mass_pc, PCJACOBI), "PCSetType");
      petsc_check(PCSetOperators(mass_pc, static_cast<Mat>(pressure_mass), static_cast<Mat>(pressure_mass)),
                  "PCSetOperators");
      petsc_check(PCSetUp(mass_pc), "PCSetUp");
    }

    template <int dim>
    void
    NavierStokes<dim>::set_initial_condition(const double time)
    {
      initial_velocity->set_time(time);
      initial_pressure->set_time(time);
      VectorTools::interpolate(context.mesh_mover.mapping(), dof_u, *initial_velocity, new_velocity);
      hanging_u.distribute(new_velocity);
      VectorTools::interpolate(context.mesh_mover.mapping(), dof_p, *initial_pressure, new_pressure);
      hanging_p.distribute(new_pressure);
      u_n        = new_velocity;
      u_nm1      = new_velocity;
      p_n        = new_pressure;
      psi_n      = 0;
      psi_nm1    = 0;
      steps_done = 0;
    }

    template <int dim>
    void
    NavierStokes<dim>::setup(const double start_time)
    {
      setup_dofs();
      set_initial_condition(start_time);
      if (!force_ids.empty() || !pressure_points.empty())
        forces_csv = std::make_unique<CsvWriter>(context.output_directory + "/forces.csv", context.comm);
    }

    template <int dim>
    void
    NavierStokes<dim>::prepare_adaptation()
    {
      Vector<float> indicators(context.triangulation.n_active_cells());
      if (indicator == "kelly")
        physics_tools::kelly_indicators(context.mesh_mover.mapping(), dof_u, degree, u_n, indicators);
      else
        {
          const QGauss<dim> quadrature(degree);
          FEValues<dim>     fe_values(context.mesh_mover.mapping(), fe_u, quadrature, update_gradients);
          const FEValuesExtractors::Vector velocities(0);
          std::vector<Tensor<2, dim>>      g(quadrature.size());
          for (const auto &cell : dof_u.active_cell_iterators())
            if (cell->is_locally_owned())
              {
                fe_values.reinit(cell);
                fe_values[velocities].get_function_gradients(u_n, g);
                double w = 0;
                for (unsigned int q = 0; q < quadrature.size(); ++q)
                  w = std::max(w, (g[q] - transpose(g[q])).norm() / std::sqrt(2.));
                indicators(cell->active_cell_index()) = w * cell->diameter();
              }
        }
      history.prepare_adaptation(context.triangulation, indicators, context.adaptivity);
    }

    template <int dim>
    void
    NavierStokes<dim>::finish_adaptation()
    {
      setup_dofs();
      history.finish_adaptation();
      nu_t_values.clear();
    }

    template <int dim>
    std::vector<std::pair<std::string, std::string>>
    NavierStokes<dim>::restart_invariants() const
    {
      return {{"navier stokes/velocity degree", std::to_string(degree)},
              {"navier stokes/forces", force_ids.empty() && pressure_points.empty() ? "none" : "forces.csv"}};
    }

    template <int dim>
    void
    NavierStokes<dim>::prepare_checkpoint(CheckpointState &state)
    {
      history.prepare_serialization();
      const std::string p = "navier stokes/";
      state.set(p + "steps done", std::to_string(steps_done));
      state.set_number(p + "previous dt", previous_dt);
      state.set_number(p + "last dt", last_dt);
      state.set_number(p + "last cfl", last_cfl);
      state.set_number(p + "total velocity iterations", total_velocity_its);
      state.set_number(p + "total pressure iterations", total_pressure_its);
      // the force history (for the summary's Strouhal number), exactly: 17 significant digits
      std::ostringstream forces;
      forces << std::setprecision(17);
      for (const auto &f : force_history)
        forces << (&f == force_history.data() ? "" : ";") << f[0] << ',' << f[1] << ',' << f[2] << ','
               << f[3];
      state.set(p + "force history", forces.str());
      state.set(p + "forces.csv bytes",
                std::to_string(
                  Utilities::MPI::broadcast(context.comm, forces_csv ? forces_csv->bytes() : 0L, 0)));
    }

    template <int dim>
    void
    NavierStokes<dim>::finish_checkpoint()
    {
      history.finish_serialization();
    }

    template <int dim>
    void
    NavierStokes<dim>::load_checkpoint(const CheckpointState &state)
    {
      setup_dofs();
      history.deserialize();
      const std::string p = "navier stokes/";
      steps_done          = std::stoul(state.get(p + "steps done"));
      previous_dt         = state.get_number(p + "previous dt");
      last_dt             = state.get_number(p + "last dt");
      last_cfl            = state.get_number(p + "last cfl");
      total_velocity_its  = state.get_number(p + "total velocity iterations");
      total_pressure_its  = state.get_number(p + "total pressure iterations");
      force_history.clear();
      for (const auto &row : Utilities::split_string_list(state.get(p + "force history"), ';'))
        {
          const auto values = Utilities::split_string_list(row, ',');
          if (values.size() != 4)
            throw InputError("checkpoint entry '" + p + "force history': a row of " +
                             std::to_string(values.size()) + " values instead of 4");
          std::array<double, 4> f;
          for (unsigned int k = 0; k < 4; ++k)
            f[k] = std::strtod(values[k].c_str(), nullptr);
          force_history.push_back(f);
        }
      if (!force_ids.empty() || !pressure_points.empty())
        forces_csv = std::make_unique<CsvWriter>(context.output_directory + "/forces.csv",
                                                 context.comm,
                                                 std::stol(state.get(p + "forces.csv bytes")));
    }

    template std::vector<std::pair<std::string, std::string>>
    NavierStokes<2>::restart_invariants() const;
    template std::vector<std::pair<std::string, std::string>>
    NavierStokes<3>::restart_invariants() const;
    template void
    NavierStokes<2>::prepare_checkpoint(CheckpointState &);
    template void
    NavierStokes<3>::prepare_checkpoint(CheckpointState &);
    template void
    NavierStokes<2>::finish_checkpoint();
    template void
    NavierStokes<3>::finish_checkpoint();
    template void
    NavierStokes<2>::load_checkpoint(const CheckpointState &);
    template void
    NavierStokes<3>::load_checkpoint(const CheckpointState &);
    template void
    NavierStokes<2>::setup_dofs();
    template void
    NavierStokes<3>::setup_dofs();
    template void
    NavierStokes<2>::assemble_pressure_matrices();
    template void
    NavierStokes<3>::assemble_pressure_matrices();
    template void
    NavierStokes<2>::set_initial_condition(const double time);
    template void
    NavierStokes<3>::set_initial_condition(const double time);
    template void
    NavierStokes<2>::setup(const double start_time);
    template void
    NavierStokes<3>::setup(const double start_time);
    template void
    NavierStokes<2>::prepare_adaptation();
    template void
    NavierStokes<3>::prepare_adaptation();
    template void
    NavierStokes<2>::finish_adaptation();
    template void
    NavierStokes<3>::finish_adaptation();
  } // namespace navier_stokes
} // namespace hyfe
