#pragma once
/**
 * @file
 * @brief The `monge-ampere` mesh mover's class, a header so that its learned twin (learned/) can derive
 * from it: the learned mover runs it as its fallback and its shadow, on the same monitor. Included by
 * those two files only (it is heavy).
 */
#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/quadrature_lib.h>
#include <deal.II/distributed/solution_transfer.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/fe/fe_q.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/fe/mapping_q_cache.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/petsc_sparse_matrix.h>
#include <deal.II/lac/sparsity_tools.h>
#include <deal.II/numerics/vector_tools.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <limits>
#include <memory>

#include "solver/core/exceptions.h"
#include "solver/core/linear_solver.h"
#include "solver/core/module_archive.h"
#include "solver/core/module_state.h"
#include "solver/core/parameters.h"
#include "solver/core/registry.h"
#include "solver/modules/mesh_graph.h"
#include "solver/modules/mesh_monitor.h"
#include "solver/modules/mesh_motion.h"
#include "solver/modules/preconditioner.h"

namespace hyfe
{
  /** @brief The Monge–Ampère mover and what it is made of. */
  namespace monge_ampere
  {
    using namespace dealii;
    using Vec = PETScWrappers::MPI::Vector;

    /**
     * @brief Monge–Ampère r-adaptivity by relaxation (movement's `MongeAmpereMover_Relaxation`).
     *
     * On the reference mesh xi (Q_k, k the mapping degree), with the potential phi (Neumann, one DoF
     * pinned) and its recovered gradient g = P(grad phi) (lumped L2 projection onto the displacement
     * space, with the sliding constraints), the mesh is x = xi + g and its Jacobian exactly I + grad g.
     * Each iteration:
     *   theta = int m(x) det(I + grad g) / |Omega|,  r = m(x) det(I + grad g) - theta,
     *   (grad psi, grad delta) = dtau L^2 (psi, r),  phi += delta,
     * until ||r|| / (theta |Omega|^(1/2)) < tolerance; L = |Omega|^(1/dim). The Laplacian is the same
     * on a mesh: it is factored once. Straight boundaries slide (g.n = 0), corners and curved
     * boundaries stay. The potential is the warm start of the next move and goes into checkpoints and
     * through adaptations.
     *
     * The monitor (MeshMonitor): m = 1 + alpha s / max s, with s the Frobenius norm of the Hessian or the
     * norm of the gradient of a field: of the physics (recovered on the current mesh by a double lumped L2
     * projection, and evaluated at the candidate nodes by remote point evaluation), or of an
     * expression (central differences at the candidate points); or m an expression itself.
     */
    template <int dim>
    class MongeAmpereMotion : public DisplacementMover<dim>
    {
    public:
      /** @brief The monitor, the iteration and when to move. */
      static void
      declare_parameters(ParameterHandler &prm)
      {
        MeshMonitor<dim>::declare_parameters(prm);
        prm.declare_entry("move interval",
                          "1",
                          Patterns::Integer(1, 1000000),
                          "Move every this many steps. Steps, in [1, 1000000].");
        prm.declare_entry(
          "move threshold",
          "0",
          Patterns::Double(0., 100.),
          "Move also on the other steps when the equidistribution measure of the current "
          "mesh (the coefficient of variation of m |K| / |K_ref| over the cells) exceeds this; 0 "
          "moves every 'move interval' steps only. Unitless, in [0, 100].");
        prm.declare_entry("initial moves",
                          "1",
                          Patterns::Integer(0, 20),
                          "Moves before the first step, each followed by the initial condition on the "
                          "moved mesh (for a field monitor: a fixed point between the mesh and the initial "
                          "field). Count, in [0, 20].");
        prm.declare_entry("pseudo time step",
                          "0.1",
                          Patterns::Double(1e-6, 10.),
                          "The relaxation step dtau, relative to the squared domain size |Omega|^(2/dim). "
                          "Stable for dtau max(m) below about 2. Unitless, in [1e-6, 10].");
        prm.declare_entry("tolerance",
                          "1e-3",
                          Patterns::Double(1e-14, 1.),
                          "Stop when the weak residual |(psi_i, m det(I + grad g) - theta)| / (theta "
                          "|(psi_i, 1)|) (l2 norms over the DoFs i) is below this, or below 10 x this and "
                          "less than 5 % smaller than 50 iterations before: it stalls near 1e-3 on coarse "
                          "meshes, where g, the recovered gradient with the sliding constraints, is not "
                          "exactly grad(phi), and the mesh has stopped changing by then. Unitless, in "
                          "[1e-14, 1].");
        prm.declare_entry("monitor refresh",
                          "10",
                          Patterns::Integer(1, 1000),
                          "A field monitor is evaluated at the moved nodes (by remote point evaluation on "
                          "the current mesh, the costly part of an iteration) every this many iterations, "
                          "and before the iteration stops. Count, in [1, 1000].");
        prm.declare_entry("max iterations",
                          "500",
                          Patterns::Integer(1, 100000),
                          "Relaxation iterations of one move at most. Count, in [1, 100000].");
        prm.declare_entry("if not converged",
                          "fallback",
                          Patterns::Selection("fallback|stop"),
                          "A move whose iteration does not converge: 'fallback' (the guard's fallback "
                          "replaces it, counted) or 'stop' (the run stops with an error). One of "
                          "fallback|stop.");
        prm.declare_entry("fixed boundary ids",
                          "",
                          Patterns::List(Patterns::Integer(0, 254), 0, 255, ","),
                          "Boundary ids whose points stay. Every other boundary whose faces are flat (no "
                          "curved manifold) slides tangentially; curved boundaries and corners stay. "
                          "Comma-separated ids in [0, 254].");
        prm.declare_entry("training data file",
                          "",
                          Patterns::FileName(),
                          "Appends the vertex graph of every converged move (features, edges, the moved "
                          "vertices) to this binary file, the training data of the learned mover "
                          "(learned/training/generate_mover_data.py); relative to the parameter file's "
                          "folder; empty: none. Runs on one rank. A path.");
        prm.enter_subsection("linear solver");
        KrylovSettings::declare_parameters(prm, 1e-10);
        prm.enter_subsection("preconditioner");
        Preconditioner::declare_system(
          prm,
          "direct",
          "Preconditioner of the CG solve of the potential's Laplacian, the same "
          "matrix for every iteration on a mesh: 'direct' factors it once.");
        prm.leave_subsection();
        prm.leave_subsection();
      }

