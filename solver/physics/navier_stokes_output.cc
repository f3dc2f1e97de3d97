/**
 * @file
 * @brief Navier-Stokes: the vtu output: velocity, pressure, vorticity, the eddy viscosity, mesh fields and
 * the modules' fields.
 */

#include <deal.II/base/quadrature_lib.h>
#include <deal.II/numerics/data_out.h>
#include <deal.II/numerics/data_postprocessor.h>

#include "solver/modules/closure_model.h"
#include "solver/modules/mesh_mover.h"
#include "solver/physics/module_output.h"
#include "solver/physics/navier_stokes_impl.h"

namespace hyfe
{
  namespace navier_stokes
  {
    namespace
    {
      /** Vorticity: a scalar in 2D, a vector in 3D. */
      template <int dim>
      class Vorticity : public DataPostprocessor<dim>
      {
      public:
        void
        evaluate_vector_field(const DataPostprocessorInputs::Vector<dim> &inputs,
                              std::vector<Vector<double>>                &computed) const override
        {
          for (unsigned int q = 0; q < inputs.solution_gradients.size(); ++q)
            {
              const auto &g = inputs.solution_gradients[q];
              if constexpr (dim == 2)
                computed[q](0) = g[1][0] - g[0][1];
              else
                {
                  computed[q](0) = g[2][1] - g[1][2];
                  computed[q](1) = g[0][2] - g[2][0];
                  computed[q](2) = g[1][0] - g[0][1];
                }
            }
        }
        std::vector<std::string>
        get_names() const override
        {
          return std::vector<std::string>(dim == 2 ? 1 : dim, "vorticity");
        }
        std::vector<DataComponentInterpretation::DataComponentInterpretation>
        get_data_component_interpretation() const override
        {
          return std::vector<DataComponentInterpretation::DataComponentInterpretation>(
            dim == 2 ? 1 : dim,
            dim == 2 ? DataComponentInterpretation::component_is_scalar
                     : DataComponentInterpretation::component_is_part_of_vector);
        }
        UpdateFlags
        get_needed_update_flags() const override
        {
          return update_gradients;
        }
      };
    } // namespace

    template <int dim>
    void
    NavierStokes<dim>::write_output(VtuWriter &writer, const double time, const OutputFields &module_fields)
    {
      DataOut<dim> data_out;
      data_out.attach_triangulation(context.triangulation);
      data_out.add_data_vector(dof_u,
                               u_n,
                               std::vector<std::string>(dim, "velocity"),
                               std::vector<DataComponentInterpretation::DataComponentInterpretation>(
                                 dim, DataComponentInterpretation::component_is_part_of_vector));
      data_out.add_data_vector(dof_p, p_n, "pressure");
      const Vorticity<dim> vorticity;
      data_out.add_data_vector(dof_u, u_n, vorticity);

      Vector<float> subdomain, level;
      physics_tools::add_subdomain_and_level(context.triangulation, data_out, subdomain, level);
      Vector<float>                            nu_t_cells(context.triangulation.n_active_cells());
      std::vector<std::unique_ptr<Vector_t>>   module_vectors;
      std::map<std::string, OutputTarget<dim>> targets{{"velocity", {&dof_u, &owned_u, &relevant_u, dim}},
                                                       {"pressure", {&dof_p, &owned_p, &relevant_p, 1}}};
      add_mesh_target(targets, context.mesh_mover);
      add_module_fields<dim>(data_out, module_fields, targets, context.comm, module_vectors);
      // nu_t, averaged per cell
      if (context.closure_model.is_active())
        {
          const std::vector<double> &nu_t = current_eddy_viscosity(time);
          const unsigned int         n_q  = QGauss<dim>(degree + 1).size();
          std::size_t                k    = 0;
          for (const auto &cell : context.triangulation.active_cell_iterators())
            if (cell->is_locally_owned())
              {
                double s = 0;
                for (unsigned int q = 0; q < n_q; ++q)
                  s += nu_t[k++];
                nu_t_cells(cell->active_cell_index()) = s / n_q;
              }
        }
      data_out.add_data_vector(nu_t_cells, "nu_t");

      DataOutBase::VtkFlags flags;
      flags.time                     = time;
      flags.cycle                    = writer.n_records();
      flags.write_higher_order_cells = true;
      data_out.set_flags(flags);
      data_out.build_patches(context.mesh_mover.mapping(), degree, DataOut<dim>::curved_inner_cells);
      writer.write(data_out, time);
    }

    template void
    NavierStokes<2>::write_output(VtuWriter &writer, const double time, const OutputFields &module_fields);
    template void
    NavierStokes<3>::write_output(VtuWriter &writer, const double time, const OutputFields &module_fields);
  } // namespace navier_stokes
} // namespace hyfe
