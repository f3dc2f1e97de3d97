#include "solver/physics/navier_stokes.h"

#include <deal.II/base/function_parser.h>
#include <deal.II/base/index_set.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/quadrature_lib.h>
#include <deal.II/distributed/solution_transfer.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/fe/fe_q.h>
#include <deal.II/fe/fe_system.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/grid/grid_tools.h>
#include <deal.II/lac/affine_constraints.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/petsc_sparse_matrix.h>
#include <deal.II/lac/petsc_vector.h>
#include <deal.II/lac/sparsity_tools.h>
#include <deal.II/numerics/data_out.h>
#include <deal.II/numerics/data_postprocessor.h>
#include <deal.II/numerics/error_estimator.h>
#include <deal.II/numerics/vector_tools.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "solver/core/exceptions.h"
#include "solver/core/mesh.h"
#include "solver/core/output.h"
#include "solver/core/parameters.h"
#include "solver/core/registry.templates.h"
#include "solver/modules/closure_model.h"
#include "solver/modules/mesh_mover.h"
#include "solver/modules/preconditioner.h"
#include "solver/physics/module_output.h"

namespace hyfe
{
  namespace navier_stokes
  {
    using namespace dealii;
    using Vector_t = PETScWrappers::MPI::Vector;

    void
    declare_parameters(ParameterHandler &prm)
    {
      prm.enter_subsection("navier stokes");
      prm.declare_entry(
        "velocity degree",
        "2",
        Patterns::Integer(2, 4),
        "Polynomial degree k of the velocity (Taylor-Hood Q_k/Q_{k-1}). Unitless, in [2, 4].");
      prm.declare_entry("viscosity",
                        "1e-3",
                        Patterns::Double(0.),
                        "Kinematic viscosity nu, > 0. Length^2/time.");
      prm.declare_entry("function constants",
                        "",
                        Patterns::Anything(),
                        "Constants usable in every expression of this subsection, as 'name=value, ...'; "
                        "pi is predefined. Units as the user intends.");
      prm.declare_entry("body force",
                        "0; 0",
                        Patterns::Anything(),
                        "Body force f(x, t) per unit mass, one expression per component separated by ';'. "
                        "Length/time^2.");
      prm.declare_entry("initial velocity",
                        "0; 0",
                        Patterns::Anything(),
                        "Initial velocity u(x, t0), one expression per component. Length/time.");
      prm.declare_entry("initial pressure",
                        "0",
                        Patterns::Anything(),
                        "Initial kinematic pressure p(x, t0) (pressure / density). Length^2/time^2.");
      prm.declare_entry("exact velocity",
                        "",
                        Patterns::Anything(),
                        "Exact velocity u(x, t), one expression per component; empty: none. When given, "
                        "the L2 error of u goes into stats.csv. Length/time.");
      prm.declare_entry("exact pressure",
                        "",
                        Patterns::Anything(),
                        "Exact pressure p(x, t); empty: none. Its L2 error, both with zero mean, goes into "
                        "stats.csv. Length^2/time^2.");
      prm.declare_entry("convection",
                        "true",
                        Patterns::Bool(),
                        "Include the convective term (false: unsteady Stokes). Unitless.");
      prm.declare_entry("pressure correction",
                        "rotational",
                        Patterns::Selection("rotational|standard"),
                        "Incremental pressure correction in rotational form (p += phi - nu div u) or "
                        "standard form (p += phi). Unitless.");
      prm.declare_entry("adaptive time step",
                        "false",
                        Patterns::Bool(),
                        "Choose each step from the CFL number, at most 'time/time step'. Unitless.");
      prm.declare_entry("max cfl",
                        "0.5",
                        Patterns::Double(0.),
                        "Target CFL number |u| dt / h of the adaptive time step. Unitless, > 0.");
      prm.declare_entry(
        "cfl limit",
        "50",
        Patterns::Double(0.),
        "The run stops with an error when the CFL number exceeds this (blow-up). Unitless, > 0.");
      prm.declare_entry("refinement indicator",
                        "kelly",
                        Patterns::Selection("kelly|vorticity"),
                        "Indicator for adaptive refinement: Kelly's estimator on the velocity, or the "
                        "vorticity magnitude times the cell size. Unitless.");

      prm.enter_subsection("boundary conditions");
      const auto ids = Patterns::List(Patterns::Integer(0, 254), 0, 255, ",");
      prm.declare_entry(
        "velocity ids",
        "",
        ids,
        "Boundary ids with a prescribed velocity, comma-separated. Unitless ids in [0, 254].");
      prm.declare_entry("velocity value",
                        "0; 0",
                        Patterns::Anything(),
                        "Prescribed velocity u(x, t) on the velocity ids, one expression per component. "
                        "Length/time.");
      prm.declare_entry("no-slip ids", "", ids, "Boundary ids with u = 0. Unitless ids in [0, 254].");
      prm.declare_entry("do-nothing ids",
                        "",
                        ids,
                        "Outflow boundary ids with nu du/dn - p n = 0. Unitless ids in [0, 254].");
      prm.declare_entry("slip ids",
                        "",
                        ids,
                        "Boundary ids with u.n = 0 and no tangential stress. Unitless ids in [0, 254].");
      prm.declare_entry("periodic pairs",
                        "",
                        Patterns::Anything(),
                        "Periodic boundaries as 'id_a : id_b : direction' with direction x, y or z, several "
                        "separated by ';' (e.g. '0 : 1 : x; 2 : 3 : y'). Faces of id_b are the images of "
                        "those of id_a shifted along the direction. Unitless.");
      prm.leave_subsection();

      prm.enter_subsection("forces");
      prm.declare_entry("boundary ids",
                        "",
                        ids,
                        "Boundary ids of the body on which drag and lift are computed (volume-integral "
                        "method); empty: no forces. Unitless ids in [0, 254].");
      prm.declare_entry("reference velocity",
                        "1",
                        Patterns::Double(0.),
                        "U in C_D = 2 F_D / (U^2 D) (kinematic forces). Length/time, > 0.");
      prm.declare_entry("reference length",
                        "1",
                        Patterns::Double(0.),
                        "D in C_D = 2 F_D / (U^2 D); in 3D the reference area is D times 'reference "
                        "span'. Length, > 0.");
      prm.declare_entry("reference span",
                        "1",
                        Patterns::Double(0.),
                        "Span of the body in 3D (reference area = length * span). Length, > 0.");
      prm.declare_entry("pressure points",
                        "",
                        Patterns::Anything(),
                        "Two points 'x, y; x, y' whose pressure difference p(a) - p(b) goes into "
                        "forces.csv as delta_p; empty: none. Length.");
      prm.leave_subsection();

      prm.enter_subsection("profiles");
      prm.declare_entry("lines",
                        "",
                        Patterns::Anything(),
                        "Lines along which the velocity is written as CSV, as 'x0, y0 : x1, y1 : n' "
                        "(n points), several separated by ';'. Files profile_<i>_<step>.csv with columns "
                        "x,y,u,v (z,w in 3D). Length.");
      prm.declare_entry("interval",
                        "0",
                        Patterns::Integer(0),
                        "Write the profiles every this many steps, and at the end; 0: only at the end. "
                        "Steps, >= 0.");
      prm.leave_subsection();

      prm.enter_subsection("velocity solver");
      KrylovSettings::declare_parameters(prm, 1e-8);
      prm.enter_subsection("preconditioner");
      Preconditioner::declare_system(prm,
                                     "block-ilu",
                                     "Preconditioner of the velocity (advection-diffusion) solve.");
      prm.leave_subsection();
      prm.leave_subsection();
      prm.enter_subsection("pressure solver");
      KrylovSettings::declare_parameters(prm, 1e-8);
      prm.enter_subsection("preconditioner");
      Preconditioner::declare_system(prm,
                                     "boomeramg",
                                     "Preconditioner of the pressure Poisson solve (CG); its "
                                     "matrix changes only with the mesh.");
      prm.leave_subsection();
      prm.leave_subsection();
      prm.leave_subsection();
    }