      /** @brief Parses the entries (an expression error is an input error naming the entry). */
      explicit MongeAmpereMotion(ParameterHandler &prm, const std::string &entry = "mesh mover/monge-ampere/")
          : section(entry)
      {
        monitor               = std::make_unique<MeshMonitor<dim>>(prm, entry);
        interval              = prm.get_integer("move interval");
        threshold             = prm.get_double("move threshold");
        n_initial_moves       = prm.get_integer("initial moves");
        dtau                  = prm.get_double("pseudo time step");
        tolerance             = prm.get_double("tolerance");
        max_iterations        = prm.get_integer("max iterations");
        refresh_interval      = prm.get_integer("monitor refresh");
        stop_if_not_converged = prm.get("if not converged") == "stop";
        if (!prm.get("training data file").empty())
          training_file = resolve_path(parameter_file_folder(), prm.get("training data file"));
        for (const auto id : parse_boundary_ids(prm.get("fixed boundary ids"), entry + "fixed boundary ids"))
          fixed_ids.insert(id);
        prm.enter_subsection("linear solver");
        krylov.parse_parameters(prm);
        prm.enter_subsection("preconditioner");
        preconditioner = Preconditioner::create(prm);
        prm.leave_subsection();
        prm.leave_subsection();
      }

      unsigned int
      initial_moves() const override
      {
        return n_initial_moves;
      }

      /** @brief A field monitor's field must be one of the physics: a parameter error before any step. */
      void
      reinit(const StateView &state) override
      {
        DisplacementMover<dim>::reinit(state);
        monitor->check_field(state.get<dim>());
      }

      void
      before_adaptation(const StateView &state) override
      {
        DisplacementMover<dim>::before_adaptation(state);
        potential_transfer = std::make_unique<parallel::distributed::SolutionTransfer<dim, Vec, dim>>(scalar);
        potential_transfer->prepare_for_coarsening_and_refinement(potential);
      }

      void
      save_checkpoint(ModuleArchive &archive) const override
      {
        DisplacementMover<dim>::save_checkpoint(archive);
        archive.save_vector("potential", scalar, potential);
        archive.set_number("last_residual", last_residual);
        archive.set_number("last_equidistribution", last_equidistribution);
      }

      void
      load_checkpoint(ModuleArchive &archive) override
      {
        DisplacementMover<dim>::load_checkpoint(archive);
        Vec owned_potential(scalar_owned, this->comm);
        archive.load_vector("potential", scalar, owned_potential);
        potential_constraints.distribute(owned_potential);
        potential             = owned_potential;
        last_residual         = archive.get_number("last_residual");
        last_equidistribution = archive.get_number("last_equidistribution");
      }

    protected:
      void
      mesh_changed() override
      {
        const auto &tria = this->dof_handler.get_triangulation();
        check_boundary_ids_exist(tria, fixed_ids, section + "fixed boundary ids");
        if (!scalar_fe)
          {
            scalar_fe = std::make_unique<FE_Q<dim>>(this->degree);
            scalar.reinit(tria);
          }
        scalar.distribute_dofs(*scalar_fe);
        scalar_owned = scalar.locally_owned_dofs();
        DoFTools::extract_locally_relevant_dofs(scalar, scalar_relevant);
        make_constraints();
        Vec transferred(scalar_owned, this->comm);
        if (potential_transfer)
          {
            potential_transfer->interpolate(transferred);
            potential_transfer.reset();
            // phi is defined up to a constant: shift it to zero at the (new) pinned DoF
            const double pinned_value =
              Utilities::MPI::sum(scalar_owned.is_element(pinned) ? double(transferred[pinned]) : 0.,
                                  this->comm);
            transferred.add(-pinned_value);
            potential_constraints.distribute(transferred);
          }
        potential.reinit(scalar_owned, scalar_relevant, this->comm);
        potential = transferred;
        previous_potential.reinit(scalar_owned, scalar_relevant, this->comm); // the new layout
        previous_potential = potential;
        map_nodes();
        assemble_laplacian();
        cache_geometry();
        graph_ready = false;
      }

      unsigned int
      compute_displacement(const StepInfo &step, const StateView &state, Vec &d) override
      {
        if (!move_due(step, state, d))
          return 0;
        const unsigned int iterations = classical_move(step, state, d);
        if (!training_file.empty() && !this->candidate_rejected && last_min_det > 0.)
          write_training_sample(d);
        return iterations;
      }

      void
      candidate_refused(const bool to_reference) override
      {
        if (to_reference)
          potential = 0.;
        else
          potential = previous_potential; // same layout: both are set up in mesh_changed()
      }

