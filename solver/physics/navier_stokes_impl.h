#pragma once

/**
 * @file
 * @brief The class of the Navier-Stokes physics, shared by its implementation files
 * (navier_stokes_*.cc, one concept each); included only by them.
 */

#include <deal.II/base/function_parser.h>
#include <deal.II/base/index_set.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/fe/fe_q.h>
#include <deal.II/fe/fe_system.h>
#include <deal.II/lac/affine_constraints.h>
#include <deal.II/lac/petsc_sparse_matrix.h>
#include <deal.II/lac/petsc_vector.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "solver/core/exceptions.h"
#include "solver/core/linear_solver.h"
#include "solver/core/mesh.h"
#include "solver/core/output.h"
#include "solver/core/parameters.h"
#include "solver/modules/preconditioner.h"
#include "solver/physics/navier_stokes.h"
#include "solver/physics/physics_tools.h"

namespace hyfe
{
  namespace navier_stokes
  {
    using namespace dealii;
    using Vector_t = PETScWrappers::MPI::Vector;

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
        nu_t_values.clear();
        cache.valid = false;
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
      bool
      supports_checkpoints() const override
      {
        return true;
      }
      std::vector<std::pair<std::string, std::string>>
      restart_invariants() const override;
      void
      prepare_checkpoint(CheckpointState &state) override;
      void
      finish_checkpoint() override;
      void
      load_checkpoint(const CheckpointState &state) override;

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
      /** @brief Whether the velocity system takes the cached path (assemble_velocity_system_cached()). */
      bool
      cached_assembly() const;
      /** @brief Fills #cache on the current mesh and mapping. */
      void
      build_cache();
      /**
       * @brief The velocity system from #cache: the per-cell mass and stiffness matrices of the mesh plus
       * the convection (and nu_t) of the step; the same system as the general path, which serves the
       * component-coupled cases (implicit nu_t (grad u)^T, grad-div).
       */
      void
      assemble_velocity_system_cached(const StepInfo            &step,
                                      double                     alpha0,
                                      double                     alpha1,
                                      double                     alpha2,
                                      double                     omega,
                                      const std::vector<double> &nu_t);
      /**
       * @brief Fills the positions of #cache in the local arrays @p local_matrices (diagonal, off-diagonal);
       * @p column_map: the off-diagonal part's global columns.
       */
      void
      find_matrix_positions(const std::array<Mat, 2> &local_matrices, const PetscInt *column_map);
      /** @brief The pressure Poisson right-hand side and (div u, q) from #cache (see
       * assemble_pressure_rhs()). */
      void
      assemble_pressure_rhs_cached(double alpha0, double dt);
      /**
       * @brief From #cache: the sums over the owned cells of the kinetic energy, enstrophy, viscous
       * dissipation and |div u|^2, and the largest CFL number, of u^n.
       */
      std::array<double, 5>
      cell_statistics_cached(double dt);
      std::pair<double, double>
      compute_forces() const;
      std::pair<double, double>
      compute_surface_forces() const;
      std::vector<double>
      evaluate_at_points(const std::vector<Point<dim>> &points, bool velocity) const;
      void
      write_profiles(unsigned int step) const;
      /**
       * @brief nu_t at every quadrature point (QGauss(degree + 1)) of the owned cells, in cell order,
       * from the closure model at the extrapolated velocity (1 + omega) u^n - omega u^{n-1} of @p time;
       * empty without a closure. @p record: whether the closure's statistics count this evaluation.
       */
      std::vector<double>
      eddy_viscosity(double omega, double time, bool record) const;
      /** @brief nu_t of the last step, as eddy_viscosity(); recomputed (not recorded) if the mesh changed. */
      const std::vector<double> &
      current_eddy_viscosity(double time) const;

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

      double       viscosity;
      bool         convection, adaptive_dt, rotational = true;
      bool         explicit_transpose = false; ///< nu_t (grad u)^T on the right-hand side
      double       grad_div           = 0.;    ///< gamma of the grad-div term gamma (div u, div v)
      unsigned int picard_iterations  = 0;     ///< extra velocity solves with u* = the last iterate
      /// 'convection form = projected': u* from the end-of-step velocities u~ - grad psi, no div u* term
      bool            projected_convection = false;
      const Vector_t *convecting           = nullptr; ///< ghosted: the convecting velocity of a Picard solve
      double          max_cfl, cfl_limit;
      std::string     indicator;
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

      unsigned int                        steps_done  = 0;
      double                              previous_dt = 0., last_dt = 0., last_cfl = 0.;
      SolveResult                         velocity_result, pressure_result;
      std::unique_ptr<CsvWriter>          forces_csv;
      physics_tools::HistoryTransfer<dim> history;       // u_n, u_nm1 on dof_u; p_n, psi_n, psi_nm1 on dof_p
      std::vector<std::array<double, 4>>  force_history; // t, C_D, C_L, delta_p
      double                              total_velocity_its = 0, total_pressure_its = 0;
      /**
       * @brief Per-mesh data of the velocity assembly on the owned cells, in cell order: the scalar shape
       * functions' real gradients and JxW at QGauss(degree + 1), the cell mass and stiffness matrices of one
       * component, the DoF indices (global, and local in the ghosted vectors).
       */
      struct CellCache
      {
        bool                        valid = false;
        unsigned int                n_q = 0, n_s = 0, n_p = 0;
        std::vector<double>         phi, phi_p;      ///< reference values, q-major: n_q x n_s, n_q x n_p
        std::vector<double>         JxW;             ///< n_q per cell
        std::vector<Tensor<1, dim>> grad;            ///< n_q x n_s per cell
        std::vector<Tensor<1, dim>> grad_p;          ///< n_q x n_p per cell (projected convection only)
        std::vector<Point<dim>>     points;          ///< n_q per cell (with a body force only)
        std::vector<double>         mass, stiffness; ///< n_s x n_s per cell
        std::vector<std::int64_t>   dofs_u;          ///< dim x n_s per cell, component-major, global
        /**
         * Where each entry of a cell's component block (dim x n_s x n_s per cell) lives in the matrix's local
         * arrays: its index in the diagonal part (where = 0) or off-diagonal part (where = 1) of the rank's
         * rows; where = 2: the row is another rank's (added through MatSetValues). Filled by the first
         * assembly.
         */
        std::vector<std::int32_t>            positions;
        std::vector<unsigned char>           where;
        std::vector<unsigned int>            local_u, local_p; ///< the same, local; n_p per cell for p
        std::vector<types::global_dof_index> dofs_p;           ///< n_p per cell
        std::vector<bool>                    constrained;      ///< per cell: a velocity DoF is constrained
        std::vector<bool> touches_body; ///< per cell: a DoF of the force test functions is non-zero
        /// the pressure probes: the owned cell (or an invalid iterator) and the point in its reference cell
        std::vector<std::pair<typename DoFHandler<dim>::active_cell_iterator, Point<dim>>> probes;
        std::vector<std::array<int, 2>> cells; ///< level, index
        std::vector<double>             h;     ///< per cell: minimum vertex distance / degree
      };
      mutable CellCache cache;
      bool              use_cache       = true;  ///< 'navier stokes/assembly cache'
      bool              zero_body_force = false; ///< every component of the body force is the constant 0
      /// nu_t of the last assembly at every quadrature point of the owned cells (empty: none, or stale)
      mutable std::vector<double> nu_t_values;
    };
  } // namespace navier_stokes
} // namespace hyfe
