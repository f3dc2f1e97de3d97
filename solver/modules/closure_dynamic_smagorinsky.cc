/**
 * @file
 * @brief The dynamic Smagorinsky model (Germano, Piomelli, Moin, Cabot 1991, with Lilly's 1992 least
 * squares): nu_t = C Delta^2 |S| with C = <L:M> / <M:M> from the Germano identity between the grid
 * filter (Delta) and a test filter.
 *
 * The test filter is the cell average: the JxW-weighted mean over the cell's quadrature points, a box
 * filter of width |K|^(1/d) (the cell size), which removes the within-cell polynomial part of the FE
 * field. With ^ that average, L = (u u)^ - u^ u^ (the resolved stress between the two levels) and
 * M = 2 ((Delta^2 |S| S)^ - |K|^(2/d) |S^| S^) (S^ the strain of the averaged gradient). <.> averages
 * L:M and M:M over each cell (`averaging = cell`, for inhomogeneous flows) or over the whole domain
 * (`global`, for homogeneous ones); C is clipped to [0, `maximum coefficient`].
 */
#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>

#include <algorithm>

#include "solver/core/registry.h"
#include "solver/modules/closure_kinematics.h"

namespace hyfe
{
  namespace
  {
    /** @brief Germano-Lilly dynamic Smagorinsky with a cell-average test filter. */
    template <int dim>
    class DynamicSmagorinsky : public ClosureModel<dim>
    {
    public:
      /** @brief Averaging and clipping. */
      static void
      declare_parameters(dealii::ParameterHandler &prm)
      {
        prm.declare_entry("averaging",
                          "cell",
                          dealii::Patterns::Selection("cell|global"),
                          "Where Lilly's least-squares coefficient C = <L:M>/<M:M> is averaged: over each "
                          "cell (inhomogeneous flows) or over the whole domain (homogeneous flows, such as "
                          "decaying turbulence). Unitless.");
        prm.declare_entry("maximum coefficient",
                          "0.09",
                          dealii::Patterns::Double(0., 1.),
                          "C = C_s^2 is clipped to [0, this]; 0.09 is C_s = 0.3, about twice Lilly's "
                          "inertial-range value. Unitless, in [0, 1].");
      }

      /** @brief Reads the options. */
      explicit DynamicSmagorinsky(dealii::ParameterHandler &prm)
          : global(prm.get("averaging") == "global")
          , c_max(prm.get_double("maximum coefficient"))
      {
      }

    protected:
      ClosureNeeds
      needs() const override
      {
        return {false, true};
      }

      void
      compute(const ClosureInputs<dim> &in, std::vector<double> &nu_t) override
      {
        using dealii::Tensor;
        const unsigned int  m       = in.points_per_cell;
        const std::size_t   n_cells = in.cells.size();
        std::vector<double> lm(n_cells), mm(n_cells), base(in.size());
        for (std::size_t c = 0; c < n_cells; ++c)
          {
            double       volume = 0.;
            Tensor<1, 3> u_hat;
            Tensor<2, 3> uu_hat, g_hat, p_hat;
            for (unsigned int q = c * m; q < (c + 1) * m; ++q)
              {
                const double       w = in.weights[q];
                const Tensor<2, 3> g = closure::embed(in.velocity_gradients[q]);
                Tensor<1, 3>       u;
                for (unsigned int i = 0; i < dim; ++i)
                  u[i] = in.velocities[q][i];
                const double s = closure::strain_magnitude(g);
                base[q]        = in.filter_widths[q] * in.filter_widths[q] * s;
                volume += w;
                u_hat += w * u;
                uu_hat += w * dealii::outer_product(u, u);
                g_hat += w * g;
                p_hat += w * base[q] * Tensor<2, 3>(closure::strain(g));
              }
            u_hat /= volume;
            uu_hat /= volume;
            g_hat /= volume;
            p_hat /= volume;
            const Tensor<2, 3> L     = uu_hat - dealii::outer_product(u_hat, u_hat);
            const double       width = in.cell_sizes[c];
            const Tensor<2, 3> M     = 2. * (p_hat - width * width * closure::strain_magnitude(g_hat) *
                                                   Tensor<2, 3>(closure::strain(g_hat)));
            lm[c]                    = dealii::scalar_product(L, M) * volume;
            mm[c]                    = dealii::scalar_product(M, M) * volume;
          }
        std::vector<double> coefficient(n_cells);
        if (global)
          {
            std::vector<double> total{0., 0.};
            for (std::size_t c = 0; c < n_cells; ++c)
              total[0] += lm[c], total[1] += mm[c];
            dealii::Utilities::MPI::sum(total, in.comm, total);
            coefficient.assign(n_cells, total[1] > 0. ? total[0] / total[1] : 0.);
          }
        else
          for (std::size_t c = 0; c < n_cells; ++c)
            coefficient[c] = mm[c] > 0. ? lm[c] / mm[c] : 0.;
        nu_t.resize(in.size());
        for (std::size_t c = 0; c < n_cells; ++c)
          {
            const double C = std::clamp(coefficient[c], 0., c_max);
            for (unsigned int q = c * m; q < (c + 1) * m; ++q)
              nu_t[q] = C * base[q];
          }
      }

    private:
      const bool   global;
      const double c_max;
    };
  } // namespace

  /** @brief Registration (called by register_closure_models()). */
  void
  register_dynamic_smagorinsky()
  {
    register_dim_module<ClosureModel, DynamicSmagorinsky>(
      "dynamic-smagorinsky",
      ModuleKind::classical,
      "dynamic Smagorinsky (Germano-Lilly), cell-average test filter, C clipped >= 0");
  }
} // namespace hyfe