      std::vector<std::pair<std::string, double>>
      mover_statistics() const override
      {
        return {{"equidistribution", last_equidistribution}, {"residual", last_residual}};
      }

    protected:
      /**
       * Whether the mesh moves in @p step (every 'move interval' steps, or above 'move threshold' for
       * the mesh of @p d); prepares the monitor of the step (and the current mesh for point searches)
       * when it may.
       */
      bool
      move_due(const StepInfo &step, const StateView &state, const Vec &d)
      {
        // right after an adaptation the physics' fields are not yet on the new mesh: a field monitor
        // keeps the transferred displacement until the next move
        if (monitor->from_field() && !monitor->field_available(state.get<dim>()))
          return false;
        const bool due = step.step == 0 || step.step % interval == 0;
        if (!due && !(threshold > 0.))
          return false;
        monitor->prepare(
          step.time, &state.get<dim>(), scalar, this->reference_mapping(), this->mapping(), length);
        if (monitor->from_field())
          cache_search_mapping();
        return due || equidistribution_of(d) > threshold;
      }

      /** The relaxation's candidate into @p d (the monitor prepared); returns the iterations. */
      unsigned int
      classical_move(const StepInfo &step, const StateView &state, Vec &d)
      {
        if (step.step > 0)
          preconditioner->update(step, state);
        return relax(d);
      }

      /** The scalar FE_Q(1) DoF handler of the vertices (the potential's for degree 1). */
      const DoFHandler<dim> &
      vertex_dofs()
      {
        if (this->degree == 1)
          return scalar;
        if (!vertex_fe)
          {
            vertex_fe = std::make_unique<FE_Q<dim>>(1);
            vertices.reinit(this->dof_handler.get_triangulation());
          }
        vertices.distribute_dofs(*vertex_fe); // called once per mesh, by vertex_graph()
        return vertices;
      }

      /** The vertex graph of the mesh (built once per mesh). */
      const VertexGraph<dim> &
      vertex_graph()
      {
        if (!graph_ready)
          {
            const auto &handler = vertex_dofs();
            graph.build(handler, fixed_ids, this->comm);
            // for each owned or ghost cell, its vertices' graph nodes (the order of the active cells)
            cell_nodes.clear();
            for (const auto &cell : handler.active_cell_iterators())
              if (cell->is_locally_owned() || cell->is_ghost())
                for (const unsigned int v : cell->vertex_indices())
                  cell_nodes.push_back(graph.node_of(cell->vertex_dof_index(v, 0)));
            graph_ready = true;
          }
        return graph;
      }
      /**
       * The monitor at the graph's owned nodes (prepared for the step); the ghosts' entries are 0. For
       * degree 1 right after linearised_displacement(), the field monitor it evaluated at the reference
       * nodes (the vertices) is used again.
       */
      std::vector<double>
      monitor_at_vertices()
      {
        const auto         &g = vertex_graph();
        std::vector<double> m(g.dofs.size(), 0.);
        if (!monitor->from_field())
          {
            for (unsigned int i = 0; i < g.n_owned; ++i)
              m[i] = (*monitor)(g.xi[i]);
            return m;
          }
        if (this->degree == 1 && nodal_at_reference)
          {
            for (unsigned int i = 0; i < g.n_owned; ++i)
              m[i] = nodal_monitor[g.dofs[i]];
            return m;
          }
        std::vector<Point<dim>> points(g.xi.begin(), g.xi.begin() + g.n_owned);
        std::vector<double>     fallback(g.n_owned, 1.);
        if (this->degree == 1) // the nodal monitor lives on the vertex DoFs
          for (unsigned int i = 0; i < g.n_owned; ++i)
            fallback[i] = monitor->nodal()[g.dofs[i]];
        const auto values = monitor->at_points(points, fallback, search_mapping());
        std::copy(values.begin(), values.end(), m.begin());
        return m;
      }

      /** The displacement @p d (owned entries) at the graph's nodes, [n_nodes * dim]. */
      std::vector<double>
      at_vertices(const Vec &d)
      {
        const auto &g = vertex_graph();
        Vec         ghosted(this->owned, this->relevant, this->comm);
        ghosted = d;
        std::vector<double> values(g.dofs.size() * dim, 0.);
        unsigned int        k = 0;
        for (const auto &cell : this->dof_handler.active_cell_iterators())
          if (cell->is_locally_owned() || cell->is_ghost())
            for (const unsigned int v : cell->vertex_indices())
              {
                const unsigned int node = cell_nodes[k++];
                for (unsigned int c = 0; c < dim; ++c)
                  values[node * dim + c] = ghosted[cell->vertex_dof_index(v, c)];
              }
        return values;
      }

