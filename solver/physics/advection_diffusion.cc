#include "solver/physics/advection_diffusion.h"

#include <deal.II/base/function_parser.h>
#include <deal.II/base/index_set.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/quadrature_lib.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/fe/fe_q.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/lac/affine_constraints.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/petsc_sparse_matrix.h>
#include <deal.II/lac/petsc_vector.h>
#include <deal.II/lac/sparsity_tools.h>
#include <deal.II/numerics/data_out.h>
#include <deal.II/numerics/vector_tools.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <sstream>

#include "solver/core/checkpoint.h"
#include "solver/core/exceptions.h"
#include "solver/core/mesh.h"
#include "solver/core/output.h"
#include "solver/core/parameters.h"
#include "solver/core/registry.templates.h"
#include "solver/modules/mesh_mover.h"
#include "solver/modules/preconditioner.h"
#include "solver/physics/module_output.h"
#include "solver/physics/physics_tools.h"

namespace hyfe
{
  namespace advection_diffusion
  {
    using namespace dealii;

    void
    declare_parameters(ParameterHandler &prm)
    {
      prm.enter_subsection("advection diffusion");
      prm.declare_entry("finite element degree",
                        "1",
                        Patterns::Integer(1, 2),
                        "Polynomial degree of the continuous Lagrange elements: 1 (Q1) or 2 (Q2). Unitless.");
      prm.declare_entry("function constants",
                        "",
                        Patterns::Anything(),
                        "Constants usable in every expression of this subsection, as 'name=value, ...'; "
                        "pi is predefined. Units as the user intends.");
      prm.declare_entry("advection velocity",
                        "0; 0",
                        Patterns::Anything(),
                        "Advection field b(x, t), one expression per component separated by ';' "
                        "(variables x, y[, z], t). Length/time.");
      prm.declare_entry("diffusivity",
                        "1",
                        Patterns::Anything(),
                        "Diffusivity kappa(x, t) >= 0, an expression. Length^2/time.");
      prm.declare_entry("reaction rate",
                        "0",
                        Patterns::Anything(),
                        "Reaction coefficient sigma(x, t) >= 0, an expression. 1/time.");
      prm.declare_entry("source",
                        "0",
                        Patterns::Anything(),
                        "Right-hand side f(x, t), an expression. Concentration/time.");
      prm.declare_entry("initial condition",
                        "0",
                        Patterns::Anything(),
                        "Initial concentration c(x, t0), an expression. Concentration.");
      prm.declare_entry("exact solution",
                        "",
                        Patterns::Anything(),
                        "Exact solution c(x, t), an expression; empty: none. When given, the L2 and "
                        "H1-seminorm errors go into stats.csv every step and the pointwise error into "
                        "the output. Concentration.");
      prm.declare_entry("error interval",
                        "1",
                        Patterns::Integer(1),
                        "Compute the errors against the exact solution every this many steps (and at the "
                        "last step); other rows of stats.csv hold nan. Steps, >= 1.");
      prm.declare_entry("supg",
                        "true",
                        Patterns::Bool(),
                        "Streamline-upwind/Petrov-Galerkin stabilisation (active only where b != 0). "
                        "Unitless, true or false.");
      prm.declare_entry("supg factor",
                        "1.0",
                        Patterns::Double(0., 10.),
                        "Scaling of the SUPG parameter tau (Tezduyar's formula). Unitless, in [0, 10].");

      prm.enter_subsection("boundary conditions");
      prm.declare_entry("dirichlet ids",
                        "",
                        Patterns::List(Patterns::Integer(0, 254), 0, 255, ","),
                        "Boundary ids where c is prescribed, comma-separated. Unitless ids in [0, 254].");
      prm.declare_entry("dirichlet value",
                        "0",
                        Patterns::Anything(),
                        "Prescribed c(x, t) on the Dirichlet ids, an expression. Concentration.");
      prm.declare_entry("neumann ids",
                        "",
                        Patterns::List(Patterns::Integer(0, 254), 0, 255, ","),
                        "Boundary ids with a prescribed diffusive flux, comma-separated. Unitless ids "
                        "in [0, 254]. Every boundary id of the mesh must be listed exactly once, under "
                        "Dirichlet or Neumann.");
      prm.declare_entry("neumann flux",
                        "0",
                        Patterns::Anything(),
                        "Diffusive flux g = kappa dc/dn (outward normal n) on the Neumann ids, an "
                        "expression. Concentration * length/time.");
      prm.leave_subsection();

      prm.enter_subsection("linear solver");
      KrylovSettings::declare_parameters(prm, 1e-10);
      prm.enter_subsection("preconditioner");
      Preconditioner::declare_system(prm,
                                     "boomeramg",
                                     "Preconditioner of the Krylov solve of each time step.");
      prm.leave_subsection();
      prm.leave_subsection();
      prm.leave_subsection();
    }

