#include "solver/physics/module_output.h"

#include <stdexcept>

namespace hyfe
{
  template <int dim>
  void
  add_module_fields(dealii::DataOut<dim>                                             &data_out,
                    const OutputFields                                               &fields,
                    const std::map<std::string, OutputTarget<dim>>                   &targets,
                    MPI_Comm                                                          comm,
                    std::vector<std::unique_ptr<dealii::PETScWrappers::MPI::Vector>> &storage)
  {
    for (const auto &f : fields.dof_vectors)
      {
        const auto target = targets.find(f.field);
        if (target == targets.end())
          throw std::logic_error("output field '" + f.name + "' on the unknown field '" + f.field + "'");
        const OutputTarget<dim>                  &t      = target->second;
        const dealii::PETScWrappers::MPI::Vector *vector = f.vector;
        if (t.owned) // else the vector is ghosted already
          {
            storage.push_back(
              std::make_unique<dealii::PETScWrappers::MPI::Vector>(*t.owned, *t.relevant, comm));
            if (f.vector)
              *storage.back() = *f.vector;
            vector = storage.back().get();
          }
        else if (!vector)
          throw std::logic_error("output field '" + f.name + "' without a vector");
        const auto &ghosted = *vector;
        if (t.n_components > 1)
          data_out.add_data_vector(
            *t.dof_handler,
            ghosted,
            std::vector<std::string>(t.n_components, f.name),
            std::vector<dealii::DataComponentInterpretation::DataComponentInterpretation>(
              t.n_components, dealii::DataComponentInterpretation::component_is_part_of_vector));
        else
          data_out.add_data_vector(*t.dof_handler, ghosted, f.name);
      }
    for (const auto &[name, v] : fields.cell_vectors)
      data_out.add_data_vector(*v, name);
  }

  template void
  add_module_fields<2>(dealii::DataOut<2> &,
                       const OutputFields &,
                       const std::map<std::string, OutputTarget<2>> &,
                       MPI_Comm,
                       std::vector<std::unique_ptr<dealii::PETScWrappers::MPI::Vector>> &);
  template void
  add_module_fields<3>(dealii::DataOut<3> &,
                       const OutputFields &,
                       const std::map<std::string, OutputTarget<3>> &,
                       MPI_Comm,
                       std::vector<std::unique_ptr<dealii::PETScWrappers::MPI::Vector>> &);
} // namespace hyfe
