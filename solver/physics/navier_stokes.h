#pragma once

#include <memory>

#include "solver/physics/physics.h"

namespace dealii
{
  class ParameterHandler;
}

namespace hyfe
{
  /**
   * @brief Incompressible Navier-Stokes, du/dt + (u.grad)u - div((nu + nu_t) grad u) + grad p = f,
   * div u = 0: Taylor-Hood elements, BDF2 with extrapolated convection and the rotational incremental
   * pressure correction (Guermond, Minev, Shen 2006). Parameters in `subsection navier stokes`.
   */
  namespace navier_stokes
  {
    /** @brief Declares `subsection navier stokes`. */
    void
    declare_parameters(dealii::ParameterHandler &prm);

    /** @brief Creates the physics from the parsed parameters. */
    template <int dim>
    std::unique_ptr<Physics<dim>>
    create(dealii::ParameterHandler &prm, const SimulationContext<dim> &context);
  } // namespace navier_stokes
} // namespace hyfe