    /** @brief The advection-diffusion-reaction solver. */
    template <int dim>
    class AdvectionDiffusion : public Physics<dim>
    {
    public:
      AdvectionDiffusion(ParameterHandler &prm, const SimulationContext<dim> &context);

      void
      check_boundary_ids(const std::set<types::boundary_id> &mesh_ids) const override;
      std::vector<DataExpression<dim>>
      data_expressions() const override
      {
        const std::string p = "advection diffusion/", b = p + "boundary conditions/";
        return {
          {advection.get(), p + "advection velocity"},
          {diffusivity.get(), p + "diffusivity", Sign::non_negative},
          {reaction.get(), p + "reaction rate", Sign::non_negative},
          {source.get(), p + "source"},
          {initial.get(), p + "initial condition", Sign::any, true},
          {exact.get(), p + "exact solution"},
          {dirichlet_ids.empty() ? nullptr : dirichlet.get(),
           b + "dirichlet value",
           Sign::any,
           false,
           dirichlet_ids},
          {neumann_ids.empty() ? nullptr : neumann.get(), b + "neumann flux", Sign::any, false, neumann_ids}};
      }
      double
      dofs_per_cell() const override
      {
        return std::pow(degree, dim);
      }
      unsigned int
      mapping_degree() const override
      {
        return degree;
      }
      void
      setup(double start_time) override;
      void
      set_initial_condition(double time) override;
      std::vector<FieldState<dim>>
      fields() const override
      {
        return {{"c", &dof_handler, &current, &older}};
      }
      void
      advance(const StepInfo &step, StatisticsRow &row) override;
      void
      postprocess(const StepInfo &step, bool last_step, StatisticsRow &row) override;
      void
      prepare_adaptation() override;
      void
      finish_adaptation() override;
      void
      write_output(VtuWriter &writer, double time, const OutputFields &module_fields) override;
      std::string
      progress_text() const override;
      std::vector<ModuleSlot>
      modules() override
      {
        return {{"", preconditioner.get(), "c"}};
      }
      std::vector<std::string>
      summary() const override;
      bool
      supports_checkpoints() const override
      {
        return true;
      }
      std::vector<std::pair<std::string, std::string>>
      restart_invariants() const override
      {
        return {{"advection diffusion/finite element degree", std::to_string(degree)}};
      }
      void
      prepare_checkpoint(CheckpointState &state) override;
      void
      finish_checkpoint() override
      {
        history.finish_serialization();
      }
      void
      load_checkpoint(const CheckpointState &state) override;

    private:
      void
      setup_dofs();
      void
      make_constraints(double time);
      void
      assemble_system(const StepInfo &step, bool first_step);

      const SimulationContext<dim> context;
      const unsigned int           degree;
      FE_Q<dim>                    fe;
      DoFHandler<dim>              dof_handler;
      IndexSet                     owned_dofs, relevant_dofs;
      AffineConstraints<double>    hanging_constraints, constraints;

      PETScWrappers::MPI::SparseMatrix system_matrix;
      PETScWrappers::MPI::Vector       rhs, solution;  // owned
      PETScWrappers::MPI::Vector       current, older; // ghosted: c^n and c^{n-1}

      std::unique_ptr<FunctionParser<dim>> advection, diffusivity, reaction, source, initial, dirichlet,
        neumann, exact;
      std::vector<types::boundary_id> dirichlet_ids, neumann_ids;
      bool                            has_advection, supg;
      unsigned int                    error_interval = 1;
      double                          supg_factor;
      KrylovSettings                  krylov;
      std::unique_ptr<Preconditioner> preconditioner;

      unsigned int                        steps_done  = 0;
      double                              previous_dt = 0.; ///< the size of the last step taken
      SolveResult                         last_solve;
      physics_tools::HistoryTransfer<dim> history; // current, older
      double                              total_assembly_time = 0, total_solve_time = 0, total_setup_time = 0;
      unsigned long                       total_iterations = 0;
    };

