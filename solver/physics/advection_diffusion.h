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
   * @brief Scalar advection-diffusion-reaction, dc/dt + b.grad c - div(kappa grad c) + sigma c = f,
   * with SUPG, Q1/Q2 elements, BDF1/BDF2/Crank-Nicolson and Dirichlet/Neumann conditions on lists
   * of boundary ids. Parameters in `subsection advection diffusion`.
   */
  namespace advection_diffusion
  {
    /** @brief Declares `subsection advection diffusion`. */
    void
    declare_parameters(dealii::ParameterHandler &prm);

    /** @brief Creates the physics from the parsed parameters. */
    template <int dim>
    std::unique_ptr<Physics<dim>>
    create(dealii::ParameterHandler &prm, const SimulationContext<dim> &context);
  } // namespace advection_diffusion
} // namespace hyfe
