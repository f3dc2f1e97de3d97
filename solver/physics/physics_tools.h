#pragma once

/**
 * @file
 * @brief Pieces that every physics repeats: the degree entry, the solve with its checks, the
 * skeleton of mesh adaptation (Kelly indicators, marking, transfer of the history vectors) and the
 * subdomain and level output fields.
 */

#include <deal.II/base/tensor.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace dealii
{
  class ParameterHandler;
  template <typename Number>
  class Vector;
  template <typename Number>
  class AffineConstraints;
  template <int dim, int spacedim>
  class DoFHandler;
  template <int dim, int spacedim>
  class Mapping;
  template <int dim, int spacedim>
  class DataOut;
  template <int dim, int spacedim>
  class FEValues;
  template <int dim>
  class Quadrature;
  namespace PETScWrappers
  {
    namespace MPI
    {
      class Vector;
      class SparseMatrix;
    } // namespace MPI
  }   // namespace PETScWrappers
  namespace parallel
  {
    namespace distributed
    {
      template <int dim, int spacedim>
      class Triangulation;
    }
  } // namespace parallel
} // namespace dealii

namespace hyfe
{
  struct AdaptivityParameters;
  struct KrylovSettings;
  struct SolveResult;
  struct StepInfo;
  class Preconditioner;
  template <int dim>
  class MeshMover;

  namespace physics_tools
  {
    /** @brief The integer entry @p entry of `subsection` @p subsection (a polynomial degree). */
    unsigned int
    read_degree(dealii::ParameterHandler &prm, const std::string &subsection, const std::string &entry);

    /** @brief "step N, t = T: ", the beginning of the messages of errors during a step. */
    std::string
    step_text(const StepInfo &step);

    /**
     * @brief Throws RunError (collectively: the norm is global) if @p v holds a NaN or Inf, naming
     * @p field and the step.
     */
    void
    check_finite(const dealii::PETScWrappers::MPI::Vector &v, const StepInfo &step, const std::string &field);

    /** @brief What solve_and_check() says and checks about one solve. */
    struct SolveCheck
    {
      /// the system is dumped into `<dump_prefix>_step<N>.petsc` when the settings ask for step N
      std::string dump_prefix;
      /// the solve in messages, e.g. "the velocity solve"
      std::string solve;
      /// the field that must be finite after the solve; empty: not checked
      std::string finite_field;
      /// whether the message of a solve that did not converge gives the relative residual
      bool report_residual = false;
    };

    /**
     * @brief Dumps the system when due, solves matrix x = rhs with @p preconditioner (x holds the
     * initial guess), throws RunError if the solve did not converge, distributes @p constraints into x
     * and checks that x is finite (see SolveCheck). Collective.
     */
    SolveResult
    solve_and_check(Preconditioner                                 &preconditioner,
                    const KrylovSettings                           &settings,
                    const dealii::PETScWrappers::MPI::SparseMatrix &matrix,
                    dealii::PETScWrappers::MPI::Vector             &x,
                    const dealii::PETScWrappers::MPI::Vector       &rhs,
                    const dealii::AffineConstraints<double>        &constraints,
                    const StepInfo                                 &step,
                    const SolveCheck                               &check);

    /**
     * @brief Kelly's error indicator of the ghosted @p solution on @p dof (face quadrature of
     * @p degree + 1 points), one per active cell of the local triangulation.
     */
    template <int dim>
    void
    kelly_indicators(const dealii::Mapping<dim, dim>          &mapping,
                     const dealii::DoFHandler<dim, dim>       &dof,
                     unsigned int                              degree,
                     const dealii::PETScWrappers::MPI::Vector &solution,
                     dealii::Vector<float>                    &indicators);