      /**
       * The displacement of the vertex values @p values (all nodes) into @p d (owned): at the vertices
       * themselves, and at the other support points of degree >= 2 the Q1 interpolation of the cell's
       * vertices on the reference cell.
       */
      void
      from_vertices(const std::vector<double> &values, Vec &d)
      {
        vertex_graph();
        const auto                          &fe = this->dof_handler.get_fe();
        const FE_Q<dim>                      linear(1);
        std::vector<types::global_dof_index> dofs(fe.n_dofs_per_cell());
        std::vector<unsigned int>            nodes(GeometryInfo<dim>::vertices_per_cell);
        unsigned int                         k = 0;
        for (const auto &cell : this->dof_handler.active_cell_iterators())
          if (cell->is_locally_owned() || cell->is_ghost())
            {
              for (unsigned int v = 0; v < nodes.size(); ++v)
                nodes[v] = cell_nodes[k++];
              if (!cell->is_locally_owned())
                continue;
              cell->get_dof_indices(dofs);
              for (unsigned int j = 0; j < dofs.size(); ++j)
                if (this->owned.is_element(dofs[j]))
                  {
                    const auto [c, base] = fe.system_to_component_index(j);
                    const auto point     = fe.base_element(0).get_unit_support_points()[base];
                    double     value     = 0.;
                    for (unsigned int v = 0; v < nodes.size(); ++v)
                      value += linear.shape_value(v, point) * values[nodes[v] * dim + c];
                    d[dofs[j]] = value;
                  }
            }
        d.compress(VectorOperation::insert);
      }

      /**
       * The displacement of the Monge–Ampère equation linearised about the reference mesh (the first
       * relaxation step from phi = 0 with dtau L^2 = 1 / theta): g = P grad(delta) with
       * (grad psi, grad delta) = (psi, m - theta) / theta, m at the reference mesh; into @p g (owned).
       * One solve with the factored Laplacian: the global part of the move, which a local network cannot see.
       */
      void
      linearised_displacement(Vec &g)
      {
        Vec                 zero(this->owned, this->relevant, this->comm);
        std::vector<double> residual;
        const Figures       f = evaluate(zero, &residual, true);
        nodal_at_reference    = true; // until the next refresh
        Vec rhs(scalar_owned, this->comm), delta(scalar_owned, this->comm);
        weak_residual(residual, f.theta, rhs);
        rhs *= 1. / f.theta;
        const auto solution = preconditioner->solve(krylov, laplacian, delta, rhs);
        if (!solution.converged)
          throw RunError("mesh mover: the CG solve of the linearised potential did not converge (" +
                         solution.reason + ")");
        potential_constraints.distribute(delta);
        Vec ghosted(scalar_owned, scalar_relevant, this->comm);
        ghosted = delta;
        project_gradient(ghosted, g);
      }

      /** Appends the graph of the mesh with the monitor and the displacement @p d to the training data. */
      void
      write_training_sample(const Vec &d)
      {
        std::ofstream out(training_file, std::ios::binary | std::ios::app);
        if (!out)
          throw InputError("entry '" + section + "training data file': cannot write '" + training_file + "'");
        Vec linear;
        linearised_displacement(linear);
        vertex_graph().write_sample(out, monitor_at_vertices(), at_vertices(linear), at_vertices(d));
        ++training_samples;
      }

      /** Hanging nodes, the pinned DoF of the potential; the sliding constraints of the displacement. */
      void
      make_constraints()
      {
        potential_constraints.clear();
        potential_constraints.reinit(scalar_relevant);
        DoFTools::make_hanging_node_constraints(scalar, potential_constraints);
        // pin the smallest unconstrained DoF of all ranks: the Neumann problem's constant
        types::global_dof_index candidate = std::numeric_limits<types::global_dof_index>::max();
        for (const auto i : scalar_owned)
          if (!potential_constraints.is_constrained(i))
            {
              candidate = i;
              break;
            }
        pinned = Utilities::MPI::min(candidate, this->comm);
        if (scalar_relevant.is_element(pinned))
          potential_constraints.add_line(pinned);
        potential_constraints.close();

        const auto                  &tria = this->dof_handler.get_triangulation();
        std::set<types::boundary_id> curved;
        for (const auto &cell : tria.active_cell_iterators())
          if (cell->is_locally_owned())
            for (const auto &face : cell->face_iterators())
              if (face->at_boundary() && face->manifold_id() != numbers::flat_manifold_id)
                curved.insert(face->boundary_id());
        std::vector<unsigned int>    local(curved.begin(), curved.end());
        const auto                   all_curved = Utilities::MPI::compute_set_union(local, this->comm);
        std::set<types::boundary_id> fixed(fixed_ids), sliding;
        fixed.insert(all_curved.begin(), all_curved.end());
        for (const auto id : tria.get_boundary_ids())
          if (!fixed.count(id))
            sliding.insert(id);
        slide.clear();
        slide.reinit(this->relevant);
        slide.merge(this->hanging);
        for (const auto id : fixed)
          DoFTools::make_zero_boundary_constraints(this->dof_handler, id, slide);
        if (!sliding.empty())
          VectorTools::compute_no_normal_flux_constraints(
            this->dof_handler, 0, sliding, slide, this->reference_mapping());
        slide.close();
      }