    template <int dim>
    AdvectionDiffusion<dim>::AdvectionDiffusion(ParameterHandler &prm, const SimulationContext<dim> &context)
        : context(context)
        , degree(physics_tools::read_degree(prm, "advection diffusion", "finite element degree"))
        , fe(degree)
        , dof_handler(context.triangulation)
    {
      history.add(dof_handler, {&current, &older}, hanging_constraints);
      prm.enter_subsection("advection diffusion");
      const std::string prefix = "advection diffusion/";
      const auto constants = parse_constants(prm.get("function constants"), prefix + "function constants");
      auto       scalar    = [&](const std::string &entry) {
        return make_function<dim>(prm.get(entry), 1, constants, prefix + entry);
      };
      advection =
        make_function<dim>(prm.get("advection velocity"), dim, constants, prefix + "advection velocity");
      has_advection = !is_zero_expression(prm.get("advection velocity"));
      diffusivity   = scalar("diffusivity");
      reaction      = scalar("reaction rate");
      source        = scalar("source");
      initial       = scalar("initial condition");
      if (!prm.get("exact solution").empty())
        exact = scalar("exact solution");
      error_interval = prm.get_integer("error interval");
      supg           = prm.get_bool("supg");
      supg_factor    = prm.get_double("supg factor");

      prm.enter_subsection("boundary conditions");
      dirichlet_ids =
        parse_boundary_ids(prm.get("dirichlet ids"), prefix + "boundary conditions/dirichlet ids");
      neumann_ids = parse_boundary_ids(prm.get("neumann ids"), prefix + "boundary conditions/neumann ids");
      dirichlet   = make_function<dim>(prm.get("dirichlet value"),
                                     1,
                                     constants,
                                     prefix + "boundary conditions/dirichlet value");
      neumann     = make_function<dim>(prm.get("neumann flux"),
                                   1,
                                   constants,
                                   prefix + "boundary conditions/neumann flux");
      prm.leave_subsection();

      prm.enter_subsection("linear solver");
      krylov.parse_parameters(prm);
      prm.enter_subsection("preconditioner");
      preconditioner = Preconditioner::create(prm);
      prm.leave_subsection();
      prm.leave_subsection();
      prm.leave_subsection();
    }

    template <int dim>
    void
    AdvectionDiffusion<dim>::check_boundary_ids(const std::set<types::boundary_id> &mesh_ids) const
    {
      check_boundary_conditions(mesh_ids,
                                {{"dirichlet ids", dirichlet_ids}, {"neumann ids", neumann_ids}},
                                "advection diffusion/boundary conditions: ",
                                " (a zero 'neumann flux' is an insulated wall)");
    }

    template <int dim>
    void
    AdvectionDiffusion<dim>::setup_dofs()
    {
      dof_handler.distribute_dofs(fe);
      owned_dofs = dof_handler.locally_owned_dofs();
      DoFTools::extract_locally_relevant_dofs(dof_handler, relevant_dofs);

      hanging_constraints.clear();
      hanging_constraints.reinit(relevant_dofs);
      DoFTools::make_hanging_node_constraints(dof_handler, hanging_constraints);
      hanging_constraints.close();
      make_constraints(0.);

      DynamicSparsityPattern dsp(relevant_dofs);
      DoFTools::make_sparsity_pattern(dof_handler, dsp, constraints, false);
      SparsityTools::distribute_sparsity_pattern(dsp, owned_dofs, context.comm, relevant_dofs);
      system_matrix.reinit(owned_dofs, owned_dofs, dsp, context.comm);
      rhs.reinit(owned_dofs, context.comm);
      solution.reinit(owned_dofs, context.comm);
      current.reinit(owned_dofs, relevant_dofs, context.comm);
      older.reinit(owned_dofs, relevant_dofs, context.comm);
    }

    template <int dim>
    void
    AdvectionDiffusion<dim>::make_constraints(const double time)
    {
      constraints.clear();
      constraints.reinit(relevant_dofs);
      constraints.merge(hanging_constraints);
      dirichlet->set_time(time);
      std::map<types::boundary_id, const Function<dim> *> boundary_functions;
      for (const auto id : dirichlet_ids)
        boundary_functions[id] = dirichlet.get();
      VectorTools::interpolate_boundary_values(context.mesh_mover.mapping(),
                                               dof_handler,
                                               boundary_functions,
                                               constraints);
      constraints.close();
    }

