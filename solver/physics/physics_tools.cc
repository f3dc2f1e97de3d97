#include "solver/physics/physics_tools.h"

#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/quadrature_lib.h>
#include <deal.II/distributed/solution_transfer.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/fe/mapping.h>
#include <deal.II/lac/affine_constraints.h>
#include <deal.II/lac/petsc_sparse_matrix.h>
#include <deal.II/lac/petsc_vector.h>
#include <deal.II/lac/vector.h>
#include <deal.II/numerics/data_out.h>
#include <deal.II/numerics/error_estimator.h>

#include <cmath>

#include "solver/core/exceptions.h"
#include "solver/core/linear_solver.h"
#include "solver/core/mesh.h"
#include "solver/core/module.h"
#include "solver/modules/mesh_mover.h"
#include "solver/modules/preconditioner.h"

namespace hyfe
{
  namespace physics_tools
  {
    using namespace dealii;
    using Vector_t = PETScWrappers::MPI::Vector;

    unsigned int
    read_degree(ParameterHandler &prm, const std::string &subsection, const std::string &entry)
    {
      prm.enter_subsection(subsection);
      const unsigned int degree = prm.get_integer(entry);
      prm.leave_subsection();
      return degree;
    }

    std::string
    step_text(const StepInfo &step)
    {
      return "step " + std::to_string(step.step) + ", t = " + std::to_string(step.time) + ": ";
    }

    void
    check_finite(const Vector_t &v, const StepInfo &step, const std::string &field)
    {
      if (!std::isfinite(parallel_l2_norm(static_cast<const Vec &>(v))))
        throw RunError(step_text(step) + "the field '" + field + "' is not finite (NaN or Inf)");
    }

    SolveResult
    solve_and_check(Preconditioner                         &preconditioner,
                    const KrylovSettings                   &settings,
                    const PETScWrappers::MPI::SparseMatrix &matrix,
                    Vector_t                               &x,
                    const Vector_t                         &rhs,
                    const AffineConstraints<double>        &constraints,
                    const StepInfo                         &step,
                    const SolveCheck                       &check)
    {
      if (settings.dump_at(step.step))
        dump_linear_system(check.dump_prefix + "_step" + std::to_string(step.step) + ".petsc",
                           static_cast<Mat>(matrix),
                           static_cast<const Vec &>(rhs));
      const SolveResult result = preconditioner.solve(settings, matrix, x, rhs);
      if (!result.converged)
        throw RunError(step_text(step) + check.solve + " did not converge (" + result.reason + ", " +
                       std::to_string(result.iterations) + " iterations" +
                       (check.report_residual
                          ? ", relative residual " + std::to_string(result.relative_residual)
                          : std::string()) +
                       ")");
      constraints.distribute(x);
      if (!check.finite_field.empty())
        check_finite(x, step, check.finite_field);
      return result;
    }

    template <int dim>
    void
    kelly_indicators(const Mapping<dim>    &mapping,
                     const DoFHandler<dim> &dof,
                     const unsigned int     degree,
                     const Vector_t        &solution,
                     Vector<float>         &indicators)
    {
      indicators.reinit(dof.get_triangulation().n_active_cells());
      KellyErrorEstimator<dim>::estimate(mapping, dof, QGauss<dim - 1>(degree + 1), {}, solution, indicators);
    }

    template <int dim>
    struct HistoryTransfer<dim>::Group
    {
      const DoFHandler<dim>                                                  *dof;
      std::vector<Vector_t *>                                                 vectors;
      const AffineConstraints<double>                                        *hanging;
      std::unique_ptr<parallel::distributed::SolutionTransfer<dim, Vector_t>> transfer;
    };

    template <int dim>
    HistoryTransfer<dim>::HistoryTransfer() = default;

    template <int dim>
    HistoryTransfer<dim>::~HistoryTransfer() = default;

    template <int dim>
    void
    HistoryTransfer<dim>::add(const DoFHandler<dim>           &dof,
                              const std::vector<Vector_t *>   &vectors,
                              const AffineConstraints<double> &hanging)
    {
      groups.push_back(std::make_unique<Group>(Group{&dof, vectors, &hanging, nullptr}));
    }

    template <int dim>
    void
    HistoryTransfer<dim>::prepare_adaptation(parallel::distributed::Triangulation<dim> &tria,
                                             const Vector<float>                       &indicators,
                                             const AdaptivityParameters                &adaptivity)
    {
      mark_cells(tria, indicators, adaptivity);
      tria.prepare_coarsening_and_refinement();
      for (const auto &g : groups)
        {
          g->transfer = std::make_unique<parallel::distributed::SolutionTransfer<dim, Vector_t>>(*g->dof);
          g->transfer->prepare_for_coarsening_and_refinement(
            std::vector<const Vector_t *>(g->vectors.begin(), g->vectors.end()));
        }
    }