      /** For every owned DoF of the scalar space: its reference point and the displacement's DoFs there. */
      void
      map_nodes()
      {
        const auto                          &fe = this->dof_handler.get_fe();
        const unsigned int                   n  = fe.n_dofs_per_cell();
        std::vector<types::global_dof_index> vector_dofs(n), scalar_dofs(scalar_fe->n_dofs_per_cell());
        const Quadrature<dim>                support(scalar_fe->get_unit_support_points());
        FEValues<dim> values(this->reference_mapping(), *scalar_fe, support, update_quadrature_points);
        node_index.assign(scalar_owned.n_elements(), {});
        node_point.assign(scalar_owned.n_elements(), Point<dim>());
        for (const auto &cell : this->dof_handler.active_cell_iterators())
          if (cell->is_locally_owned())
            {
              const auto scalar_cell = cell_of(cell, scalar);
              cell->get_dof_indices(vector_dofs);
              scalar_cell->get_dof_indices(scalar_dofs);
              values.reinit(scalar_cell);
              for (unsigned int j = 0; j < n; ++j)
                {
                  const auto [component, base] = fe.system_to_component_index(j);
                  if (!scalar_owned.is_element(scalar_dofs[base]))
                    continue;
                  const auto k             = scalar_owned.index_within_set(scalar_dofs[base]);
                  node_index[k][component] = vector_dofs[j];
                  node_point[k]            = values.quadrature_point(base);
                }
            }
        domain_volume = 0.;
        const QGauss<dim> quadrature(this->degree + 1);
        FEValues<dim>     fe_values(this->reference_mapping(), fe, quadrature, update_JxW_values);
        for (const auto &cell : this->dof_handler.active_cell_iterators())
          if (cell->is_locally_owned())
            {
              fe_values.reinit(cell);
              for (unsigned int q = 0; q < quadrature.size(); ++q)
                domain_volume += fe_values.JxW(q);
            }
        domain_volume = Utilities::MPI::sum(domain_volume, this->comm);
        length        = std::pow(domain_volume, 1. / dim);
      }

      /** The potential's Laplacian on the reference mesh, factored once per mesh; the lumped masses. */
      void
      assemble_laplacian()
      {
        DynamicSparsityPattern dsp(scalar_relevant);
        DoFTools::make_sparsity_pattern(scalar, dsp, potential_constraints, false);
        SparsityTools::distribute_sparsity_pattern(dsp, scalar_owned, this->comm, scalar_relevant);
        laplacian.reinit(scalar_owned, scalar_owned, dsp, this->comm);
        const QGauss<dim>                    quadrature(this->degree + 1);
        FEValues<dim>                        fe_values(this->reference_mapping(),
                                *scalar_fe,
                                quadrature,
                                update_gradients | update_values | update_JxW_values);
        const unsigned int                   n = scalar_fe->n_dofs_per_cell();
        FullMatrix<double>                   cell_matrix(n, n);
        Vector<double>                       cell_mass(n);
        std::vector<types::global_dof_index> dofs(n);
        Vec                                  mass(scalar_owned, this->comm);
        for (const auto &cell : scalar.active_cell_iterators())
          if (cell->is_locally_owned())
            {
              fe_values.reinit(cell);
              cell_matrix = 0.;
              cell_mass   = 0.;
              for (unsigned int q = 0; q < quadrature.size(); ++q)
                for (unsigned int i = 0; i < n; ++i)
                  {
                    cell_mass(i) += fe_values.shape_value(i, q) * fe_values.JxW(q);
                    for (unsigned int j = 0; j < n; ++j)
                      cell_matrix(i, j) +=
                        fe_values.shape_grad(i, q) * fe_values.shape_grad(j, q) * fe_values.JxW(q);
                  }
              cell->get_dof_indices(dofs);
              potential_constraints.distribute_local_to_global(cell_matrix, dofs, laplacian);
              mass.add(dofs, cell_mass);
            }
        laplacian.compress(VectorOperation::add);
        mass.compress(VectorOperation::add);
        preconditioner->initialize(laplacian, true);
        mass_norm = mass.l2_norm();
        // the lumped mass of the displacement space, for the projection of grad phi
        reference_mass.reinit(this->owned, this->comm);
        for (unsigned int k = 0; k < node_index.size(); ++k)
          for (unsigned int c = 0; c < dim; ++c)
            reference_mass[node_index[k][c]] = mass[scalar_owned.nth_index_in_set(k)];
        reference_mass.compress(VectorOperation::insert);
      }

      /**
       * The reference geometry of the owned cells, the same for every iteration on a mesh: the DoFs (as
       * positions in the locally relevant index lists), the quadrature points, JxW and the scalar shape
       * gradients; the shape values are those of the unit cell.
       */
      void
      cache_geometry()
      {
        const QGauss<dim>  quadrature(this->degree + 1);
        const unsigned int n_q = quadrature.size(), n_s = scalar_fe->n_dofs_per_cell();
        const auto        &fe = this->dof_handler.get_fe();
        FEValues<dim>      values(this->reference_mapping(),
                             *scalar_fe,
                             quadrature,
                             update_values | update_gradients | update_quadrature_points | update_JxW_values);
        scalar_indices.clear();
        for (const auto i : scalar_relevant)
          scalar_indices.push_back(i);
        vector_indices.clear();
        for (const auto i : this->relevant)
          vector_indices.push_back(i);
        component_of.resize(fe.n_dofs_per_cell());
        base_of.resize(fe.n_dofs_per_cell());
        for (unsigned int j = 0; j < fe.n_dofs_per_cell(); ++j)
          std::tie(component_of[j], base_of[j]) = fe.system_to_component_index(j);
        cells.clear();
        std::vector<types::global_dof_index> sdofs(n_s), vdofs(fe.n_dofs_per_cell());
        for (const auto &cell : this->dof_handler.active_cell_iterators())
          if (cell->is_locally_owned())
            {
              const auto scalar_cell = cell_of(cell, scalar);
              values.reinit(scalar_cell);
              scalar_cell->get_dof_indices(sdofs);
              cell->get_dof_indices(vdofs);
              CellData data;
              data.scalar_dofs = sdofs;
              for (const auto i : sdofs)
                data.scalar.push_back(scalar_relevant.index_within_set(i));
              for (const auto i : vdofs)
                data.vector.push_back(this->relevant.index_within_set(i));
              for (unsigned int q = 0; q < n_q; ++q)
                {
                  data.xi.push_back(values.quadrature_point(q));
                  data.JxW.push_back(values.JxW(q));
                  for (unsigned int i = 0; i < n_s; ++i)
                    data.grad.push_back(values.shape_grad(i, q));
                }
              cells.push_back(std::move(data));
              if (shape.empty())
                for (unsigned int q = 0; q < n_q; ++q)
                  for (unsigned int i = 0; i < n_s; ++i)
                    shape.push_back(values.shape_value(i, q));
            }
      }