    namespace
    {
      /** Vorticity: a scalar in 2D, a vector in 3D. */
      template <int dim>
      class Vorticity : public DataPostprocessor<dim>
      {
      public:
        void
        evaluate_vector_field(const DataPostprocessorInputs::Vector<dim> &inputs,
                              std::vector<Vector<double>>                &computed) const override
        {
          for (unsigned int q = 0; q < inputs.solution_gradients.size(); ++q)
            {
              const auto &g = inputs.solution_gradients[q];
              if constexpr (dim == 2)
                computed[q](0) = g[1][0] - g[0][1];
              else
                {
                  computed[q](0) = g[2][1] - g[1][2];
                  computed[q](1) = g[0][2] - g[2][0];
                  computed[q](2) = g[1][0] - g[0][1];
                }
            }
        }
        std::vector<std::string>
        get_names() const override
        {
          return std::vector<std::string>(dim == 2 ? 1 : dim, "vorticity");
        }
        std::vector<DataComponentInterpretation::DataComponentInterpretation>
        get_data_component_interpretation() const override
        {
          return std::vector<DataComponentInterpretation::DataComponentInterpretation>(
            dim == 2 ? 1 : dim,
            dim == 2 ? DataComponentInterpretation::component_is_scalar
                     : DataComponentInterpretation::component_is_part_of_vector);
        }
        UpdateFlags
        get_needed_update_flags() const override
        {
          return update_gradients;
        }
      };

      std::vector<std::vector<double>>
      parse_points(const std::string &text, const std::string &entry)
      {
        std::vector<std::vector<double>> points;
        for (const auto &p : Utilities::split_string_list(text, ';'))
          {
            std::vector<double> coords;
            for (const auto &c : Utilities::split_string_list(p, ','))
              {
                char        *end = nullptr;
                const double v   = std::strtod(c.c_str(), &end);
                if (*end != '\0' || c.empty())
                  throw InputError("entry '" + entry + "': '" + c + "' is not a number");
                coords.push_back(v);
              }
            points.push_back(coords);
          }
        return points;
      }
    } // namespace

    /** @brief The Navier-Stokes solver. */
    template <int dim>
    class NavierStokes : public Physics<dim>
    {
    public:
      NavierStokes(ParameterHandler &prm, const SimulationContext<dim> &context);
      ~NavierStokes() override
      {
        if (mass_pc != nullptr)
          PCDestroy(&mass_pc);
      }