    /**
     * @brief A physics' history vectors (the ghosted vectors that a step needs from earlier steps),
     * grouped by DoFHandler, carried to a new mesh: through an adaptation (prepare_adaptation(), the
     * Simulation refines, the physics distributes its DoFs, finish_adaptation()) and through a
     * checkpoint (prepare_serialization() before the triangulation is saved, finish_serialization()
     * after; deserialize() after a load and the physics' set-up of DoFs). The order of add() is the
     * order in which a checkpoint stores the vectors.
     */
    template <int dim>
    class HistoryTransfer
    {
    public:
      HistoryTransfer();
      ~HistoryTransfer();

      /**
       * @brief Adds the ghosted history @p vectors of @p dof; after an adaptation their interpolated
       * values are made to satisfy @p hanging (the hanging-node constraints of the new mesh).
       */
      void
      add(const dealii::DoFHandler<dim, dim>                      &dof,
          const std::vector<dealii::PETScWrappers::MPI::Vector *> &vectors,
          const dealii::AffineConstraints<double>                 &hanging);

      /**
       * @brief Marks the cells of @p triangulation from @p indicators, prepares the refinement and
       * attaches the vectors of add() for their transfer. The caller then refines.
       */
      void
      prepare_adaptation(dealii::parallel::distributed::Triangulation<dim, dim> &triangulation,
                         const dealii::Vector<float>                            &indicators,
                         const AdaptivityParameters                             &adaptivity);

      /** @brief After the refinement and the new DoFs: interpolates the vectors onto the new mesh. */
      void
      finish_adaptation();

      /** @brief Attaches the vectors to the triangulation, which the checkpoint saves next. */
      void
      prepare_serialization();

      /** @brief Releases what prepare_serialization() attached. */
      void
      finish_serialization();

      /** @brief After a load of the triangulation and the new DoFs: reads the vectors back. */
      void
      deserialize();

    private:
      struct Group;
      std::vector<std::unique_ptr<Group>> groups;
      template <typename Read>
      void
      read_back(const Read &read, bool distribute);
    };

    /**
     * @brief Adds the cell fields "subdomain" (the owning rank) and "level" (the refinement level)
     * to @p data_out; @p subdomain and @p level hold them and must live until the patches are built.
     */
    template <int dim>
    void
    add_subdomain_and_level(const dealii::parallel::distributed::Triangulation<dim, dim> &triangulation,
                            dealii::DataOut<dim, dim>                                    &data_out,
                            dealii::Vector<float>                                        &subdomain,
                            dealii::Vector<float>                                        &level);

    /**
     * @brief The smallest distance between two vertices of @p cell as @p mapping places them (the moved
     * mesh's cell size; the same as cell->minimum_vertex_distance() on a fixed mesh).
     */
    template <int dim, typename Iterator>
    double
    minimum_vertex_distance(const dealii::Mapping<dim, dim> &mapping, const Iterator &cell)
    {
      const auto vertices = mapping.get_vertices(cell);
      double     h        = std::numeric_limits<double>::max();
      for (unsigned int v = 0; v < vertices.size(); ++v)
        for (unsigned int u = v + 1; u < vertices.size(); ++u)
          h = std::min(h, vertices[v].distance(vertices[u]));
      return h;
    }

    /**
     * @brief The mesh velocity w of the mesh mover at the quadrature points of a cell, for the ALE
     * convection (velocity - w). Inactive (active() false, no cost) on a mesh that never moves.
     */
    template <int dim>
    class MeshVelocityValues
    {
    public:
      /** @brief For the mover's current mapping and @p quadrature (the physics' cell quadrature). */
      MeshVelocityValues(const MeshMover<dim> &mover, const dealii::Quadrature<dim> &quadrature);
      ~MeshVelocityValues();

      /** @brief Whether the mesh moves (the mover has a mesh velocity). */
      bool
      active() const
      {
        return fe_values != nullptr;
      }

      /** @brief w at the quadrature points of the active cell (@p level, @p index) into @p w. */
      void
      get(int level, int index, std::vector<dealii::Tensor<1, dim>> &w);

    private:
      const MeshMover<dim>                       &mover;
      std::unique_ptr<dealii::FEValues<dim, dim>> fe_values;
    };
  } // namespace physics_tools
} // namespace hyfe