    template <int dim>
    void
    AdvectionDiffusion<dim>::set_initial_condition(const double time)
    {
      initial->set_time(time);
      VectorTools::interpolate(context.mesh_mover.mapping(), dof_handler, *initial, solution);
      hanging_constraints.distribute(solution);
      current = solution;
      older   = solution;
    }

    template <int dim>
    void
    AdvectionDiffusion<dim>::setup(const double start_time)
    {
      setup_dofs();
      set_initial_condition(start_time);
    }

    template <int dim>
    void
    AdvectionDiffusion<dim>::prepare_checkpoint(CheckpointState &state)
    {
      history.prepare_serialization();
      state.set("advection diffusion/steps done", std::to_string(steps_done));
      state.set("advection diffusion/total iterations", std::to_string(total_iterations));
      state.set_number("advection diffusion/previous dt", previous_dt);
    }

    template <int dim>
    void
    AdvectionDiffusion<dim>::load_checkpoint(const CheckpointState &state)
    {
      setup_dofs();
      history.deserialize();
      steps_done       = std::stoul(state.get("advection diffusion/steps done"));
      total_iterations = std::stoul(state.get("advection diffusion/total iterations"));
      // checkpoints written before the entry existed: equal steps
      previous_dt = state.has("advection diffusion/previous dt")
                      ? state.get_number("advection diffusion/previous dt")
                      : context.time_step;
    }