      /** The locally relevant values of the ghosted @p v (on the scalar or the displacement space). */
      static std::vector<double>
      gather(const Vec &v, const std::vector<types::global_dof_index> &indices)
      {
        std::vector<double> values(indices.size());
        v.extract_subvector_to(indices.begin(), indices.end(), values.begin());
        return values;
      }

      /** g = the lumped L2 projection of grad phi onto the displacement space, with the sliding constraints.
       */
      void
      project_gradient(Vec &g) const
      {
        project_gradient(potential, g);
      }

      /** The same for the potential @p of (ghosted). */
      void
      project_gradient(const Vec &of, Vec &g) const
      {
        const unsigned int          n_s = scalar_fe->n_dofs_per_cell(), n_q = shape.size() / n_s;
        const auto                  phi = gather(of, scalar_indices);
        std::vector<double>         sums(vector_indices.size(), 0.);
        std::vector<Tensor<1, dim>> grad_phi(n_q);
        for (const auto &cell : cells)
          {
            for (unsigned int q = 0; q < n_q; ++q)
              {
                grad_phi[q] = 0.;
                for (unsigned int i = 0; i < n_s; ++i)
                  grad_phi[q] += phi[cell.scalar[i]] * cell.grad[q * n_s + i];
              }
            for (unsigned int j = 0; j < cell.vector.size(); ++j)
              for (unsigned int q = 0; q < n_q; ++q)
                sums[cell.vector[j]] +=
                  shape[q * n_s + base_of[j]] * grad_phi[q][component_of[j]] * cell.JxW[q];
          }
        Vec sum(this->owned, this->comm);
        sum.add(vector_indices, sums);
        sum.compress(VectorOperation::add);
        g.reinit(this->owned, this->comm);
        for (const auto i : this->owned)
          g[i] = sum[i] / reference_mass[i];
        g.compress(VectorOperation::insert);
        slide.distribute(g);
      }

      /**
       * The current mesh for the remote point evaluation. The search visits cells near the points,
       * artificial ones too, where the MappingQEulerian of degree 1 has no displacement to read: a
       * MappingQCache of the vertices, moved on the locally owned and ghost cells, serves instead.
       */
      void
      cache_search_mapping()
      {
        if (this->degree > 1)
          return; // the mapping is a MappingQCache already
        const auto  d    = gather(*this->displacement(), vector_indices);
        const auto &tria = this->dof_handler.get_triangulation();
        search           = std::make_unique<MappingQCache<dim>>(1);
        search->initialize(tria, [&](const typename Triangulation<dim>::cell_iterator &cell) {
          std::vector<Point<dim>> points(GeometryInfo<dim>::vertices_per_cell);
          for (unsigned int v = 0; v < points.size(); ++v)
            points[v] = cell->vertex(v);
          if (!cell->is_active() || cell->is_artificial())
            return points;
          const typename DoFHandler<dim>::active_cell_iterator moved(&tria,
                                                                     cell->level(),
                                                                     cell->index(),
                                                                     &this->dof_handler);
          for (unsigned int v = 0; v < points.size(); ++v)
            for (unsigned int c = 0; c < dim; ++c)
              points[v][c] += d[this->relevant.index_within_set(moved->vertex_dof_index(v, c))];
          return points;
        });
      }

      const Mapping<dim> &
      search_mapping() const
      {
        return search ? static_cast<const Mapping<dim> &>(*search) : this->mapping();
      }

      /** The field monitor at the candidate nodes xi + g, by remote point evaluation on the current mesh. */
      void
      monitor_at_nodes(const Vec &g, Vec &nodal) const
      {
        const auto              displacement = gather(g, vector_indices);
        const auto              own          = gather(monitor->nodal(), scalar_indices);
        std::vector<Point<dim>> points(node_point.size());
        std::vector<double>     fallback(points.size());
        for (unsigned int k = 0; k < points.size(); ++k)
          {
            points[k] = node_point[k];
            for (unsigned int c = 0; c < dim; ++c)
              points[k][c] += displacement[this->relevant.index_within_set(node_index[k][c])];
            fallback[k] = own[scalar_relevant.index_within_set(scalar_owned.nth_index_in_set(k))];
          }
        const auto values = monitor->at_points(points, fallback, search_mapping());
        Vec        m(scalar_owned, this->comm);
        for (unsigned int k = 0; k < points.size(); ++k)
          m[scalar_owned.nth_index_in_set(k)] = values[k];
        m.compress(VectorOperation::insert);
        nodal.reinit(scalar_owned, scalar_relevant, this->comm);
        nodal = m;
      }

      /** What evaluate() finds of a mesh. */
      struct Figures
      {
        double theta = 0., residual = 0., equidistribution = 0., min_det = 0.;
      };

