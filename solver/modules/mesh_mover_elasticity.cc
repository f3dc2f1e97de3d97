/**
 * @file
 * @brief The `elasticity` mesh mover: the displacements of moving boundaries are expressions of (X, t);
 * the interior follows by linear elasticity on the reference mesh, stiffened where cells are small, so
 * that small cells near a moving body keep their shape and the larger cells away from it deform.
 */
#include <deal.II/base/function_parser.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/quadrature_lib.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/petsc_sparse_matrix.h>
#include <deal.II/lac/sparsity_tools.h>
#include <deal.II/numerics/vector_tools.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>

#include "solver/core/exceptions.h"
#include "solver/core/linear_solver.h"
#include "solver/core/parameters.h"
#include "solver/core/registry.h"
#include "solver/modules/mesh_motion.h"
#include "solver/modules/preconditioner.h"

namespace hyfe
{
  namespace
  {
    using namespace dealii;

    /**
     * @brief d solves div(sigma(d)) = 0 on the reference mesh, sigma = 2 mu eps(d) + lambda div(d) I
     * with E = |K|^(-chi) on each cell K (Jacobian-based stiffening: the reference cell volume |K|
     * through the mapping; chi = 0 is plain elasticity) and the Poisson ratio nu; d = the expression on
     * the moving boundaries and d = 0 on every other boundary. The total-displacement (linear) form on
     * the reference mesh: d is a linear function of the boundary data, so the mesh never drifts, and the
     * matrix (and its preconditioner) is assembled once per mesh; only the boundary values change.
     */
    template <int dim>
    class ElasticMotion : public DisplacementMover<dim>
    {
    public:
      /** @brief The boundary motion, the material and the solver. */
      static void
      declare_parameters(ParameterHandler &prm)
      {
        prm.declare_entry("boundary ids",
                          "",
                          Patterns::List(Patterns::Integer(0, 254), 0, 255, ","),
                          "Boundary ids of the moving bodies, whose displacement is 'boundary displacement'; "
                          "every other boundary is fixed (d = 0). Comma-separated ids in [0, 254].");
        prm.declare_entry("boundary displacement",
                          dim == 2 ? "0; 0" : "0; 0; 0",
                          Patterns::Anything(),
                          "Displacement d(X, t) of the points X of 'boundary ids' at time t, one expression "
                          "per component separated by ';', of x, y[, z] (reference coordinates, length) and "
                          "t (time). Length.");
        prm.declare_entry("function constants",
                          "",
                          Patterns::Anything(),
                          "Constants usable in 'boundary displacement', as 'name=value, ...'; pi is "
                          "predefined.");
        prm.declare_entry("stiffening exponent",
                          "1",
                          Patterns::Double(0., 3.),
                          "chi of the cell stiffness E_K = |K|^(-chi), |K| the reference cell volume: small "
                          "cells are stiffer (Stein, Tezduyar and Benney 2003). Unitless, in [0, 3].");
        prm.declare_entry("poisson ratio",
                          "0.3",
                          Patterns::Double(0., 0.49),
                          "Poisson ratio nu of the pseudo-material. Unitless, in [0, 0.49].");
        prm.enter_subsection("linear solver");
        KrylovSettings::declare_parameters(prm, 1e-10);
        prm.enter_subsection("preconditioner");
        Preconditioner::declare_system(
          prm,
          "direct",
          "Preconditioner of the CG solve of the elasticity. Its matrix is the same on "
          "a mesh until the next adaptation, so 'direct' factors it once and then "
          "solves each step in one iteration (45 steps of the DFG 2D mesh: 1.4 s, "
          "against 10.2 s with boomeramg's 45 iterations per step); 'boomeramg' or "
          "'gamg' for meshes too large to factor.");
        prm.leave_subsection();
        prm.leave_subsection();
      }

      /** @brief Parses the entries (an expression error is an input error naming the entry). */
      explicit ElasticMotion(ParameterHandler &prm)
      {
        const std::string entry = "mesh mover/elasticity/";
        for (const auto id : parse_boundary_ids(prm.get("boundary ids"), entry + "boundary ids"))
          ids.insert(id);
        const auto constants = parse_constants(prm.get("function constants"), entry + "function constants");
        boundary             = make_function<dim>(prm.get("boundary displacement"),
                                      dim,
                                      constants,
                                      entry + "boundary displacement");
        chi                  = prm.get_double("stiffening exponent");
        poisson              = prm.get_double("poisson ratio");
        prm.enter_subsection("linear solver");
        krylov.parse_parameters(prm);
        prm.enter_subsection("preconditioner");
        preconditioner = Preconditioner::create(prm);
        prm.leave_subsection();
        prm.leave_subsection();
      }

    protected:
      std::set<types::boundary_id>
      moved_boundaries() const override
      {
        return ids;
      }

      void
      mesh_changed() override
      {
        check_boundary_ids_exist(this->dof_handler.get_triangulation(),
                                 ids,
                                 "mesh mover/elasticity/boundary ids");
        matrix_ready = false;
      }

      void
      initial_displacement(const double time, PETScWrappers::MPI::Vector &d) override
      {
        solve(time, d);
      }

      unsigned int
      compute_displacement(const StepInfo             &step,
                           const StateView            &state,
                           PETScWrappers::MPI::Vector &d) override
      {
        preconditioner->update(step, state);
        return solve(step.time, d);
      }

