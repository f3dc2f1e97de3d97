#pragma once

#include <deal.II/base/point.h>
#include <deal.II/base/types.h>

#include <mpi.h>

#include <string>
#include <utility>
#include <vector>

namespace dealii
{
  template <int dim, typename Number>
  class Function;
  template <int dim, int spacedim>
  class Triangulation;
} // namespace dealii

namespace hyfe
{
  /** @brief What a data expression must satisfy besides being finite. */
  enum class Sign
  {
    any,
    non_negative,
    positive
  };

  /** @brief A data expression of the parameter file, to be checked on the mesh before the first step. */
  template <int dim>
  struct DataExpression
  {
    /** @brief @p function (nullptr: nothing to check) of entry @p entry, with its conditions. */
    DataExpression(dealii::Function<dim, double>          *function,
                   std::string                             entry,
                   Sign                                    sign         = Sign::any,
                   bool                                    initial_only = false,
                   std::vector<dealii::types::boundary_id> boundary_ids = {})
        : function(function)
        , entry(std::move(entry))
        , sign(sign)
        , initial_only(initial_only)
        , boundary_ids(std::move(boundary_ids))
    {
    }

    dealii::Function<dim, double>          *function;     ///< its time is restored after the check
    std::string                             entry;        ///< full entry name, for the message
    Sign                                    sign;         ///< besides being finite
    bool                                    initial_only; ///< only at the start time
    std::vector<dealii::types::boundary_id> boundary_ids; ///< empty: the whole domain
  };

  /**
   * @brief Evaluates every expression at the vertices and centres of the active cells of
   * @p triangulation (only the locally owned ones if @p owned_only; for a boundary expression the
   * vertices and centres of the faces with its ids) at the times @p times, and throws InputError
   * naming the entry, the point, the time and the value where one is not finite or breaks its sign.
   */
  template <int dim>
  void
  check_data_on_mesh(const dealii::Triangulation<dim, dim>  &triangulation,
                     const std::vector<DataExpression<dim>> &data,
                     const std::vector<double>              &times,
                     bool                                    owned_only);

  /**
   * @brief Refuses a mesh that cannot fit: @p n_cells active cells with about @p dofs_per_cell DoFs
   * each, against the memory of the nodes of @p comm (collective). Throws InputError naming
   * 'mesh/global refinements' with the estimate of cells, DoFs and memory.
   */
  void
  check_problem_size(double n_cells, double dofs_per_cell, unsigned int global_refinements, MPI_Comm comm);

  /**
   * @brief Throws InputError naming @p entry if @p point lies in no cell of @p triangulation (all of
   * whose cells every rank knows: the coarse mesh), up to a relative tolerance.
   */
  template <int dim>
  void
  check_point_in_mesh(const dealii::Triangulation<dim, dim> &triangulation,
                      const dealii::Point<dim>              &point,
                      const std::string                     &entry);
} // namespace hyfe