      /**
       * The figures of the mesh x = xi + g: theta, the residual m det(I + grad g) - theta at the
       * quadrature points (into @p residual when not null), the equidistribution measure (the
       * coefficient of variation over the cells of m |K| / |K_ref|, which is theta everywhere at the
       * solution, also on an adapted reference mesh), the smallest det.
       */
      Figures
      evaluate(const Vec &g, std::vector<double> *residual, const bool refresh = true) const
      {
        const bool field = monitor->from_field();
        if (field && (refresh || nodal_monitor.size() == 0))
          {
            monitor_at_nodes(g, nodal_monitor);
            nodal_at_reference = false;
          }
        const auto          g_values = gather(g, vector_indices);
        std::vector<double> m_values;
        if (field)
          m_values = gather(nodal_monitor, scalar_indices);
        const unsigned int  n_s = scalar_fe->n_dofs_per_cell(), n_q = shape.size() / n_s;
        std::vector<double> md;
        md.reserve(cells.size() * n_q);
        double              integral = 0., sum_c = 0., min_det = std::numeric_limits<double>::max();
        std::vector<double> per_cell; // m |K| / |K_ref|
        per_cell.reserve(cells.size());
        double min_m = std::numeric_limits<double>::max();
        for (const auto &cell : cells)
          {
            double cell_integral = 0., reference_volume = 0.;
            for (unsigned int q = 0; q < n_q; ++q)
              {
                Tensor<2, dim> J;
                Point<dim>     x = cell.xi[q];
                for (unsigned int j = 0; j < cell.vector.size(); ++j)
                  {
                    const double       value = g_values[cell.vector[j]];
                    const unsigned int c = component_of[j], i = base_of[j];
                    x[c] += value * shape[q * n_s + i];
                    J[c] += value * cell.grad[q * n_s + i];
                  }
                for (unsigned int c = 0; c < dim; ++c)
                  J[c][c] += 1.;
                const double det = determinant(J);
                min_det          = std::min(min_det, det);
                double m         = 0.;
                if (field)
                  {
                    for (unsigned int i = 0; i < n_s; ++i)
                      m += m_values[cell.scalar[i]] * shape[q * n_s + i];
                    // m >= 1 at the nodes by definition; the Q_k interpolant between them can undershoot,
                    // below 0 on a strongly distorted candidate mesh (a learned one), which must not stop
                    // the run (a floor far below 1 leaves every ordinary move as it was)
                    m = std::max(m, 1e-3);
                  }
                else
                  m = (*monitor)(x);
                min_m = std::min(min_m, m);
                md.push_back(m * det);
                cell_integral += m * det * cell.JxW[q];
                reference_volume += cell.JxW[q];
              }
            integral += cell_integral;
            per_cell.push_back(cell_integral / reference_volume);
            sum_c += per_cell.back();
          }
        min_m = Utilities::MPI::min(min_m, this->comm);
        if (!(min_m > 0.))
          throw InputError("entry '" + section +
                           "expression': the monitor must be positive (>= 1 "
                           "is the convention), but its smallest value on the mesh is " +
                           std::to_string(min_m));
        Figures f;
        f.theta = Utilities::MPI::sum(integral, this->comm) / domain_volume;
        for (auto &value : md)
          value -= f.theta;
        // two passes (mean, then the squared deviations): no cancellation for a small variation
        const double n_cells = Utilities::MPI::sum(static_cast<double>(cells.size()), this->comm);
        const double mean    = Utilities::MPI::sum(sum_c, this->comm) / n_cells;
        double       squares = 0.;
        for (const double c : per_cell)
          squares += (c - mean) * (c - mean);
        f.equidistribution = std::sqrt(Utilities::MPI::sum(squares, this->comm) / n_cells) / mean;
        f.min_det          = Utilities::MPI::min(min_det, this->comm);
        if (residual)
          *residual = std::move(md);
        return f;
      }

      /** The equidistribution measure of the mesh of the displacement @p d (owned). */
      double
      equidistribution_of(const Vec &d) const
      {
        Vec ghosted(this->owned, this->relevant, this->comm);
        ghosted = d;
        return evaluate(ghosted, nullptr).equidistribution;
      }

      /**
       * The weak residual R_i = (psi_i, r) into @p rhs (with the potential's constraints), and its norm
       * relative to theta (psi_i, 1): it converges to zero, unlike r at the quadrature points, which Q_k
       * cannot represent.
       */
      double
      weak_residual(const std::vector<double> &residual, const double theta, Vec &rhs) const
      {
        const unsigned int n = scalar_fe->n_dofs_per_cell(), n_q = shape.size() / n;
        Vector<double>     cell_rhs(n);
        rhs            = 0.;
        unsigned int k = 0;
        for (const auto &cell : cells)
          {
            cell_rhs = 0.;
            for (unsigned int q = 0; q < n_q; ++q, ++k)
              for (unsigned int i = 0; i < n; ++i)
                cell_rhs(i) += shape[q * n + i] * residual[k] * cell.JxW[q];
            potential_constraints.distribute_local_to_global(cell_rhs, cell.scalar_dofs, rhs);
          }
        rhs.compress(VectorOperation::add);
        return rhs.l2_norm() / (theta * mass_norm);
      }

