/**
 * @file
 * @brief The closure `training-data`: no eddy viscosity (nu_t = 0, a resolved run), but every `interval`
 * steps it writes the cell integrals of the resolved velocity u, of u_i u_j and of grad u over each
 * locally owned cell, from which learned/training/closure_data.py forms the box-filtered fields and the
 * subfilter stress tau_ij = bar(u_i u_j) - bar(u_i) bar(u_j) on a coarser (LES) mesh.
 *
 * One CSV file per rank and record, `<directory>/step-<step>.rank-<rank>.csv`, with the columns
 * time, volume, the cell's centroid x_k, the averages u_i, uu_ij (i <= j) and g_ij = du_i/dx_j (the
 * velocity the physics hands to every closure: extrapolated to the new time level). The Gauss rule of
 * the physics (k + 1 points per direction) integrates u_i u_j of Q_k exactly on affine cells.
 */
#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/utilities.h>

#include <filesystem>
#include <fstream>
#include <iomanip>

#include "solver/core/exceptions.h"
#include "solver/core/parameters.h"
#include "solver/core/registry.h"
#include "solver/modules/closure_model.h"

namespace hyfe
{
  namespace
  {
    /** @brief nu_t = 0, with cell integrals written for the training of learned closures. */
    template <int dim>
    class TrainingData : public ClosureModel<dim>
    {
    public:
      /** @brief The folder, the interval and the first time. */
      static void
      declare_parameters(dealii::ParameterHandler &prm)
      {
        prm.declare_entry("directory",
                          "training-data",
                          dealii::Patterns::FileName(),
                          "Folder of the CSV files (one per rank and record), relative to the parameter "
                          "file's folder; created if it does not exist. A path.");
        prm.declare_entry("interval",
                          "10",
                          dealii::Patterns::Integer(1),
                          "Steps between records. Steps, >= 1.");
        prm.declare_entry("start time",
                          "0",
                          dealii::Patterns::Double(0.),
                          "No record before this time. Case time units, >= 0.");
      }

      /** @brief Reads the entries. */
      explicit TrainingData(dealii::ParameterHandler &prm)
          : directory(resolve_path(parameter_file_folder(), prm.get("directory")))
          , interval(prm.get_integer("interval"))
          , start_time(prm.get_double("start time"))
      {
      }

      void
      update(const StepInfo &step, const StateView &state) override
      {
        ClosureModel<dim>::update(step, state);
        current_step = step.step;
      }

      std::vector<std::string>
      description() const override
      {
        return {"training-data: nu_t = 0; cell integrals every " + std::to_string(interval) +
                " steps from t = " + dealii::Utilities::to_string(start_time) + " into " + directory};
      }

    protected:
      ClosureNeeds
      needs() const override
      {
        return {true, true};
      }

      void
      compute(const ClosureInputs<dim> &in, std::vector<double> &nu_t) override
      {
        nu_t.assign(in.size(), 0.);
        if (current_step == recorded_step || current_step % interval != 0 || in.time < start_time)
          return;
        recorded_step                = current_step;
        const unsigned int rank      = dealii::Utilities::MPI::this_mpi_process(in.comm);
        const std::string  file_name = directory + "/step-" +
                                      dealii::Utilities::int_to_string(current_step, 6) + ".rank-" +
                                      dealii::Utilities::int_to_string(rank, 4) + ".csv";
        std::error_code error;
        std::filesystem::create_directories(directory, error);
        std::ofstream out(file_name);
        if (!out)
          throw RunError("closure model 'training-data': cannot write '" + file_name + "'");
        out << "time,volume";
        const char *axis = "xyz";
        for (unsigned int i = 0; i < dim; ++i)
          out << ',' << axis[i];
        for (unsigned int i = 0; i < dim; ++i)
          out << ",u" << i;
        for (unsigned int i = 0; i < dim; ++i)
          for (unsigned int j = i; j < dim; ++j)
            out << ",uu" << i << j;
        for (unsigned int i = 0; i < dim; ++i)
          for (unsigned int j = 0; j < dim; ++j)
            out << ",g" << i << j;
        out << '\n' << std::setprecision(12);
        const unsigned int m = in.points_per_cell;
        for (std::size_t c = 0; c < in.cells.size(); ++c)
          {
            double                 volume = 0.;
            dealii::Tensor<1, dim> x, u;
            dealii::Tensor<2, dim> uu, g;
            for (unsigned int q = c * m; q < (c + 1) * m; ++q)
              {
                const double w = in.weights[q];
                volume += w;
                x += w * in.positions[q];
                u += w * in.velocities[q];
                uu += w * dealii::outer_product(in.velocities[q], in.velocities[q]);
                g += w * in.velocity_gradients[q];
              }
            out << in.time << ',' << volume;
            for (unsigned int i = 0; i < dim; ++i)
              out << ',' << x[i] / volume;
            for (unsigned int i = 0; i < dim; ++i)
              out << ',' << u[i] / volume;
            for (unsigned int i = 0; i < dim; ++i)
              for (unsigned int j = i; j < dim; ++j)
                out << ',' << uu[i][j] / volume;
            for (unsigned int i = 0; i < dim; ++i)
              for (unsigned int j = 0; j < dim; ++j)
                out << ',' << g[i][j] / volume;
            out << '\n';
          }
      }

    private:
      const std::string  directory;
      const unsigned int interval;
      const double       start_time;
      unsigned int       current_step  = 0;
      unsigned int       recorded_step = static_cast<unsigned int>(-1);
    };
  } // namespace

  /** @brief Registration (called by register_closure_models()). */
  void
  register_training_data_closure()
  {
    register_dim_module<ClosureModel, TrainingData>(
      "training-data",
      ModuleKind::classical,
      "nu_t = 0 (a resolved run) that writes cell integrals of u, u u and grad u for learned/training");
  }
} // namespace hyfe
