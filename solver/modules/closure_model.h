#pragma once

#include <deal.II/base/point.h>
#include <deal.II/base/tensor.h>

#include <mpi.h>

#include <memory>
#include <string>
#include <vector>

#include "solver/core/module.h"

namespace dealii
{
  class ParameterHandler;
}

namespace hyfe
{
  /**
   * @brief What a closure model reads beyond what every model gets (velocity gradients, filter widths,
   * quadrature weights and cells), after ASPECT's MaterialModelInputs: the physics fills only what the
   * run's models ask for.
   */
  struct ClosureNeeds
  {
    bool positions  = false; ///< the quadrature points
    bool velocities = false; ///< the (extrapolated) velocity at the points

    /** @brief What either needs. */
    ClosureNeeds
    operator|(const ClosureNeeds &other) const
    {
      return {positions || other.positions, velocities || other.velocities};
    }
  };

  /**
   * @brief The inputs of one evaluation of a closure model: every quadrature point of the rank's
   * locally owned cells, cell by cell (points_per_cell points each, in the physics' cell order).
   */
  template <int dim>
  struct ClosureInputs
  {
    MPI_Comm     comm = MPI_COMM_SELF; ///< for models that average over the ranks (every rank calls)
    unsigned int points_per_cell = 0;  ///< quadrature points per cell
    double       viscosity       = 0.; ///< the molecular kinematic viscosity nu (length^2/time)
    double       time            = 0.; ///< time of the velocity (case time units)
    /// g_ij = du_i/dx_j of the extrapolated velocity (1/time), one per point
    std::vector<dealii::Tensor<2, dim>> velocity_gradients;
    std::vector<double>                 filter_widths; ///< Delta (length), one per point
    std::vector<double>                 weights;       ///< JxW (length^dim), one per point
    std::vector<unsigned int>           cells;         ///< active_cell_index() of each cell
    std::vector<double>                 cell_sizes;    ///< |K|^(1/dim) through the mapping, one per cell
    std::vector<dealii::Point<dim>>     positions;     ///< only if asked for (ClosureNeeds)
    std::vector<dealii::Tensor<1, dim>> velocities;    ///< only if asked for (ClosureNeeds)

    /** @brief The number of points. */
    std::size_t
    size() const
    {
      return velocity_gradients.size();
    }
  };

  /**
   * @brief A closure model (LES eddy viscosity): from the inputs at every quadrature point of the rank
   * it returns the eddy viscosity nu_t (length^2/time), in one batched call per rank per step.
   *
   * The physics calls evaluate(), which times the model, and around it gives every closure system two
   * services, set in the `closure model` subsection (shared with the preconditioners, GuardShadow):
   * - the guard of a learned module (guarded() is true): at every point where its nu_t is not finite,
   *   negative, or above `guard bound` times the larger of the fallback's nu_t and nu, the classical
   *   `fallback` model's nu_t is used; points and steps with fallbacks are counted (stats.csv, summary),
   *   and a model that throws falls back at every point of the rank;
   * - shadow mode: every `shadow interval` steps the fallback is evaluated at the same points, and both
   *   SGS dissipations, the mean and largest difference and the correlation go into stats.csv; the cell
   *   averages of the difference are the output field `nu_t_shadow_difference`.
   * Statistics of every active model: the mean (volume-weighted) and largest nu_t, the largest nu_t/nu,
   * the SGS dissipation int 2 nu_t |eps(u)|^2 and the model's wall time.
   */
  template <int dim>
  class ClosureModel : public ModuleBase
  {
  public:
    /** @brief Name of the module system, as in the parameter file and --list-modules. */
    static constexpr const char *system_name = "closure model";

    ClosureModel();
    ~ClosureModel() override;

    /** @brief Declares `type`, every module's subsection, the filter width and the guard and shadow entries.
     */
    static void
    declare_system(dealii::ParameterHandler &prm);

    /** @brief Creates the module chosen by `type`, with its fallback, from the current subsection. */
    static std::unique_ptr<ClosureModel<dim>>
    create(dealii::ParameterHandler &prm);

    /** @brief The filter width Delta of a cell of size |K|^(1/dim) = @p cell_size for elements of @p degree.
     */
    double
    filter_width(double cell_size, unsigned int degree) const;

    /** @brief What this module and its fallback need. */
    ClosureNeeds
    all_needs() const;

    /**
     * @brief nu_t at every point of @p inputs (guarded and shadowed as described above). Collective: every
     * rank calls it. With @p record false (an extra evaluation, e.g. for output after an adaptation), the
     * step's statistics and counts are left alone.
     */
    void
    evaluate(const ClosureInputs<dim> &inputs, std::vector<double> &nu_t, bool record = true);

    /** @brief Whether nu_t can be non-zero (false lets the physics skip the closure's work). */
    virtual bool
    is_active() const
    {
      return true;
    }

    void
    reinit(const StateView &state) override;
    void
    update(const StepInfo &step, const StateView &state) override;
    std::vector<std::pair<std::string, double>>
    statistics() const override;
    std::vector<std::pair<std::string, double>>
    summary() const override;
    void
    before_adaptation(const StateView &state) override;
    void
    add_output_fields(OutputFields &fields) const override;

  protected:
    /** @brief What the model reads beyond the standard inputs. */
    virtual ClosureNeeds
    needs() const
    {
      return {};
    }

    /** @brief The model: nu_t at every point of @p inputs (@p nu_t is resized to match). */
    virtual void
    compute(const ClosureInputs<dim> &inputs, std::vector<double> &nu_t) = 0;

    /** @brief Whether the guard applies to this module (learned modules). */
    virtual bool
    guarded() const
    {
      return false;
    }

  private:
    /** @brief Records the communicator and the number of active cells of the current mesh. */
    void
    track_mesh(const StateView &state);

    struct Services;
    std::unique_ptr<Services> services;
  };

  /** @brief Registration of the classical closure models (called by register_classical_modules()). */
  void
  register_closure_models();
} // namespace hyfe