      /** The relaxation from the current potential; the candidate into @p d. Returns the iterations. */
      unsigned int
      relax(Vec &d)
      {
        const double        step  = dtau * length * length;
        const bool          field = monitor->from_field();
        std::vector<double> residual;
        Vec                 g_owned, g(this->owned, this->relevant, this->comm);
        Vec rhs(scalar_owned, this->comm), delta(scalar_owned, this->comm), phi(scalar_owned, this->comm);
        previous_potential = potential; // of the mesh in use: back to it if the candidate is refused
        std::vector<double> history;
        double              first     = 0.;
        bool                converged = false;
        unsigned int        it        = 0;
        Figures             f;
        for (;; ++it)
          {
            project_gradient(g_owned);
            g = g_owned;
            // a field monitor at the moved nodes (a remote point evaluation, the costly part) every
            // 'monitor refresh' iterations, and again before the iteration may stop
            const bool refresh = it % refresh_interval == 0;
            f                  = evaluate(g, &residual, refresh);
            f.residual         = weak_residual(residual, f.theta, rhs);
            if (it == 0)
              first = f.residual;
            if (!std::isfinite(f.residual) || f.residual > 1e6 * std::max(first, 1e-300))
              break;
            history.push_back(f.residual);
            // converged, or stalled at its floor (below 10 x tolerance, less than 5 % smaller than 50
            // iterations ago): the recovered gradient is not exactly grad(phi) on coarse meshes
            const auto done = [&]() {
              const bool stalled = history.size() > 50 && f.residual < 10. * tolerance &&
                                   f.residual > 0.95 * history[history.size() - 51];
              return f.residual < tolerance || stalled;
            };
            if (done() && field && !refresh)
              {
                // check again with the monitor at the nodes as they are now
                f              = evaluate(g, &residual, true);
                f.residual     = weak_residual(residual, f.theta, rhs);
                history.back() = f.residual;
              }
            if (done())
              {
                converged = true;
                break;
              }
            if (it == max_iterations)
              break;
            rhs *= step;
            delta               = 0.;
            const auto solution = preconditioner->solve(krylov, laplacian, delta, rhs);
            if (!solution.converged)
              throw RunError("mesh mover 'monge-ampere': the CG solve of the potential did not converge (" +
                             solution.reason + ")");
            potential_constraints.distribute(delta);
            phi = potential;
            phi.add(1., delta);
            potential = phi;
          }
        last_residual         = f.residual;
        last_equidistribution = f.equidistribution;
        last_min_det          = f.min_det;
        if (!converged)
          {
            const std::string message = "mesh mover 'monge-ampere': the relaxation did not converge in " +
                                        std::to_string(it) + " iterations (relative residual " +
                                        std::to_string(f.residual) + ", tolerance " +
                                        std::to_string(tolerance) + ")";
            if (stop_if_not_converged)
              throw RunError(message + "; entry '" + section + "if not converged' = stop");
            this->candidate_rejected = true; // candidate_refused() restores the potential
            return it;
          }
        d = g_owned;
        return it;
      }

      // parameters
      const std::string                 section; ///< "mesh mover/<name>/", for the messages
      std::string                       training_file;
      unsigned int                      training_samples = 0;
      std::unique_ptr<MeshMonitor<dim>> monitor;
      double                            threshold = 0., dtau = 0.1, tolerance = 1e-6;
      unsigned int interval = 1, n_initial_moves = 0, max_iterations = 500, refresh_interval = 10;
      bool         stop_if_not_converged = false;
      std::set<types::boundary_id>    fixed_ids;
      KrylovSettings                  krylov;
      std::unique_ptr<Preconditioner> preconditioner;

      // the potential and the geometry of the reference mesh
      std::unique_ptr<FE_Q<dim>>       scalar_fe;
      DoFHandler<dim>                  scalar;
      IndexSet                         scalar_owned, scalar_relevant;
      AffineConstraints<double>        potential_constraints, slide;
      types::global_dof_index          pinned = 0;
      PETScWrappers::MPI::SparseMatrix laplacian;
      Vec                              reference_mass, potential;
      Vec          previous_potential; ///< the potential of the mesh in use, at the start of the last move
      mutable Vec  nodal_monitor;      ///< the field monitor at the nodes of the last refresh
      mutable bool nodal_at_reference = false;    ///< nodal_monitor is at the reference nodes
      std::unique_ptr<MappingQCache<dim>> search; ///< the current mesh of degree 1 for point searches
      std::vector<std::array<types::global_dof_index, dim>> node_index;
      std::vector<Point<dim>>                               node_point;
      double                                                domain_volume = 1., length = 1., mass_norm = 1.;
      std::unique_ptr<parallel::distributed::SolutionTransfer<dim, Vec, dim>> potential_transfer;

      /** The reference geometry of one owned cell (cache_geometry()). */
      struct CellData
      {
        std::vector<unsigned int>            scalar, vector; ///< positions in the relevant index lists
        std::vector<types::global_dof_index> scalar_dofs;    ///< the potential's DoFs
        std::vector<Point<dim>>              xi;             ///< quadrature points
        std::vector<double>                  JxW;
        std::vector<Tensor<1, dim>>          grad; ///< scalar shape gradients, [q * n + i]
      };
      std::vector<CellData>                cells;
      std::vector<double>                  shape; ///< scalar shape values on the unit cell, [q * n + i]
      std::vector<unsigned int>            component_of, base_of; ///< of the displacement's cell DoFs
      std::vector<types::global_dof_index> scalar_indices, vector_indices; ///< the relevant DoFs

      // the last move
      double last_residual = 0., last_equidistribution = 0., last_min_det = 1.;

      // the vertex graph (learned mover, training data)
      std::unique_ptr<FE_Q<dim>> vertex_fe;
      DoFHandler<dim>            vertices; ///< FE_Q(1), for degree >= 2
      VertexGraph<dim>           graph;
      bool                       graph_ready = false;
      std::vector<unsigned int>  cell_nodes; ///< graph nodes of the owned and ghost cells' vertices
    };
  } // namespace monge_ampere
} // namespace hyfe
