/**
 * @file
 * @brief Navier-Stokes: the parameters of `subsection navier stokes`: their declaration, parsing and checks,
 * and the factory.
 */

#include <deal.II/base/parameter_handler.h>

#include "solver/core/registry.templates.h"
#include "solver/physics/navier_stokes_impl.h"

namespace hyfe
{
  namespace navier_stokes
  {
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
      prm.declare_entry(
        "eddy viscosity transpose",
        "implicit",
        Patterns::Selection("implicit|explicit"),
        "How the part nu_t (grad u)^T of the viscous stress 2 nu_t eps(u) = nu_t grad u + "
        "nu_t (grad u)^T enters with a closure model: implicit (the velocity matrix couples "
        "the components) or explicit (from the extrapolated velocity, on the right-hand "
        "side, as OpenFOAM's dev2(T(grad(U))) term; the matrix stays block diagonal (unless "
        "grad-div > 0), which "
        "makes the assembly and the preconditioner's set-up cheaper). Both converge to the "
        "same solution; explicit adds a time-splitting error of O(dt^2) with BDF2. Unitless.");
      prm.declare_entry(
        "grad-div",
        "0",
        Patterns::Double(0.),
        "Grad-div stabilisation: gamma (div u, div v) added to the momentum equation of the velocity step "
        "(consistent: zero for the exact solution). It damps the grid-scale divergence of the intermediate "
        "velocity of the projection scheme; the rotational pressure correction then subtracts "
        "(viscosity + gamma) div u. It couples the velocity components in the matrix, which is "
        "harder for the velocity preconditioner: on DFG 2D-2 block-ilu needs 'fill levels = 1' from "
        "gamma = 0.1 on. Length^2/time (a viscosity), >= 0; 0: off.");
      prm.declare_entry(
        "convection form",
        "skew-symmetric",
        Patterns::Selection("skew-symmetric|projected"),
        "The convection term of the velocity step, with u* extrapolated from the last two steps "
        "(second order). skew-symmetric: (u*.grad) u + 1/2 (div u*) u with u* from the intermediate "
        "velocities u~; energy-neutral, but the explicit div u* feeds grid-scale errors back at about "
        "the rate of the CFL number, so the forces jump above CFL 1 to 3 (DFG 2D-2 on dfg-2d: C_L max "
        "+29 % at CFL 2; on dfg-2d-bl: C_D max +23 % at CFL 3). projected: (u*.grad) u with u* from "
        "the end-of-step velocities u~ - grad psi of the pressure correction, which are weakly "
        "divergence-free, so the div term is dropped (a Picard solve convects with its iterate minus the "
        "same extrapolated grad psi); the step error stays second order up to CFL 4 (DFG 2D-2, "
        "Taylor-Green), but the term is not energy-neutral, and the spatial error depends on the "
        "flow (on the same mesh, DFG 2D-3's C_L max is +2 % against +0.03 %). A closure model still "
        "sees the extrapolated u~. Measured in cases/dfg-2d-2/README.md. Unitless choice.");
      prm.declare_entry(
        "picard iterations",
        "0",
        Patterns::Integer(0, 5),
        "Extra velocity solves per step, each with the convecting velocity u* (extrapolated from "
        "the last two steps) replaced by the last solution of the velocity step. One keeps the "
        "skew-symmetric form stable at CFL 2 (DFG 2D-2 on dfg-2d: C_L max +1.2 % against +29 % "
        "without), for twice the velocity work per step; 'convection form = projected' is cheaper "
        "at large steps. Unitless, in [0, 5].");
      prm.declare_entry(
        "assembly cache",
        "true",
        Patterns::Bool(),
        "Keep the shape function gradients, JxW and the cell mass and stiffness matrices of the "
        "velocity assembly between steps (recomputed when the mesh changes or moves): faster "
        "steps for about (dim + 2) (degree + 1)^(2 dim) * 8 bytes per cell (2.6 kB for Q2 in "
        "2-D, 29 kB in 3-D). Not used where the velocity matrix couples the components "
        "(grad-div, or a closure with an implicit transpose). Unitless.");
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

    template <int dim>
    NavierStokes<dim>::NavierStokes(ParameterHandler &prm, const SimulationContext<dim> &context)
        : context(context)
        , degree(physics_tools::read_degree(prm, "navier stokes", "velocity degree"))
        , fe_u(FE_Q<dim>(degree), dim)
        , fe_p(degree - 1)
        , dof_u(context.triangulation)
        , dof_p(context.triangulation)
    {
      history.add(dof_u, {&u_n, &u_nm1}, hanging_u);
      history.add(dof_p, {&p_n, &psi_n, &psi_nm1}, hanging_p);
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
      convection           = prm.get_bool("convection");
      explicit_transpose   = prm.get("eddy viscosity transpose") == "explicit";
      grad_div             = prm.get_double("grad-div");
      adaptive_dt          = prm.get_bool("adaptive time step");
      rotational           = prm.get("pressure correction") == "rotational";
      picard_iterations    = prm.get_integer("picard iterations");
      projected_convection = prm.get("convection form") == "projected";
      use_cache            = prm.get_bool("assembly cache");
      // a body force of constant zeros is not evaluated at the quadrature points
      zero_body_force = is_zero_expression(prm.get("body force"));
      max_cfl         = prm.get_double("max cfl");
      cfl_limit       = prm.get_double("cfl limit");
      indicator       = prm.get("refinement indicator");
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
    std::unique_ptr<Physics<dim>>
    create(ParameterHandler &prm, const SimulationContext<dim> &context)
    {
      return std::make_unique<NavierStokes<dim>>(prm, context);
    }

    template std::unique_ptr<Physics<2>>
    create<2>(ParameterHandler &, const SimulationContext<2> &);
    template std::unique_ptr<Physics<3>>
    create<3>(ParameterHandler &, const SimulationContext<3> &);

    template NavierStokes<2>::NavierStokes(ParameterHandler &prm, const SimulationContext<2> &context);
    template NavierStokes<3>::NavierStokes(ParameterHandler &prm, const SimulationContext<3> &context);
  } // namespace navier_stokes
} // namespace hyfe