    template <int dim>
    void
    AdvectionDiffusion<dim>::assemble_system(const StepInfo &step, const bool first_step)
    {
      const bool crank_nicolson = context.time_scheme == "crank-nicolson";
      const bool bdf2           = context.time_scheme == "bdf2" && !first_step;
      const bool steady         = context.time_scheme == "steady";
      // BDF2 with variable steps, omega = dt / previous dt (1.5, 2, 0.5 for equal steps, bit for bit),
      // consistent with the mesh velocity of a moving mesh, which uses the same coefficients
      const double omega  = bdf2 && previous_dt > 0. ? step.dt / previous_dt : 1.;
      const double alpha0 = steady ? 0. : (bdf2 ? (1. + 2. * omega) / (1. + omega) : 1.);
      const double beta1 = 1. + omega, beta2 = omega * omega / (1. + omega); // history weights
      const double theta = crank_nicolson ? 0.5 : 1.;
      const double dt    = step.dt;
      const double t_new = step.time, t_old = step.time - dt;

      system_matrix = 0;
      rhs           = 0;

      // A coefficient whose expressions name none of the variables x, y, z, t (nor muparser's rand)
      // has the same value at every point and time: it is evaluated once, not at every quadrature
      // point. The value is the one muparser would return at each point, so results do not change.
      const auto is_constant = [](const FunctionParser<dim> &f) {
        const auto letter = [](const char c) {
          return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        };
        const auto digit = [](const char c) { return c >= '0' && c <= '9'; };
        for (const auto &expression : f.get_expressions())
          for (std::size_t k = 0; k < expression.size();)
            if (letter(expression[k]))
              {
                std::size_t end = k;
                while (end < expression.size() && (letter(expression[end]) || digit(expression[end])))
                  ++end;
                const std::string name = expression.substr(k, end - k);
                if (name == "x" || name == "y" || name == "z" || name == "t" || name.rfind("rand", 0) == 0)
                  return false;
                k = end;
              }
            else if (digit(expression[k]) || expression[k] == '.')
              // a number, with its exponent letter (1e-3): not a name
              while (k < expression.size() &&
                     (digit(expression[k]) || letter(expression[k]) || expression[k] == '.'))
                ++k;
            else
              ++k;
        return true;
      };
      // b is exactly zero without advection (the expression is the number 0): never evaluated then
      const bool b_varies     = has_advection && !is_constant(*advection);
      const bool kappa_varies = !is_constant(*diffusivity);
      const bool sigma_varies = !is_constant(*reaction);
      const bool f_varies     = !is_constant(*source);
      const bool need_points  = b_varies || kappa_varies || sigma_varies || f_varies;
      // SUPG tests the whole strong residual, -kappa Laplace(c) included, which is not zero for Q2
      // (kappa is taken as locally constant in that term)
      // on a moving mesh the convection is by b - w, w the mesh velocity (ALE): the nodal values of c
      // follow the mesh, so that the BDF difference of them is the time derivative along the mesh
      const PETScWrappers::MPI::Vector *mesh_velocity = context.mesh_mover.mesh_velocity();
      const bool                        convect       = has_advection || mesh_velocity != nullptr;
      const bool                        second_order  = supg && convect && degree > 1;

      const QGauss<dim>                    quadrature(degree + 1);
      const QGauss<dim - 1>                face_quadrature(degree + 1);
      FEValues<dim>                        fe_values(context.mesh_mover.mapping(),
                              fe,
                              quadrature,
                              update_values | update_gradients | update_JxW_values |
                                (need_points ? update_quadrature_points : update_default) |
                                (second_order ? update_hessians : update_default));
      FEFaceValues<dim>                    fe_face_values(context.mesh_mover.mapping(),
                                       fe,
                                       face_quadrature,
                                       update_values | update_quadrature_points | update_JxW_values);
      const unsigned int                   dofs_per_cell = fe.n_dofs_per_cell();
      const unsigned int                   n_q           = quadrature.size();
      FullMatrix<double>                   cell_matrix(dofs_per_cell, dofs_per_cell);
      Vector<double>                       cell_rhs(dofs_per_cell);
      std::vector<types::global_dof_index> dof_indices(dofs_per_cell);

      std::vector<Vector<double>> b_new(n_q, Vector<double>(dim)), b_old(n_q, Vector<double>(dim));
      std::vector<double>         kappa_new(n_q), kappa_old(n_q), sigma_new(n_q), sigma_old(n_q), f_new(n_q),
        f_old(n_q);
      std::vector<double> c_n(n_q), c_nm1(n_q), g_new(face_quadrature.size()), g_old(face_quadrature.size());
      std::vector<Tensor<1, dim>> grad_c_n(n_q);
      std::vector<double>         test(dofs_per_cell), phi(dofs_per_cell), mass_phi(dofs_per_cell),
        b_grad(dofs_per_cell);
      std::vector<Tensor<1, dim>> grad(dofs_per_cell);
      std::vector<double>         laplacian(dofs_per_cell), laplacian_c_n(n_q);

      // the constant coefficients, once for all cells (at the origin: they do not depend on it)
      const Point<dim> origin;
      const auto fill_constant = [&](FunctionParser<dim> &f, const double time, std::vector<double> &v) {
        f.set_time(time);
        std::fill(v.begin(), v.end(), f.value(origin));
      };
      for (const double time : {t_new, t_old})
        {
          const bool new_time = time == t_new;
          if (has_advection && !b_varies)
            {
              advection->set_time(time);
              Vector<double> value(dim);
              advection->vector_value(origin, value);
              std::fill((new_time ? b_new : b_old).begin(), (new_time ? b_new : b_old).end(), value);
            }
          if (!kappa_varies)
            fill_constant(*diffusivity, time, new_time ? kappa_new : kappa_old);
          if (!sigma_varies)
            fill_constant(*reaction, time, new_time ? sigma_new : sigma_old);
          if (!f_varies)
            fill_constant(*source, time, new_time ? f_new : f_old);
          if (!crank_nicolson)
            break; // the old time level is used by Crank-Nicolson only
        }
      // the coefficients that vary, at the quadrature points of a cell
      auto evaluate = [&](const double                   time,
                          const std::vector<Point<dim>> &points,
                          std::vector<Vector<double>>   &b,
                          std::vector<double>           &kappa,
                          std::vector<double>           &sigma,
                          std::vector<double>           &f) {
        if (b_varies)
          {
            advection->set_time(time);
            advection->vector_value_list(points, b);
          }
        if (kappa_varies)
          {
            diffusivity->set_time(time);
            diffusivity->value_list(points, kappa);
          }
        if (sigma_varies)
          {
            reaction->set_time(time);
            reaction->value_list(points, sigma);
          }
        if (f_varies)
          {
            source->set_time(time);
            source->value_list(points, f);
          }
      };
      neumann->set_time(t_new);
      physics_tools::MeshVelocityValues<dim> mesh_values(context.mesh_mover, quadrature);
      std::vector<Tensor<1, dim>>            w(n_q);

      for (const auto &cell : dof_handler.active_cell_iterators())
        {
          if (!cell->is_locally_owned())
            continue;
          fe_values.reinit(cell);
          cell_matrix = 0;
          cell_rhs    = 0;
          if (need_points)
            {
              const auto &points = fe_values.get_quadrature_points();
              evaluate(t_new, points, b_new, kappa_new, sigma_new, f_new);
              if (crank_nicolson)
                evaluate(t_old, points, b_old, kappa_old, sigma_old, f_old);
            }
          if (crank_nicolson)
            fe_values.get_function_gradients(current, grad_c_n);
          if (crank_nicolson && second_order)
            fe_values.get_function_laplacians(current, laplacian_c_n);
          if (!steady) // the steady scheme has no history terms
            fe_values.get_function_values(current, c_n);
          if (bdf2)
            fe_values.get_function_values(older, c_nm1);
          // the cell size of the (moved) mesh
          const double h =
            (supg && convect)
              ? physics_tools::minimum_vertex_distance(context.mesh_mover.mapping(), cell) / degree
              : 0.;
          if (mesh_velocity)
            mesh_values.get(cell->level(), cell->index(), w);

          for (unsigned int q = 0; q < n_q; ++q)
            {
              for (unsigned int i = 0; i < dofs_per_cell; ++i)
                {
                  phi[i]  = fe_values.shape_value(i, q);
                  grad[i] = fe_values.shape_grad(i, q);
                }
              const double   kappa = kappa_new[q], sigma = sigma_new[q];
              const double   history = steady ? 0. : (bdf2 ? beta1 * c_n[q] - beta2 * c_nm1[q] : c_n[q]);
              double         rhs_q   = history / dt + theta * f_new[q];
              Tensor<1, dim> explicit_flux; // (1 - theta) kappa grad c^n, Crank-Nicolson only
              if (crank_nicolson)
                {
                  Tensor<1, dim> b_o;
                  for (unsigned int d = 0; d < dim; ++d)
                    b_o[d] = b_old[q][d];
                  rhs_q += (1. - theta) * (f_old[q] - b_o * grad_c_n[q] - sigma_old[q] * c_n[q]);
                  explicit_flux = (1. - theta) * kappa_old[q] * grad_c_n[q];
                }
              const double JxW  = fe_values.JxW(q);
              const double mass = alpha0 / dt + theta * sigma;
              for (unsigned int j = 0; j < dofs_per_cell; ++j)
                mass_phi[j] = mass * phi[j];

              if (convect)
                {
                  Tensor<1, dim> b;
                  for (unsigned int d = 0; d < dim; ++d)
                    b[d] = b_new[q][d];
                  if (mesh_velocity)
                    b -= w[q];
                  double tau = 0.;
                  if (supg && b.norm() > 0)
                    tau =
                      supg_factor / std::sqrt(std::pow(2. * alpha0 / dt, 2) + std::pow(2. * b.norm() / h, 2) +
                                              9. * std::pow(4. * kappa / (h * h), 2) + sigma * sigma);
                  for (unsigned int i = 0; i < dofs_per_cell; ++i)
                    {
                      b_grad[i]    = b * grad[i];
                      test[i]      = phi[i] + tau * b_grad[i];
                      laplacian[i] = second_order ? trace(fe_values.shape_hessian(i, q)) : 0.;
                    }
                  // (1 - theta) kappa Laplace(c^n): the explicit diffusion in the SUPG residual
                  const double explicit_laplacian =
                    crank_nicolson && second_order ? (1. - theta) * kappa_old[q] * laplacian_c_n[q] : 0.;
                  for (unsigned int i = 0; i < dofs_per_cell; ++i)
                    {
                      const double supg_i = tau * b_grad[i];
                      for (unsigned int j = 0; j < dofs_per_cell; ++j)
                        cell_matrix(i, j) += (mass_phi[j] * test[i] +
                                              theta * (b_grad[j] * test[i] +
                                                       kappa * (grad[j] * grad[i] - laplacian[j] * supg_i))) *
                                             JxW;
                      cell_rhs(i) +=
                        (rhs_q * test[i] - explicit_flux * grad[i] + explicit_laplacian * supg_i) * JxW;
                    }
                }
              else
                {
                  // b = 0: the test functions are the shape functions and the matrix is symmetric;
                  // assemble its lower triangle here, the upper one is mirrored after the q loop
                  const double theta_kappa = theta * kappa;
                  for (unsigned int i = 0; i < dofs_per_cell; ++i)
                    {
                      for (unsigned int j = 0; j <= i; ++j)
                        cell_matrix(i, j) += (mass_phi[j] * phi[i] + theta_kappa * (grad[j] * grad[i])) * JxW;
                      cell_rhs(i) +=
                        (crank_nicolson ? rhs_q * phi[i] - explicit_flux * grad[i] : rhs_q * phi[i]) * JxW;
                    }
                }
            }
          if (!convect)
            for (unsigned int i = 0; i < dofs_per_cell; ++i)
              for (unsigned int j = 0; j < i; ++j)
                cell_matrix(j, i) = cell_matrix(i, j);

          if (!neumann_ids.empty() && cell->at_boundary())
            for (const auto face : cell->face_indices())
              if (cell->at_boundary(face) &&
                  std::find(neumann_ids.begin(), neumann_ids.end(), cell->face(face)->boundary_id()) !=
                    neumann_ids.end())
                {
                  fe_face_values.reinit(cell, face);
                  neumann->set_time(t_new);
                  neumann->value_list(fe_face_values.get_quadrature_points(), g_new);
                  if (crank_nicolson)
                    {
                      neumann->set_time(t_old);
                      neumann->value_list(fe_face_values.get_quadrature_points(), g_old);
                    }
                  for (unsigned int q = 0; q < face_quadrature.size(); ++q)
                    {
                      const double g = crank_nicolson ? theta * g_new[q] + (1. - theta) * g_old[q] : g_new[q];
                      for (unsigned int i = 0; i < dofs_per_cell; ++i)
                        cell_rhs(i) += g * fe_face_values.shape_value(i, q) * fe_face_values.JxW(q);
                    }
                }

          cell->get_dof_indices(dof_indices);
          constraints.distribute_local_to_global(cell_matrix, cell_rhs, dof_indices, system_matrix, rhs);
        }
      system_matrix.compress(VectorOperation::add);
      rhs.compress(VectorOperation::add);
    }

