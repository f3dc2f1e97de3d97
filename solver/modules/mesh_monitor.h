#pragma once

#include <deal.II/base/point.h>
#include <deal.II/lac/petsc_vector.h>

#include <memory>
#include <string>
#include <vector>

#include "solver/core/module_state.h"

namespace dealii
{
  class ParameterHandler;
  template <int dim>
  class FunctionParser;
  template <int dim, int spacedim>
  class Mapping;
} // namespace dealii

namespace hyfe
{
  /** @brief The cell of @p handler that is @p cell, a cell of another DoF handler on the same mesh. */
  template <int dim, typename Iterator>
  typename dealii::DoFHandler<dim, dim>::active_cell_iterator
  cell_of(const Iterator &cell, const dealii::DoFHandler<dim, dim> &handler)
  {
    return typename dealii::DoFHandler<dim, dim>::active_cell_iterator(&handler.get_triangulation(),
                                                                       cell->level(),
                                                                       cell->index(),
                                                                       &handler);
  }

  /**
   * @brief The monitor m >= 1 of r-adaptivity, whose large values attract cells: 'hessian' m = 1 + alpha
   * |H(u)| / max |H(u)| (Frobenius norm), 'gradient' the same with |grad u|, or 'function' m(x, t) given.
   * u is a field of the physics, recovered on the current mesh by a double lumped L2 projection (nodal
   * values on a scalar FE_Q DoF handler, evaluated at other points by remote point evaluation through
   * the current mapping), or an expression (central differences at any point). Used by `monge-ampere`.
   */
  template <int dim>
  class MeshMonitor
  {
  public:
    /** @brief Declares `monitor`, `alpha`, `field`, `expression` and `function constants`. */
    static void
    declare_parameters(dealii::ParameterHandler &prm);

    /** @brief Reads the entries; @p section ("mesh mover/monge-ampere/") names them in errors. */
    MeshMonitor(const dealii::ParameterHandler &prm, const std::string &section);
    ~MeshMonitor();

    /** @brief Whether u is a field of the physics (otherwise m is known at every point). */
    bool
    from_field() const
    {
      return type != "function" && field_name != "expression";
    }

    /** @brief Throws an InputError naming the entry, the value and the valid fields if the field is missing.
     */
    void
    check_field(const SimulationState<dim> &state) const;

    /** @brief Whether the physics has the field now (not right after an adaptation). */
    bool
    field_available(const SimulationState<dim> &state) const;

    /**
     * @brief The monitor of time @p time: for an expression, its normalisation (the largest norm at the
     * quadrature points of @p nodes' cells through @p reference); for a field of @p state, the nodal
     * monitor on @p nodes (a scalar FE_Q DoF handler) on the mesh of @p current. @p length is the domain's
     * size (the finite-difference step is 1e-4 of it).
     */
    void
    prepare(double                              time,
            const SimulationState<dim>         *state,
            const dealii::DoFHandler<dim, dim> &nodes,
            const dealii::Mapping<dim, dim>    &reference,
            const dealii::Mapping<dim, dim>    &current,
            double                              length);

    /** @brief m at the physical point @p x (expression and function monitors). */
    double
    operator()(const dealii::Point<dim> &x) const;

    /**
     * @brief The field monitor at @p points (collective: remote point evaluation on the mesh of
     * @p current); where a point is not found (off the boundary by round-off), @p fallback of it.
     */
    std::vector<double>
    at_points(const std::vector<dealii::Point<dim>> &points,
              const std::vector<double>             &fallback,
              const dealii::Mapping<dim, dim>       &current) const;

    /** @brief The nodal field monitor of the last prepare() (ghosted, on its DoF handler). */
    const dealii::PETScWrappers::MPI::Vector &
    nodal() const
    {
      return nodal_monitor;
    }

  private:
    /** s(x) of the expression u: the Frobenius norm of its Hessian or the norm of its gradient. */
    double
    expression_norm(const dealii::Point<dim> &x) const;

    std::string                                  type, field_name, section;
    double                                       alpha = 5., max_norm = 0., length = 1.;
    std::unique_ptr<dealii::FunctionParser<dim>> expression;
    const dealii::DoFHandler<dim, dim>          *nodes = nullptr;
    dealii::PETScWrappers::MPI::Vector           nodal_monitor;
  };
} // namespace hyfe