    template <int dim>
    template <typename Read>
    void
    HistoryTransfer<dim>::read_back(const Read &read, const bool distribute)
    {
      for (const auto &g : groups)
        {
          const MPI_Comm        comm = g->dof->get_triangulation().get_communicator();
          std::vector<Vector_t> values;
          for (std::size_t i = 0; i < g->vectors.size(); ++i)
            values.emplace_back(g->dof->locally_owned_dofs(), comm);
          std::vector<Vector_t *> out;
          for (auto &v : values)
            out.push_back(&v);
          read(*g, out);
          g->transfer.reset();
          for (std::size_t i = 0; i < values.size(); ++i)
            {
              if (distribute)
                g->hanging->distribute(values[i]);
              *g->vectors[i] = values[i];
            }
        }
    }

    template <int dim>
    void
    HistoryTransfer<dim>::finish_adaptation()
    {
      read_back([](Group &g, std::vector<Vector_t *> &out) { g.transfer->interpolate(out); }, true);
    }

    template <int dim>
    void
    HistoryTransfer<dim>::prepare_serialization()
    {
      for (const auto &g : groups)
        {
          g->transfer = std::make_unique<parallel::distributed::SolutionTransfer<dim, Vector_t>>(*g->dof);
          g->transfer->prepare_for_serialization(
            std::vector<const Vector_t *>(g->vectors.begin(), g->vectors.end()));
        }
    }

    template <int dim>
    void
    HistoryTransfer<dim>::finish_serialization()
    {
      for (const auto &g : groups)
        g->transfer.reset();
    }

    template <int dim>
    void
    HistoryTransfer<dim>::deserialize()
    {
      read_back(
        [](Group &g, std::vector<Vector_t *> &out) {
          parallel::distributed::SolutionTransfer<dim, Vector_t> transfer(*g.dof);
          transfer.deserialize(out);
        },
        false);
    }

    template <int dim>
    void
    add_subdomain_and_level(const parallel::distributed::Triangulation<dim> &triangulation,
                            DataOut<dim>                                    &data_out,
                            Vector<float>                                   &subdomain,
                            Vector<float>                                   &level)
    {
      subdomain.reinit(triangulation.n_active_cells());
      level.reinit(triangulation.n_active_cells());
      for (const auto &cell : triangulation.active_cell_iterators())
        {
          subdomain(cell->active_cell_index()) = triangulation.locally_owned_subdomain();
          level(cell->active_cell_index())     = cell->level();
        }
      data_out.add_data_vector(subdomain, "subdomain");
      data_out.add_data_vector(level, "level");
    }

    template void
    kelly_indicators<2>(const Mapping<2> &,
                        const DoFHandler<2> &,
                        unsigned int,
                        const Vector_t &,
                        Vector<float> &);
    template void
    kelly_indicators<3>(const Mapping<3> &,
                        const DoFHandler<3> &,
                        unsigned int,
                        const Vector_t &,
                        Vector<float> &);
    template <int dim>
    MeshVelocityValues<dim>::MeshVelocityValues(const MeshMover<dim>  &mover,
                                                const Quadrature<dim> &quadrature)
        : mover(mover)
    {
      if (mover.mesh_velocity())
        fe_values = std::make_unique<FEValues<dim>>(mover.mapping(),
                                                    mover.displacement_dof_handler()->get_fe(),
                                                    quadrature,
                                                    update_values);
    }

    template <int dim>
    MeshVelocityValues<dim>::~MeshVelocityValues() = default;

    template <int dim>
    void
    MeshVelocityValues<dim>::get(const int level, const int index, std::vector<Tensor<1, dim>> &w)
    {
      const typename DoFHandler<dim>::active_cell_iterator cell(
        &mover.displacement_dof_handler()->get_triangulation(),
        level,
        index,
        mover.displacement_dof_handler());
      fe_values->reinit(cell);
      (*fe_values)[FEValuesExtractors::Vector(0)].get_function_values(*mover.mesh_velocity(), w);
    }

    template class MeshVelocityValues<2>;
    template class MeshVelocityValues<3>;
    template class HistoryTransfer<2>;
    template class HistoryTransfer<3>;
    template void
    add_subdomain_and_level<2>(const parallel::distributed::Triangulation<2> &,
                               DataOut<2> &,
                               Vector<float> &,
                               Vector<float> &);
    template void
    add_subdomain_and_level<3>(const parallel::distributed::Triangulation<3> &,
                               DataOut<3> &,
                               Vector<float> &,
                               Vector<float> &);
  } // namespace physics_tools
} // namespace hyfe