      void
      check_boundary_ids(const std::set<types::boundary_id> &mesh_ids) const override;
      void
      prepare_coarse_mesh() override;
      std::vector<DataExpression<dim>>
      data_expressions() const override
      {
        const std::string p = "navier stokes/";
        return {{body_force.get(), p + "body force"},
                {initial_velocity.get(), p + "initial velocity", Sign::any, true},
                {initial_pressure.get(), p + "initial pressure", Sign::any, true},
                {exact_velocity.get(), p + "exact velocity"},
                {exact_pressure.get(), p + "exact pressure"},
                {velocity_ids.empty() ? nullptr : velocity_value.get(),
                 p + "boundary conditions/velocity value",
                 Sign::any,
                 false,
                 velocity_ids}};
      }
      double
      dofs_per_cell() const override
      {
        return dim * std::pow(degree, dim) + std::pow(degree - 1, dim);
      }
      double
      propose_time_step(double max_step) const override;
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
        return {{"velocity", &dof_u, &u_n, &u_nm1}, {"pressure", &dof_p, &p_n, nullptr}};
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
      after_mesh_motion() override
      {
        assemble_pressure_matrices();
      }
      void
      write_output(VtuWriter &writer, double time, const OutputFields &module_fields) override;
      std::string
      progress_text() const override;
      std::vector<ModuleSlot>
      modules() override
      {
        return {{"velocity_", velocity_preconditioner.get(), "velocity"},
                {"pressure_", pressure_preconditioner.get(), "pressure"}};
      }
      std::vector<std::string>
      summary() const override;

    private:
      struct PeriodicPair
      {
        types::boundary_id a, b;
        unsigned int       direction;
      };
      struct Line
      {
        Point<dim>   start, end;
        unsigned int n_points;
      };

      void
      setup_dofs();
      /** @brief The cell of the pressure DoFHandler that is the same mesh cell as @p cell. */
      typename DoFHandler<dim>::active_cell_iterator
      pressure_cell(const typename DoFHandler<dim>::active_cell_iterator &cell) const
      {
        return {&context.triangulation, cell->level(), cell->index(), &dof_p};
      }
      void
      make_velocity_constraints(double time);
      void
      assemble_pressure_matrices();
      void
      assemble_velocity_system(const StepInfo &step,
                               double          alpha0,
                               double          alpha1,
                               double          alpha2,
                               double          omega);
      void
      assemble_pressure_rhs(double alpha0, double dt);
      std::pair<double, double>
      compute_forces() const;
      std::pair<double, double>
      compute_surface_forces() const;
      std::vector<double>
      evaluate_at_points(const std::vector<Point<dim>> &points, bool velocity) const;
      void
      write_profiles(unsigned int step) const;
      std::vector<double>
      eddy_viscosity(double omega);

      const SimulationContext<dim> context;
      const unsigned int           degree;
      FESystem<dim>                fe_u;
      FE_Q<dim>                    fe_p;
      DoFHandler<dim>              dof_u, dof_p;
      IndexSet                     owned_u, relevant_u, owned_p, relevant_p;
      AffineConstraints<double>    hanging_u, constraints_u, hanging_p, constraints_phi;

      PETScWrappers::MPI::SparseMatrix velocity_matrix, pressure_laplace, pressure_mass;
      Vector_t                         velocity_rhs, new_velocity;              // owned, velocity space
      Vector_t pressure_rhs, divergence_rhs, phi, div_projection, new_pressure; // owned
      Vector_t u_n, u_nm1, p_n;                                                 // ghosted: u^n, u^{n-1}, p^n
      Vector_t time_derivative; // ghosted: BDF du/dt of the last step
      // ghosted: psi^n = (dt_n / alpha0_n) phi^n and psi^{n-1}, the pressure increments scaled to
      // velocity potentials; the history of the scheme uses the intermediate velocities, so that
      // the momentum equation sees p# = p^n + (alpha1 psi^n - alpha2 psi^{n-1}) / dt
      Vector_t                  psi_n, psi_nm1;
      std::array<Vector_t, dim> force_test; // ghosted, 1 on the body for component d
      PC                        mass_pc = nullptr;

      double                               viscosity;
      bool                                 convection, adaptive_dt, rotational = true;
      double                               max_cfl, cfl_limit;
      std::string                          indicator;
      std::unique_ptr<FunctionParser<dim>> body_force, initial_velocity, initial_pressure, exact_velocity,
        exact_pressure, velocity_value;
      std::vector<types::boundary_id> velocity_ids, no_slip_ids, do_nothing_ids, slip_ids, force_ids;
      std::vector<PeriodicPair>       periodic;
      double                          reference_velocity, reference_length, reference_span;
      std::vector<Point<dim>>         pressure_points;
      std::vector<Line>               lines;
      unsigned int                    profile_interval;

      KrylovSettings                  velocity_krylov, pressure_krylov;
      std::unique_ptr<Preconditioner> velocity_preconditioner, pressure_preconditioner;

      unsigned int               steps_done  = 0;
      double                     previous_dt = 0., last_dt = 0., last_cfl = 0.;
      SolveResult                velocity_result, pressure_result;
      std::unique_ptr<CsvWriter> forces_csv;
      std::unique_ptr<parallel::distributed::SolutionTransfer<dim, Vector_t>> transfer_u, transfer_p;
      std::vector<std::array<double, 4>> force_history; // t, C_D, C_L, delta_p
      double                             total_velocity_its = 0, total_pressure_its = 0;
    };

