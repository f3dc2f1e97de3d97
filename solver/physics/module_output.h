#pragma once

#include <deal.II/base/index_set.h>
#include <deal.II/lac/petsc_vector.h>
#include <deal.II/numerics/data_out.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "solver/core/module.h"
#include "solver/modules/mesh_mover.h"

namespace hyfe
{
  /** @brief A physics field that module output fields may live on. */
  template <int dim>
  struct OutputTarget
  {
    const dealii::DoFHandler<dim> *dof_handler;
    const dealii::IndexSet        *owned, *relevant; ///< nullptr: the fields' vectors are ghosted already
    unsigned int                   n_components;     ///< > 1: written as one vector field
  };

  /**
   * @brief Adds the modules' @p fields to @p data_out: each DoF vector on the target its `field`
   * names (ghosted copies are kept in @p storage until the patches are built), each cell vector as it
   * is. A field that names no target is a programming error (std::logic_error).
   */
  template <int dim>
  void
  add_module_fields(dealii::DataOut<dim>                                             &data_out,
                    const OutputFields                                               &fields,
                    const std::map<std::string, OutputTarget<dim>>                   &targets,
                    MPI_Comm                                                          comm,
                    std::vector<std::unique_ptr<dealii::PETScWrappers::MPI::Vector>> &storage);

  /**
   * @brief The target "mesh" of the mesh mover's fields (displacement, mesh velocity), when it has a
   * displacement field: added to @p targets.
   */
  template <int dim>
  void
  add_mesh_target(std::map<std::string, OutputTarget<dim>> &targets, const MeshMover<dim> &mover)
  {
    if (mover.displacement_dof_handler())
      targets.emplace("mesh", OutputTarget<dim>{mover.displacement_dof_handler(), nullptr, nullptr, dim});
  }
} // namespace hyfe