    template <int dim>
    void
    AdvectionDiffusion<dim>::advance(const StepInfo &step, StatisticsRow &row)
    {
      const auto start = std::chrono::steady_clock::now();
      make_constraints(step.time);
      assemble_system(step, steps_done == 0);
      const double assembly_time =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

      const bool symmetric = !has_advection && context.mesh_mover.mesh_velocity() == nullptr;
      preconditioner->initialize(system_matrix, symmetric);
      // initial guess: the previous solution, with the new constraints
      solution = current;
      constraints.set_zero(solution);
      last_solve = physics_tools::solve_and_check(
        *preconditioner,
        krylov,
        system_matrix,
        solution,
        rhs,
        constraints,
        step,
        {context.output_directory + "/c", "the linear solve for the field 'c'", "c", true});
      older   = current;
      current = solution;
      ++steps_done;
      previous_dt = step.dt;

      total_assembly_time += assembly_time;
      total_solve_time += last_solve.solve_time;
      total_setup_time += last_solve.setup_time;
      total_iterations += last_solve.iterations;
      row.emplace_back("cells", context.triangulation.n_global_active_cells());
      row.emplace_back("dofs", dof_handler.n_dofs());
      row.emplace_back("linear_iterations", last_solve.iterations);
      row.emplace_back("final_residual", last_solve.relative_residual);
      row.emplace_back("assembly_time", assembly_time);
      row.emplace_back("solve_time", last_solve.solve_time);
    }