    template <int dim>
    NavierStokes<dim>::NavierStokes(ParameterHandler &prm, const SimulationContext<dim> &context)
        : context(context)
        , degree([&] {
          prm.enter_subsection("navier stokes");
          const unsigned int d = prm.get_integer("velocity degree");
          prm.leave_subsection();
          return d;
        }())
        , fe_u(FE_Q<dim>(degree), dim)
        , fe_p(degree - 1)
        , dof_u(context.triangulation)
        , dof_p(context.triangulation)
    {
      if (context.time_scheme != "bdf2")
        throw InputError("entry 'time/scheme': navier-stokes uses 'bdf2' (with a BDF1 first step), not '" +
                         context.time_scheme + "'");
      const std::string p0 = "navier stokes/";
      prm.enter_subsection("navier stokes");
      const auto constants = parse_constants(prm.get("function constants"), p0 + "function constants");
      auto       function  = [&](const std::string &entry, const unsigned int n, const std::string &prefix) {
        return make_function<dim>(prm.get(entry), n, constants, prefix + entry);
      };
      viscosity        = prm.get_double("viscosity");
      body_force       = function("body force", dim, p0);
      initial_velocity = function("initial velocity", dim, p0);
      initial_pressure = function("initial pressure", 1, p0);
      if (!prm.get("exact velocity").empty())
        exact_velocity = function("exact velocity", dim, p0);
      if (!prm.get("exact pressure").empty())
        exact_pressure = function("exact pressure", 1, p0);
      convection  = prm.get_bool("convection");
      adaptive_dt = prm.get_bool("adaptive time step");
      rotational  = prm.get("pressure correction") == "rotational";
      max_cfl     = prm.get_double("max cfl");
      cfl_limit   = prm.get_double("cfl limit");
      indicator   = prm.get("refinement indicator");
      if (viscosity <= 0.)
        throw InputError("entry 'navier stokes/viscosity' must be > 0");

      prm.enter_subsection("boundary conditions");
      const std::string p1 = p0 + "boundary conditions/";
      velocity_ids         = parse_boundary_ids(prm.get("velocity ids"), p1 + "velocity ids");
      velocity_value       = function("velocity value", dim, p1);
      no_slip_ids          = parse_boundary_ids(prm.get("no-slip ids"), p1 + "no-slip ids");
      do_nothing_ids       = parse_boundary_ids(prm.get("do-nothing ids"), p1 + "do-nothing ids");
      slip_ids             = parse_boundary_ids(prm.get("slip ids"), p1 + "slip ids");
      for (const auto &pair : Utilities::split_string_list(prm.get("periodic pairs"), ';'))
        {
          const auto parts = Utilities::split_string_list(pair, ':');
          const auto axes  = std::string("xyz").substr(0, dim);
          if (parts.size() != 3 || parts[2].size() != 1 || axes.find(parts[2]) == std::string::npos)
            throw InputError("entry '" + p1 +
                             "periodic pairs': expected 'id_a : id_b : direction' with direction in {" +
                             axes + "}, found '" + pair + "'");
          const auto a = parse_boundary_ids(parts[0], p1 + "periodic pairs");
          const auto b = parse_boundary_ids(parts[1], p1 + "periodic pairs");
          if (a.size() != 1 || b.size() != 1)
            throw InputError("entry '" + p1 + "periodic pairs': expected one id on each side in '" + pair +
                             "'");
          periodic.push_back({a[0], b[0], static_cast<unsigned int>(axes.find(parts[2]))});
        }
      prm.leave_subsection();

      prm.enter_subsection("forces");
      force_ids          = parse_boundary_ids(prm.get("boundary ids"), p0 + "forces/boundary ids");
      reference_velocity = prm.get_double("reference velocity");
      reference_length   = prm.get_double("reference length");
      reference_span     = prm.get_double("reference span");
      if (!prm.get("pressure points").empty())
        {
          const auto pts = parse_points(prm.get("pressure points"), p0 + "forces/pressure points");
          if (pts.size() != 2)
            throw InputError("entry '" + p0 + "forces/pressure points': expected two points 'x, y; x, y'");
          for (const auto &c : pts)
            {
              if (c.size() != dim)
                throw InputError("entry '" + p0 + "forces/pressure points': each point needs " +
                                 std::to_string(dim) + " coordinates");
              Point<dim> p;
              for (unsigned int d = 0; d < dim; ++d)
                p[d] = c[d];
              pressure_points.push_back(p);
            }
        }
      prm.leave_subsection();

      prm.enter_subsection("profiles");
      for (const auto &line : Utilities::split_string_list(prm.get("lines"), ';'))
        {
          const auto parts = Utilities::split_string_list(line, ':');
          if (parts.size() != 3)
            throw InputError("entry '" + p0 + "profiles/lines': expected 'x0, y0 : x1, y1 : n', found '" +
                             line + "'");
          const auto a = parse_points(parts[0], p0 + "profiles/lines");
          const auto b = parse_points(parts[1], p0 + "profiles/lines");
          const int  n = Utilities::string_to_int(parts[2]);
          if (a[0].size() != dim || b[0].size() != dim || n < 2)
            throw InputError("entry '" + p0 + "profiles/lines': points need " + std::to_string(dim) +
                             " coordinates and n >= 2 in '" + line + "'");
          Line l;
          for (unsigned int d = 0; d < dim; ++d)
            {
              l.start[d] = a[0][d];
              l.end[d]   = b[0][d];
            }
          l.n_points = n;
          lines.push_back(l);
        }
      profile_interval = prm.get_integer("interval");
      prm.leave_subsection();

      prm.enter_subsection("velocity solver");
      velocity_krylov.parse_parameters(prm);
      prm.enter_subsection("preconditioner");
      velocity_preconditioner = Preconditioner::create(prm);
      prm.leave_subsection();
      prm.leave_subsection();
      prm.enter_subsection("pressure solver");
      pressure_krylov.parse_parameters(prm);
      prm.enter_subsection("preconditioner");
      pressure_preconditioner = Preconditioner::create(prm);
      prm.leave_subsection();
      prm.leave_subsection();
      prm.leave_subsection();
    }

