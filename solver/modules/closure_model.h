#pragma once

#include <deal.II/base/tensor.h>

#include <vector>

#include "solver/core/module.h"

namespace hyfe
{
  /**
   * @brief A closure model (LES eddy viscosity): from the resolved velocity gradient and the local
   * cell size at every quadrature point of the rank it returns the eddy viscosity, in one batched
   * call per rank per step.
   */
  template <int dim>
  class ClosureModel : public ModuleBase
  {
  public:
    /** @brief Name of the module system, as in the parameter file and --list-modules. */
    static constexpr const char *system_name = "closure model";

    /**
     * @brief Computes nu_t (length^2/time) at every point: @p velocity_gradients (1/time) and
     * @p cell_sizes (length) have one entry per point; @p nu_t is resized to match.
     */
    virtual void
    compute_eddy_viscosity(const std::vector<dealii::Tensor<2, dim>> &velocity_gradients,
                           const std::vector<double>                 &cell_sizes,
                           std::vector<double>                       &nu_t) = 0;

    /** @brief Whether nu_t can be non-zero (false lets the physics skip the closure's work). */
    virtual bool
    is_active() const
    {
      return true;
    }
  };

  /** @brief Registration of the classical closure models (called by register_classical_modules()). */
  void
  register_closure_models();
} // namespace hyfe