    template <int dim>
    void
    AdvectionDiffusion<dim>::postprocess(const StepInfo &step, const bool last_step, StatisticsRow &row)
    {
      const double time = step.time;
      double       l2 = std::numeric_limits<double>::quiet_NaN(), h1 = l2;
      if (exact && (last_step || step.step % error_interval == 0))
        {
          exact->set_time(time);
          Vector<double>    cellwise(context.triangulation.n_active_cells());
          const QGauss<dim> quadrature(degree + 2);
          VectorTools::integrate_difference(context.mesh_mover.mapping(),
                                            dof_handler,
                                            current,
                                            *exact,
                                            cellwise,
                                            quadrature,
                                            VectorTools::L2_norm);
          l2 = VectorTools::compute_global_error(context.triangulation, cellwise, VectorTools::L2_norm);
          VectorTools::integrate_difference(context.mesh_mover.mapping(),
                                            dof_handler,
                                            current,
                                            *exact,
                                            cellwise,
                                            quadrature,
                                            VectorTools::H1_seminorm);
          h1 = VectorTools::compute_global_error(context.triangulation, cellwise, VectorTools::H1_seminorm);
        }
      row.emplace_back("l2_error", l2);
      row.emplace_back("h1_error", h1);
      row.emplace_back("c_l2_norm", parallel_l2_norm(static_cast<const Vec &>(current)));
    }