    template <int dim>
    void
    NavierStokes<dim>::check_boundary_ids(const std::set<types::boundary_id> &mesh_ids) const
    {
      std::vector<types::boundary_id> periodic_ids;
      for (const auto &p : periodic)
        periodic_ids.insert(periodic_ids.end(), {p.a, p.b});
      check_boundary_conditions(mesh_ids,
                                {{"velocity ids", velocity_ids},
                                 {"no-slip ids", no_slip_ids},
                                 {"do-nothing ids", do_nothing_ids},
                                 {"slip ids", slip_ids},
                                 {"periodic pairs", periodic_ids}},
                                "navier stokes/boundary conditions: ");
      for (const auto id : force_ids)
        if (mesh_ids.count(id) == 0)
          throw InputError("entry 'navier stokes/forces/boundary ids' lists boundary id " +
                           std::to_string(id) + ", which the mesh does not have");
    }

    template <int dim>
    void
    NavierStokes<dim>::prepare_coarse_mesh()
    {
      // probes and profiles outside the domain would give nan in forces.csv and the profiles
      for (const auto &p : pressure_points)
        check_point_in_mesh(context.triangulation, p, "navier stokes/forces/pressure points");
      for (const auto &l : lines)
        {
          check_point_in_mesh(context.triangulation, l.start, "navier stokes/profiles/lines");
          check_point_in_mesh(context.triangulation, l.end, "navier stokes/profiles/lines");
        }
      std::vector<
        GridTools::PeriodicFacePair<typename parallel::distributed::Triangulation<dim>::cell_iterator>>
        pairs;
      for (const auto &p : periodic)
        {
          const std::size_t before = pairs.size();
          try
            {
              GridTools::collect_periodic_faces(context.triangulation, p.a, p.b, p.direction, pairs);
            }
          catch (const std::exception &e)
            {
              throw InputError(
                "entry 'navier stokes/boundary conditions/periodic pairs': the faces of boundary ids " +
                std::to_string(p.a) + " and " + std::to_string(p.b) + " do not match along " +
                std::string(1, "xyz"[p.direction]) + ": " + exception_message(e));
            }
          if (pairs.size() == before)
            throw InputError(
              "entry 'navier stokes/boundary conditions/periodic pairs': no matching faces between "
              "boundary ids " +
              std::to_string(p.a) + " and " + std::to_string(p.b));
        }
      if (!pairs.empty())
        context.triangulation.add_periodicity(pairs);
    }

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
    NavierStokes<dim>::setup_dofs()
    {
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
            coupling[c][d] = (c == d || !slip_ids.empty()) ? DoFTools::always : DoFTools::none;
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
    NavierStokes<dim>::make_velocity_constraints(const double time)
    {
      constraints_u.clear();
      constraints_u.reinit(relevant_u);
      constraints_u.merge(hanging_u);
      velocity_value->set_time(time);
      const Functions::ZeroFunction<dim>                  zero(dim);
      std::map<types::boundary_id, const Function<dim> *> values;
      for (const auto id : velocity_ids)
        values[id] = velocity_value.get();
      for (const auto id : no_slip_ids)
        values[id] = &zero;
      VectorTools::interpolate_boundary_values(context.mesh_mover.mapping(), dof_u, values, constraints_u);
      if (!slip_ids.empty())
        VectorTools::compute_no_normal_flux_constraints(dof_u,
                                                        0,
                                                        std::set<types::boundary_id>(slip_ids.begin(),
                                                                                     slip_ids.end()),
                                                        constraints_u,
                                                        context.mesh_mover.mapping());
      constraints_u.close();
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
    std::vector<double>
    NavierStokes<dim>::eddy_viscosity(const double omega)
    {
      // one batched call per rank and step: gradients of the extrapolated velocity at every
      // quadrature point of the rank's cells, in cell order
      std::vector<double> nu_t;
      if (!context.closure_model.is_active())
        return nu_t;
      const QGauss<dim> quadrature(degree + 1);
      FEValues<dim>     fe_values(context.mesh_mover.mapping(), fe_u, quadrature, update_gradients);
      const FEValuesExtractors::Vector velocities(0);
      std::vector<Tensor<2, dim>>      g_n(quadrature.size()), g_nm1(quadrature.size()), gradients;
      std::vector<double>              sizes;
      for (const auto &cell : dof_u.active_cell_iterators())
        if (cell->is_locally_owned())
          {
            fe_values.reinit(cell);
            fe_values[velocities].get_function_gradients(u_n, g_n);
            fe_values[velocities].get_function_gradients(u_nm1, g_nm1);
            for (unsigned int q = 0; q < quadrature.size(); ++q)
              {
                gradients.push_back((1. + omega) * g_n[q] - omega * g_nm1[q]);
                sizes.push_back(cell->diameter() / degree);
              }
          }
      context.closure_model.compute_eddy_viscosity(gradients, sizes, nu_t);
      // a RunError is thrown by every rank together, with the counts of the first rank that got
      // the wrong number
      const unsigned int n_ranks = Utilities::MPI::n_mpi_processes(context.comm);
      const unsigned int rank    = Utilities::MPI::this_mpi_process(context.comm);
      const unsigned int first =
        Utilities::MPI::min(nu_t.size() != gradients.size() ? rank : n_ranks, context.comm);
      if (first < n_ranks)
        throw RunError(Utilities::MPI::broadcast(context.comm,
                                                 "the closure model returned " + std::to_string(nu_t.size()) +
                                                   " values for " + std::to_string(gradients.size()) +
                                                   " points on rank " + std::to_string(rank),
                                                 first));
      return nu_t;
    }

    template <int dim>
    void
    NavierStokes<dim>::assemble_velocity_system(const StepInfo &step,
                                                const double    alpha0,
                                                const double    alpha1,
                                                const double    alpha2,
                                                const double    omega)
    {
      const std::vector<double> nu_t = eddy_viscosity(omega);
      velocity_matrix                = 0;
      velocity_rhs                   = 0;
      const double       dt          = step.dt;
      const QGauss<dim>  quadrature(degree + 1);
      const unsigned int n_q = quadrature.size();
      FEValues<dim>      fe_values(context.mesh_mover.mapping(),
                              fe_u,
                              quadrature,
                              update_values | update_gradients | update_quadrature_points |
                                update_JxW_values);
      FEValues<dim>      fe_values_p(context.mesh_mover.mapping(), fe_p, quadrature, update_values);
      const FEValuesExtractors::Vector     velocities(0);
      const unsigned int                   n = fe_u.n_dofs_per_cell();
      FullMatrix<double>                   cell_matrix(n, n);
      Vector<double>                       cell_rhs(n);
      std::vector<types::global_dof_index> dofs(n);
      std::vector<Tensor<1, dim>>          v_n(n_q), v_nm1(n_q);
      std::vector<double> div_n(n_q), div_nm1(n_q), pressure(n_q), psi_values(n_q), psi_old_values(n_q);
      std::vector<Vector<double>> force(n_q, Vector<double>(dim));
      // the cell matrix is block diagonal with dim equal blocks (every term couples a component
      // only with itself, through the same scalar shape functions): one block of the n_s scalar
      // shape functions is computed and copied into the dim diagonal blocks
      const unsigned int                     n_s = fe_u.base_element(0).n_dofs_per_cell();
      std::vector<std::vector<unsigned int>> system_index(dim, std::vector<unsigned int>(n_s));
      for (unsigned int c = 0; c < dim; ++c)
        for (unsigned int a = 0; a < n_s; ++a)
          system_index[c][a] = fe_u.component_to_system_index(c, a);
      FullMatrix<double>          block(n_s, n_s);
      std::vector<double>         phi(n_s), transport(n_s);
      std::vector<Tensor<1, dim>> grad_phi(n_s);
      cell_matrix = 0;
      body_force->set_time(step.time);

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
          fe_values_p.get_function_values(psi_n, psi_values);
          fe_values_p.get_function_values(psi_nm1, psi_old_values);
          for (unsigned int q = 0; q < n_q; ++q)
            pressure[q] += (alpha1 * psi_values[q] - alpha2 * psi_old_values[q]) / dt;
          body_force->vector_value_list(fe_values.get_quadrature_points(), force);
          block    = 0;
          cell_rhs = 0;
          for (unsigned int q = 0; q < n_q; ++q)
            {
              const Tensor<1, dim> u_star   = (1. + omega) * v_n[q] - omega * v_nm1[q];
              const double         div_star = (1. + omega) * div_n[q] - omega * div_nm1[q];
              const double         nu       = viscosity + (nu_t.empty() ? 0. : nu_t[q_offset + q]);
              const Tensor<1, dim> history  = (alpha1 * v_n[q] - alpha2 * v_nm1[q]) / dt;
              const double         JxW      = fe_values.JxW(q);
              for (unsigned int a = 0; a < n_s; ++a)
                {
                  phi[a]      = fe_values.shape_value(system_index[0][a], q);
                  grad_phi[a] = fe_values.shape_grad(system_index[0][a], q);
                  // skew-symmetric form of the extrapolated convection
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
            }
          // the blocks between different components stay zero (cell_matrix is zeroed once, above)
          for (unsigned int c = 0; c < dim; ++c)
            for (unsigned int a = 0; a < n_s; ++a)
              for (unsigned int b = 0; b < n_s; ++b)
                cell_matrix(system_index[c][a], system_index[c][b]) = block(a, b);
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
      const double velocity_assembly = since(t0);

      t0 = clock();
      velocity_preconditioner->initialize(velocity_matrix, false);
      new_velocity = u_n;
      constraints_u.set_zero(new_velocity);
      if (velocity_krylov.dump_at(step.step))
        dump_linear_system(context.output_directory + "/velocity_step" + std::to_string(step.step) + ".petsc",
                           static_cast<Mat>(velocity_matrix),
                           static_cast<const Vec &>(velocity_rhs));
      velocity_result =
        velocity_preconditioner->solve(velocity_krylov, velocity_matrix, new_velocity, velocity_rhs);
      if (!velocity_result.converged)
        throw RunError("step " + std::to_string(step.step) + ", t = " + std::to_string(step.time) +
                       ": the velocity solve did not converge (" + velocity_result.reason + ", " +
                       std::to_string(velocity_result.iterations) + " iterations)");
      constraints_u.distribute(new_velocity);
      if (!std::isfinite(parallel_l2_norm(static_cast<const Vec &>(new_velocity))))
        throw RunError("step " + std::to_string(step.step) + ", t = " + std::to_string(step.time) +
                       ": the field 'velocity' is not finite (NaN or Inf)");
      const double velocity_time = since(t0);
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
      if (pressure_krylov.dump_at(step.step))
        dump_linear_system(context.output_directory + "/pressure_step" + std::to_string(step.step) + ".petsc",
                           static_cast<Mat>(pressure_laplace),
                           static_cast<const Vec &>(pressure_rhs));
      pressure_result = pressure_preconditioner->solve(pressure_krylov, pressure_laplace, phi, pressure_rhs);
      if (!pressure_result.converged)
        throw RunError("step " + std::to_string(step.step) + ", t = " + std::to_string(step.time) +
                       ": the pressure solve did not converge (" + pressure_result.reason + ", " +
                       std::to_string(pressure_result.iterations) + " iterations)");
      constraints_phi.distribute(phi);
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
      if (rotational)
        new_pressure.add(-viscosity, div_projection);
      hanging_p.distribute(new_pressure);
      if (!std::isfinite(parallel_l2_norm(static_cast<const Vec &>(new_pressure))))
        throw RunError("step " + std::to_string(step.step) + ", t = " + std::to_string(step.time) +
                       ": the field 'pressure' is not finite (NaN or Inf)");
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
      for (unsigned int k = 0; k < points.size(); ++k)
        {
          try
            {
              const auto found =
                GridTools::find_active_cell_around_point(context.mesh_mover.mapping(), dof, points[k]);
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
      for (const auto &cell : dof_u.active_cell_iterators())
        if (cell->is_locally_owned())
          {
            bool touches = false;
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
                    const double r =
                      (dudt[q] + (convection ? grad_v[q] * v[q] : Tensor<1, dim>()) - f) * psi[q] +
                      viscosity * scalar_product(grad_v[q], grad_psi[q]) - pressure[q] * div_psi[q];
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
      // F = integral over the body of (nu grad u - p I) n_body, with n_body = -n (n: outward normal
      // of the fluid domain); a cross-check of the volume-integral forces
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
      for (const auto &cell : dof_u.active_cell_iterators())
        if (cell->is_locally_owned() && cell->at_boundary())
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
                for (unsigned int q = 0; q < quadrature.size(); ++q)
                  {
                    const Tensor<1, dim> n = fe_face.normal_vector(q);
                    F -= (viscosity * (g[q] * n) - p[q] * n) * fe_face.JxW(q);
                  }
              }
      const double area  = dim == 2 ? reference_length : reference_length * reference_span;
      const double scale = 2. / (reference_velocity * reference_velocity * area);
      return {scale * Utilities::MPI::sum(F[0], context.comm),
              scale * Utilities::MPI::sum(F[1], context.comm)};
    }

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
      double                           energy = 0, enstrophy = 0, divergence = 0, cfl = 0;
      for (const auto &cell : dof_u.active_cell_iterators())
        if (cell->is_locally_owned())
          {
            fe_values.reinit(cell);
            fe_values[velocities].get_function_values(u_n, v);
            fe_values[velocities].get_function_gradients(u_n, g);
            const double h = cell->minimum_vertex_distance() / degree;
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
                divergence += std::pow(trace(g[q]), 2) * JxW;
                cfl = std::max(cfl, v[q].norm() * step.dt / h);
              }
          }
      energy     = Utilities::MPI::sum(energy, context.comm);
      enstrophy  = Utilities::MPI::sum(enstrophy, context.comm);
      divergence = std::sqrt(Utilities::MPI::sum(divergence, context.comm));
      cfl        = Utilities::MPI::max(cfl, context.comm);
      last_cfl   = cfl;
      if (!(cfl <= cfl_limit))
        throw RunError("step " + std::to_string(step.step) + ", t = " + std::to_string(step.time) +
                       ": the CFL number of the field 'velocity' is " + std::to_string(cfl) +
                       ", above 'cfl limit' = " + std::to_string(cfl_limit) +
                       " (the run is unstable; reduce the time step)");
      row.emplace_back("kinetic_energy", energy);
      row.emplace_back("enstrophy", enstrophy);
      row.emplace_back("divergence_l2", divergence);
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

    template <int dim>
    void
    NavierStokes<dim>::prepare_adaptation()
    {
      Vector<float> indicators(context.triangulation.n_active_cells());
      if (indicator == "kelly")
        KellyErrorEstimator<dim>::estimate(
          context.mesh_mover.mapping(), dof_u, QGauss<dim - 1>(degree + 1), {}, u_n, indicators);
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
      mark_cells(context.triangulation, indicators, context.adaptivity);
      context.triangulation.prepare_coarsening_and_refinement();
      transfer_u = std::make_unique<parallel::distributed::SolutionTransfer<dim, Vector_t>>(dof_u);
      transfer_p = std::make_unique<parallel::distributed::SolutionTransfer<dim, Vector_t>>(dof_p);
      transfer_u->prepare_for_coarsening_and_refinement(std::vector<const Vector_t *>{&u_n, &u_nm1});
      transfer_p->prepare_for_coarsening_and_refinement(
        std::vector<const Vector_t *>{&p_n, &psi_n, &psi_nm1});
    }

    template <int dim>
    void
    NavierStokes<dim>::finish_adaptation()
    {
      setup_dofs();
      Vector_t new_u_n(owned_u, context.comm), new_u_nm1(owned_u, context.comm), new_p(owned_p, context.comm);
      Vector_t new_psi(owned_p, context.comm), new_psi_old(owned_p, context.comm);
      std::vector<Vector_t *> out{&new_u_n, &new_u_nm1};
      transfer_u->interpolate(out);
      std::vector<Vector_t *> out_p{&new_p, &new_psi, &new_psi_old};
      transfer_p->interpolate(out_p);
      transfer_u.reset();
      transfer_p.reset();
      hanging_p.distribute(new_psi);
      hanging_p.distribute(new_psi_old);
      psi_n   = new_psi;
      psi_nm1 = new_psi_old;
      hanging_u.distribute(new_u_n);
      hanging_u.distribute(new_u_nm1);
      hanging_p.distribute(new_p);
      u_n   = new_u_n;
      u_nm1 = new_u_nm1;
      p_n   = new_p;
    }

    template <int dim>
    void
    NavierStokes<dim>::write_output(VtuWriter &writer, const double time, const OutputFields &module_fields)
    {
      DataOut<dim> data_out;
      data_out.attach_triangulation(context.triangulation);
      data_out.add_data_vector(dof_u,
                               u_n,
                               std::vector<std::string>(dim, "velocity"),
                               std::vector<DataComponentInterpretation::DataComponentInterpretation>(
                                 dim, DataComponentInterpretation::component_is_part_of_vector));
      data_out.add_data_vector(dof_p, p_n, "pressure");
      const Vorticity<dim> vorticity;
      data_out.add_data_vector(dof_u, u_n, vorticity);

      Vector<float> subdomain(context.triangulation.n_active_cells()),
        level(context.triangulation.n_active_cells()), nu_t_cells(context.triangulation.n_active_cells());
      for (const auto &cell : context.triangulation.active_cell_iterators())
        {
          subdomain(cell->active_cell_index()) = context.triangulation.locally_owned_subdomain();
          level(cell->active_cell_index())     = cell->level();
        }
      data_out.add_data_vector(subdomain, "subdomain");
      data_out.add_data_vector(level, "level");
      std::vector<std::unique_ptr<Vector_t>> module_vectors;
      add_module_fields<dim>(data_out,
                             module_fields,
                             {{"velocity", {&dof_u, &owned_u, &relevant_u, dim}},
                              {"pressure", {&dof_p, &owned_p, &relevant_p, 1}}},
                             context.comm,
                             module_vectors);
      // nu_t, averaged per cell
      if (context.closure_model.is_active())
        {
          const std::vector<double> nu_t = eddy_viscosity(0.);
          const unsigned int        n_q  = QGauss<dim>(degree + 1).size();
          std::size_t               k    = 0;
          for (const auto &cell : context.triangulation.active_cell_iterators())
            if (cell->is_locally_owned())
              {
                double s = 0;
                for (unsigned int q = 0; q < n_q; ++q)
                  s += nu_t[k++];
                nu_t_cells(cell->active_cell_index()) = s / n_q;
              }
        }
      data_out.add_data_vector(nu_t_cells, "nu_t");

      DataOutBase::VtkFlags flags;
      flags.time                     = time;
      flags.cycle                    = writer.n_records();
      flags.write_higher_order_cells = true;
      data_out.set_flags(flags);
      data_out.build_patches(context.mesh_mover.mapping(), degree, DataOut<dim>::curved_inner_cells);
      writer.write(data_out, time);
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

    template <int dim>
    std::unique_ptr<Physics<dim>>
    create(ParameterHandler &prm, const SimulationContext<dim> &context)
    {
      return std::make_unique<NavierStokes<dim>>(prm, context);
    }

    template std::unique_ptr<Physics<2>>
    create<2>(ParameterHandler &, const SimulationContext<2> &);
    template std::unique_ptr<Physics<3>>
    create<3>(ParameterHandler &, const SimulationContext<3> &);
  } // namespace navier_stokes
} // namespace hyfe