    private:
      /** The constraints at @p time: hanging nodes, the moving boundaries' values, zero elsewhere. */
      void
      make_constraints(const double time)
      {
        constraints.clear();
        constraints.reinit(this->relevant);
        constraints.merge(this->hanging);
        boundary->set_time(time);
        const Functions::ZeroFunction<dim>                  zero(dim);
        std::map<types::boundary_id, const Function<dim> *> values;
        for (const auto id : this->dof_handler.get_triangulation().get_boundary_ids())
          values[id] = ids.count(id) ? static_cast<const Function<dim> *>(boundary.get()) : &zero;
        VectorTools::interpolate_boundary_values(this->reference_mapping(),
                                                 this->dof_handler,
                                                 values,
                                                 constraints);
        constraints.close();
      }

      unsigned int
      solve(const double time, PETScWrappers::MPI::Vector &d)
      {
        make_constraints(time);
        assemble();
        SolveResult result;
        // from a zero initial guess: the solution is linear in the boundary data, which may be
        // (nearly) zero at times where the previous displacement is not
        d = 0.;
        if (rhs.l2_norm() > 0.)
          {
            result = preconditioner->solve(krylov, matrix, d, rhs);
            if (!result.converged)
              throw RunError("mesh mover 'elasticity': the CG solve did not converge (" + result.reason +
                             ", " + std::to_string(result.iterations) + " iterations)");
          }
        constraints.distribute(d);
        return result.iterations;
      }

      /** The stiffened elastic cell matrix of @p cell into @p cell_matrix (@p fe_values reinit here). */
      template <typename Iterator>
      void
      cell_matrix_of(const Iterator &cell, FEValues<dim> &fe_values, FullMatrix<double> &cell_matrix) const
      {
        const FEValuesExtractors::Vector displacement(0);
        fe_values.reinit(cell);
        const unsigned int n = cell_matrix.m(), n_q = fe_values.n_quadrature_points;
        double             volume = 0.;
        for (unsigned int q = 0; q < n_q; ++q)
          volume += fe_values.JxW(q);
        const double                         E      = std::pow(volume, -chi);
        const double                         mu     = E / (2. * (1. + poisson));
        const double                         lambda = E * poisson / ((1. + poisson) * (1. - 2. * poisson));
        std::vector<SymmetricTensor<2, dim>> eps(n);
        std::vector<double>                  div(n);
        cell_matrix = 0.;
        for (unsigned int q = 0; q < n_q; ++q)
          {
            for (unsigned int i = 0; i < n; ++i)
              {
                eps[i] = fe_values[displacement].symmetric_gradient(i, q);
                div[i] = fe_values[displacement].divergence(i, q);
              }
            const double JxW = fe_values.JxW(q);
            for (unsigned int i = 0; i < n; ++i)
              for (unsigned int j = 0; j <= i; ++j)
                cell_matrix(i, j) += (2. * mu * (eps[i] * eps[j]) + lambda * div[i] * div[j]) * JxW;
          }
        for (unsigned int i = 0; i < n; ++i)
          for (unsigned int j = i + 1; j < n; ++j)
            cell_matrix(i, j) = cell_matrix(j, i);
      }

      /**
       * The matrix and its preconditioner once per mesh; every step only the right-hand side of the
       * boundary values, from the cells that have a DoF with a non-zero boundary value.
       */
      void
      assemble()
      {
        const bool new_matrix = !matrix_ready;
        if (new_matrix)
          {
            DynamicSparsityPattern dsp(this->relevant);
            DoFTools::make_sparsity_pattern(this->dof_handler, dsp, constraints, false);
            SparsityTools::distribute_sparsity_pattern(dsp, this->owned, this->comm, this->relevant);
            matrix.reinit(this->owned, this->owned, dsp, this->comm);
          }
        rhs.reinit(this->owned, this->comm);
        const QGauss<dim>                    quadrature(this->degree + 1);
        FEValues<dim>                        fe_values(this->reference_mapping(),
                                this->dof_handler.get_fe(),
                                quadrature,
                                update_gradients | update_JxW_values);
        const unsigned int                   n = this->dof_handler.get_fe().n_dofs_per_cell();
        FullMatrix<double>                   cell_matrix(n, n);
        Vector<double>                       cell_rhs(n);
        std::vector<types::global_dof_index> dofs(n);
        for (const auto &cell : this->dof_handler.active_cell_iterators())
          if (cell->is_locally_owned())
            {
              cell->get_dof_indices(dofs);
              if (new_matrix)
                {
                  cell_matrix_of(cell, fe_values, cell_matrix);
                  constraints.distribute_local_to_global(cell_matrix, cell_rhs, dofs, matrix, rhs);
                }
              else if (std::any_of(dofs.begin(), dofs.end(), [&](const types::global_dof_index i) {
                         return constraints.is_inhomogeneously_constrained(i);
                       }))
                {
                  cell_matrix_of(cell, fe_values, cell_matrix);
                  constraints.distribute_local_to_global(cell_rhs, dofs, rhs, cell_matrix);
                }
            }
        rhs.compress(VectorOperation::add);
        if (new_matrix)
          {
            matrix.compress(VectorOperation::add);
            preconditioner->initialize(matrix, true);
            matrix_ready = true;
          }
      }

      std::set<types::boundary_id>         ids;
      std::unique_ptr<FunctionParser<dim>> boundary;
      double                               chi = 1., poisson = 0.3;
      KrylovSettings                       krylov;
      std::unique_ptr<Preconditioner>      preconditioner;
      AffineConstraints<double>            constraints;
      PETScWrappers::MPI::SparseMatrix     matrix;
      PETScWrappers::MPI::Vector           rhs;
      bool                                 matrix_ready = false;
    };
  } // namespace

  /** @brief Registration (called by register_mesh_movers()). */
  void
  register_elasticity_mover()
  {
    register_dim_module<MeshMover, ElasticMotion>(
      "elasticity", ModuleKind::classical, "moving boundaries; the interior by stiffened linear elasticity");
  }
} // namespace hyfe