    template <int dim>
    void
    AdvectionDiffusion<dim>::prepare_adaptation()
    {
      Vector<float> indicators;
      physics_tools::kelly_indicators(context.mesh_mover.mapping(), dof_handler, degree, current, indicators);
      history.prepare_adaptation(context.triangulation, indicators, context.adaptivity);
    }

    template <int dim>
    void
    AdvectionDiffusion<dim>::finish_adaptation()
    {
      setup_dofs();
      history.finish_adaptation();
    }

    template <int dim>
    void
    AdvectionDiffusion<dim>::write_output(VtuWriter          &writer,
                                          const double        time,
                                          const OutputFields &module_fields)
    {
      DataOut<dim> data_out;
      data_out.attach_dof_handler(dof_handler);
      data_out.add_data_vector(current, "c");

      PETScWrappers::MPI::Vector error_owned, error;
      if (exact)
        {
          exact->set_time(time);
          error_owned.reinit(owned_dofs, context.comm);
          VectorTools::interpolate(context.mesh_mover.mapping(), dof_handler, *exact, error_owned);
          PETScWrappers::MPI::Vector c_owned(owned_dofs, context.comm);
          c_owned = current;
          error_owned.sadd(-1., c_owned); // c_h - I_h c_exact
          error.reinit(owned_dofs, relevant_dofs, context.comm);
          error = error_owned;
          data_out.add_data_vector(error, "error");
        }

      Vector<float> subdomain, level;
      physics_tools::add_subdomain_and_level(context.triangulation, data_out, subdomain, level);
      std::vector<std::unique_ptr<PETScWrappers::MPI::Vector>> module_vectors;
      std::map<std::string, OutputTarget<dim>> targets{{"c", {&dof_handler, &owned_dofs, &relevant_dofs, 1}}};
      add_mesh_target(targets, context.mesh_mover);
      add_module_fields<dim>(data_out, module_fields, targets, context.comm, module_vectors);

      DataOutBase::VtkFlags flags;
      flags.time                     = time;
      flags.cycle                    = writer.n_records();
      flags.write_higher_order_cells = degree > 1;
      data_out.set_flags(flags);
      data_out.build_patches(context.mesh_mover.mapping(), degree, DataOut<dim>::curved_inner_cells);
      writer.write(data_out, time);
    }

    template <int dim>
    std::string
    AdvectionDiffusion<dim>::progress_text() const
    {
      std::ostringstream s;
      s << "cells " << context.triangulation.n_global_active_cells() << "  dofs " << dof_handler.n_dofs()
        << "  its " << last_solve.iterations;
      return s.str();
    }

    template <int dim>
    std::vector<std::string>
    AdvectionDiffusion<dim>::summary() const
    {
      std::ostringstream s;
      s << "linear solves: " << steps_done << ", " << total_iterations << " iterations ("
        << (steps_done ? double(total_iterations) / steps_done : 0.) << " per step); assembly "
        << total_assembly_time << " s, preconditioner set-up " << total_setup_time << " s, Krylov "
        << total_solve_time << " s";
      return {s.str()};
    }

    template <int dim>
    std::unique_ptr<Physics<dim>>
    create(ParameterHandler &prm, const SimulationContext<dim> &context)
    {
      return std::make_unique<AdvectionDiffusion<dim>>(prm, context);
    }

    template std::unique_ptr<Physics<2>>
    create<2>(ParameterHandler &, const SimulationContext<2> &);
    template std::unique_ptr<Physics<3>>
    create<3>(ParameterHandler &, const SimulationContext<3> &);
  } // namespace advection_diffusion
} // namespace hyfe
