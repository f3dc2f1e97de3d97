#pragma once

/**
 * @file
 * @brief Kinematic quantities of a velocity gradient that the closure models share. A 2-D gradient is
 * embedded in 3-D (third row and column zero), so that every model has one 3-D definition.
 */

#include <deal.II/base/symmetric_tensor.h>
#include <deal.II/base/tensor.h>

#include <cmath>
#include <vector>

#include "solver/modules/closure_model.h"

namespace hyfe
{
  namespace closure
  {
    /** @brief g_ij = du_i/dx_j embedded in 3-D. */
    template <int dim>
    inline dealii::Tensor<2, 3>
    embed(const dealii::Tensor<2, dim> &g)
    {
      dealii::Tensor<2, 3> G;
      for (unsigned int i = 0; i < dim; ++i)
        for (unsigned int j = 0; j < dim; ++j)
          G[i][j] = g[i][j];
      return G;
    }

    /** @brief The strain rate S = (g + g^T) / 2. */
    inline dealii::SymmetricTensor<2, 3>
    strain(const dealii::Tensor<2, 3> &g)
    {
      return dealii::symmetrize(g);
    }

    /** @brief |S| = sqrt(2 S:S). */
    inline double
    strain_magnitude(const dealii::Tensor<2, 3> &g)
    {
      const auto S = strain(g);
      return std::sqrt(2. * (S * S));
    }

    /**
     * @brief nu_t[q] = @p model(G, Delta) at every point of @p in, G the 3-D embedded velocity gradient and
     * Delta the filter width: the loop of every pointwise model.
     */
    template <int dim, typename Model>
    inline void
    pointwise(const ClosureInputs<dim> &in, std::vector<double> &nu_t, const Model &model)
    {
      nu_t.resize(in.size());
      for (std::size_t q = 0; q < in.size(); ++q)
        nu_t[q] = model(embed(in.velocity_gradients[q]), in.filter_widths[q]);
    }
  } // namespace closure
} // namespace hyfe
