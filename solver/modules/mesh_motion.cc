/**
 * @file
 * @brief The displacement field, its history, the mesh velocity, the Eulerian mapping and the guard
 * that every mesh mover but `none` shares (mesh_motion.h).
 */
#include "solver/modules/mesh_motion.h"

#include <deal.II/base/mpi.h>
#include <deal.II/base/quadrature_lib.h>
#include <deal.II/distributed/solution_transfer.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/fe/fe_q.h>
#include <deal.II/fe/fe_values.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <limits>

#include "solver/core/exceptions.h"
#include "solver/core/module_archive.h"
#include "solver/core/module_state.h"

namespace hyfe
{
  using namespace dealii;

  template <int dim>
  void
  check_boundary_ids_exist(const Triangulation<dim, dim>      &triangulation,
                           const std::set<types::boundary_id> &ids,
                           const std::string                  &entry)
  {
    const auto mesh_ids = triangulation.get_boundary_ids();
    for (const auto id : ids)
      if (std::find(mesh_ids.begin(), mesh_ids.end(), id) == mesh_ids.end())
        {
          std::string valid;
          for (const auto m : mesh_ids)
            valid += (valid.empty() ? "" : ", ") + std::to_string(m);
          throw InputError("entry '" + entry + "': the mesh has no boundary id " + std::to_string(id) +
                           "; its ids are " + valid);
        }
  }

  template <int dim>
  DisplacementMover<dim>::DisplacementMover() = default;

  template <int dim>
  DisplacementMover<dim>::~DisplacementMover() = default;

  template <int dim>
  void
  DisplacementMover<dim>::distribute_dofs()
  {
    dof_handler.distribute_dofs(*fe);
    owned = dof_handler.locally_owned_dofs();
    DoFTools::extract_locally_relevant_dofs(dof_handler, relevant);
    hanging.clear();
    hanging.reinit(relevant);
    DoFTools::make_hanging_node_constraints(dof_handler, hanging);
    hanging.close();
    for (auto *v : {&current, &old, &older, &velocity})
      v->reinit(owned, relevant, comm);
  }

  template <int dim>
  void
  DisplacementMover<dim>::setup(const Triangulation<dim, dim> &tria,
                                const unsigned int             mapping_degree,
                                const double                   time,
                                const bool                     resumed)
  {
    if (triangulation != nullptr)
      {
        if (mapping_degree != degree)
          throw std::logic_error("mesh mover: the mapping degree changed during the run");
        return; // after an adaptation, after_adaptation() distributes the DoFs and transfers d
      }
    check_boundary_ids_exist(tria, guard.moving_ids, "mesh mover/moving boundary ids");
    triangulation = &tria;
    degree        = mapping_degree;
    comm          = tria.get_communicator();
    fe            = std::make_unique<FESystem<dim>>(FE_Q<dim>(degree), dim);
    reference     = std::make_unique<MappingQ<dim>>(degree);
    dof_handler.reinit(tria);
    distribute_dofs();
    mesh_changed();
    PETScWrappers::MPI::Vector d(owned, comm);
    if (!resumed) // a resumed run reads d and its history in load_checkpoint()
      initial_displacement(time, d);
    hanging.distribute(d);
    displacement_time = time;
    current           = d;
    old               = d;
    older             = d;
    velocity          = 0.;
    if (degree > 1)
      cached = std::make_unique<MappingQCache<dim>>(degree);
    else
      eulerian =
        std::make_unique<MappingQEulerian<dim, PETScWrappers::MPI::Vector>>(degree, dof_handler, current);
    update_mapping();
    if (resumed)
      return;
    const MeshQuality q = check_mesh();
    if (!q.valid)
      throw InputError("mesh mover: the displacement at the start time " + std::to_string(time) +
                       " gives an invalid mesh: " + q.reason);
    last_quality = q;
  }

  template <int dim>
  void
  DisplacementMover<dim>::update_mapping()
  {
    if (cached) // the Eulerian mapping reads `current` itself
      cached->initialize(*reference, dof_handler, current, true);
  }

  template <int dim>
  const Mapping<dim, dim> &
  DisplacementMover<dim>::mapping() const
  {
    if (cached)
      return *cached;
    if (eulerian)
      return *eulerian;
    throw std::logic_error("mesh mover: mapping() before setup()");
  }

  template <int dim>
  double
  DisplacementMover<dim>::max_displacement() const
  {
    return current.linfty_norm();
  }

  template <int dim>
  void
  DisplacementMover<dim>::mesh_velocity_from_history(const double dt)
  {
    // w = (a0 d^{n+1} + a1 d^n + a2 d^{n-1}) / dt: BDF1 without history, else BDF2 for the step ratio
    // omega = dt / dt_old (exact for quadratic motion; 1.5, -2, 0.5 for equal steps)
    const bool                 bdf2  = scheme_bdf2 && dt_old > 0.;
    const double               omega = bdf2 ? dt / dt_old : 0.;
    const double               a0    = bdf2 ? (1. + 2. * omega) / (1. + omega) : 1.;
    const double               a1    = bdf2 ? -(1. + omega) : -1.;
    const double               a2    = bdf2 ? omega * omega / (1. + omega) : 0.;
    PETScWrappers::MPI::Vector w(owned, comm), tmp(owned, comm);
    if (steady)
      {
        velocity = 0.; // a steady solve on a moved mesh: no motion during it
        return;
      }
    w = current;
    w *= a0 / dt;
    tmp = old;
    w.add(a1 / dt, tmp);
    if (a2 != 0.)
      {
        tmp = older;
        w.add(a2 / dt, tmp);
      }
    velocity = w;
  }

  template <int dim>
  bool
  DisplacementMover<dim>::move_mesh(const StepInfo &step, const StateView &state)
  {
    const auto start = std::chrono::steady_clock::now();
    scheme_bdf2      = state.get<dim>().time_scheme == "bdf2";
    steady           = state.get<dim>().time_scheme == "steady";
    older            = old;
    old              = current;
    PETScWrappers::MPI::Vector d(owned, comm);
    d                  = current;
    candidate_rejected = false;
    last_iterations    = compute_displacement(step, state, d);
    displacement_time  = step.time;
    hanging.distribute(d);
    current = d;
    update_mapping();
    last_quality  = check_mesh();
    last_fallback = !last_quality.valid || candidate_rejected;
    last_tangled  = last_quality.inverted_cells > 0;
    n_tangled += last_tangled ? 1 : 0;
    const std::string reason =
      candidate_rejected ? std::string("the mover did not converge") : last_quality.reason;
    if (last_fallback)
      {
        const bool replaced = try_second_candidate(step, state, old, last_quality);
        // the first few refusals are logged with their reason; all are counted
        if (n_fallbacks < 5 && Utilities::MPI::this_mpi_process(comm) == 0)
          std::cout << "hyfe: mesh mover: the candidate mesh of step " << step.step << " is refused ("
                    << reason << "); "
                    << (replaced ? std::string("the classical twin's mesh replaces it")
                                 : "fallback: " + guard.fallback)
                    << (n_fallbacks == 4 ? " (further refusals are counted only)" : "") << std::endl;
        ++n_fallbacks;
        if (!replaced)
          {
            if (guard.fallback == "reference mesh")
              current = 0.;
            else
              current = old;
            update_mapping();
            candidate_refused(guard.fallback == "reference mesh");
          }
      }
    mesh_velocity_from_history(step.dt);
    dt_old = step.dt;
    ++n_moves;
    PETScWrappers::MPI::Vector change(owned, comm), tmp(owned, comm);
    change = current;
    tmp    = old;
    change.add(-1., tmp);
    const bool moved = change.linfty_norm() > 0.;
    worst_det_j      = any_move ? std::min(worst_det_j, last_quality.min_det_j) : last_quality.min_det_j;
    worst_quality    = std::min(worst_quality, last_quality.min_quality);
    any_move         = true;
    total_iterations += last_iterations;
    last_time = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    total_time += last_time;
    return moved;
  }

  template <int dim>
  bool
  DisplacementMover<dim>::try_second_candidate(const StepInfo                   &step,
                                               const StateView                  &state,
                                               const PETScWrappers::MPI::Vector &in_use,
                                               MeshQuality                      &quality)
  {
    const bool                 rejected = candidate_rejected;
    PETScWrappers::MPI::Vector d(owned, comm);
    d                  = in_use;
    candidate_rejected = false;
    bool accepted      = false;
    if (second_candidate(step, state, d))
      {
        hanging.distribute(d);
        const PETScWrappers::MPI::Vector refused = current;
        current                                  = d;
        update_mapping();
        const MeshQuality q = check_mesh();
        accepted            = q.valid && !candidate_rejected;
        if (accepted)
          quality = q;
        else
          {
            current = refused;
            update_mapping();
          }
      }
    candidate_rejected = rejected; // the first candidate's
    return accepted;
  }

  template <int dim>
  bool
  DisplacementMover<dim>::move_initial_mesh(const StateView &state)
  {
    const auto                 start = std::chrono::steady_clock::now();
    PETScWrappers::MPI::Vector d(owned, comm), previous(owned, comm);
    previous           = current;
    d                  = current;
    candidate_rejected = false;
    StepInfo now       = state.get<dim>().step;
    now.step           = 0;
    now.time           = displacement_time;
    last_iterations    = compute_displacement(now, state, d);
    hanging.distribute(d);
    current = d;
    update_mapping();
    MeshQuality       q      = check_mesh();
    const std::string reason = candidate_rejected ? std::string("the mover did not converge") : q.reason;
    last_fallback            = !q.valid || candidate_rejected;
    last_tangled             = q.inverted_cells > 0;
    n_tangled += last_tangled ? 1 : 0;
    const bool replaced = last_fallback && try_second_candidate(now, state, previous, q);
    if (last_fallback)
      {
        if (Utilities::MPI::this_mpi_process(comm) == 0)
          std::cout << "hyfe: mesh mover: the candidate initial mesh is refused (" << reason << "); "
                    << (replaced ? "the classical twin's mesh replaces it" : "the mesh stays as it is")
                    << std::endl;
        ++n_fallbacks;
      }
    if (last_fallback && !replaced)
      {
        current = previous;
        update_mapping();
        candidate_refused(false);
      }
    else
      {
        last_quality  = q;
        worst_det_j   = any_move ? std::min(worst_det_j, q.min_det_j) : q.min_det_j;
        worst_quality = std::min(worst_quality, q.min_quality);
        any_move      = true;
      }
    old      = current;
    older    = current;
    velocity = 0.;
    total_iterations += last_iterations;
    last_time = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    total_time += last_time;
    PETScWrappers::MPI::Vector change(owned, comm);
    change = current;
    change.add(-1., previous);
    return change.linfty_norm() > 0.;
  }

  template <int dim>
  MeshQuality
  DisplacementMover<dim>::check_mesh() const
  {
    // the quadrature points of a Gauss rule of the mapping's degree + 1, and the vertices
    const QGauss<dim>       gauss(degree + 1);
    const QTrapezoid<dim>   corners;
    std::vector<Point<dim>> points = gauss.get_points();
    points.insert(points.end(), corners.get_points().begin(), corners.get_points().end());
    const Quadrature<dim>        quadrature(points, std::vector<double>(points.size(), 1. / points.size()));
    FEValues<dim>                moved(mapping(), *fe, quadrature, update_jacobians);
    FEValues<dim>                unmoved(*reference, *fe, quadrature, update_jacobians);
    const QGaussLobatto<dim - 1> face_corners(degree + 1); // the face's vertices and support points
    FEFaceValues<dim> face_values(*reference, *fe, face_corners, update_values | update_normal_vectors);
    std::vector<Tensor<1, dim>>      face_d(face_corners.size());
    const FEValuesExtractors::Vector displacement(0);

    double        min_det = std::numeric_limits<double>::max(), max_det = -min_det, min_quality = 1.;
    double        drift    = 0.;
    unsigned long inverted = 0;
    for (const auto &cell : dof_handler.active_cell_iterators())
      {
        if (!cell->is_locally_owned())
          continue;
        bool cell_inverted = false;
        moved.reinit(cell); // the Jacobians only: no check of the cell's shape (release deal.II)
        unmoved.reinit(cell);
        for (unsigned int q = 0; q < quadrature.size() && !cell_inverted; ++q)
          {
            const Tensor<2, dim> J   = moved.jacobian(q);
            const Tensor<2, dim> Jr  = unmoved.jacobian(q);
            const double         det = determinant(J);
            min_det                  = std::min(min_det, det);
            max_det                  = std::max(max_det, det);
            if (!(det > 0.))
              {
                cell_inverted = true;
                break;
              }
            // the mean ratio of F = J Jr^-1: dim det(F)^(2/dim) / |F|^2, 1 for a rotation or scaling
            const Tensor<2, dim> F = J * invert(Jr);
            min_quality =
              std::min(min_quality, dim * std::pow(determinant(F), 2. / dim) / scalar_product(F, F));
          }
        if (cell_inverted)
          {
            ++inverted;
            min_quality = 0.;
            min_det     = std::min(min_det, 0.);
          }
        for (const unsigned int f : cell->face_indices())
          if (cell->face(f)->at_boundary() && !moves_boundary(cell->face(f)->boundary_id()))
            {
              face_values.reinit(cell, f);
              face_values[displacement].get_function_values(current, face_d);
              const double h = cell->minimum_vertex_distance();
              for (unsigned int q = 0; q < face_corners.size(); ++q)
                drift = std::max(drift, std::abs(face_d[q] * face_values.normal_vector(q)) / h);
            }
      }
    MeshQuality result;
    result.min_det_j      = Utilities::MPI::min(min_det, comm);
    result.max_det_j      = Utilities::MPI::max(max_det, comm);
    result.min_quality    = Utilities::MPI::min(min_quality, comm);
    result.boundary_drift = Utilities::MPI::max(drift, comm);
    result.inverted_cells = Utilities::MPI::sum(inverted, comm);
    if (result.inverted_cells > 0)
      result.reason = std::to_string(result.inverted_cells) + " cell(s) inverted (det J <= 0; smallest " +
                      std::to_string(result.min_det_j) + ")";
    else if (result.min_quality < guard.minimum_quality)
      result.reason = "the smallest cell quality " + std::to_string(result.min_quality) +
                      " is below 'mesh mover/minimum quality' = " + std::to_string(guard.minimum_quality);
    else if (result.boundary_drift > 1e-6)
      result.reason = "a vertex left a boundary that is not among 'mesh mover/moving boundary ids' (by " +
                      std::to_string(result.boundary_drift) + " cell sizes)";
    result.valid = result.reason.empty();
    return result;
  }

  template <int dim>
  void
  DisplacementMover<dim>::before_adaptation(const StateView &)
  {
    transfer =
      std::make_unique<parallel::distributed::SolutionTransfer<dim, PETScWrappers::MPI::Vector, dim>>(
        dof_handler);
    transfer->prepare_for_coarsening_and_refinement(
      std::vector<const PETScWrappers::MPI::Vector *>{&current, &old, &older, &velocity});
  }

  template <int dim>
  void
  DisplacementMover<dim>::after_adaptation(const StateView &state)
  {
    distribute_dofs();
    std::vector<PETScWrappers::MPI::Vector>   owned_vectors(4, PETScWrappers::MPI::Vector(owned, comm));
    std::vector<PETScWrappers::MPI::Vector *> pointers;
    for (auto &v : owned_vectors)
      pointers.push_back(&v);
    transfer->interpolate(pointers);
    transfer.reset();
    mesh_changed();
    PETScWrappers::MPI::Vector *targets[] = {&current, &old, &older, &velocity};
    for (unsigned int i = 0; i < 4; ++i)
      {
        hanging.distribute(owned_vectors[i]);
        *targets[i] = owned_vectors[i];
      }
    update_mapping();
    // the mover's own displacement on the new mesh at the same time differs from the interpolated one
    // (an elasticity solve on refined cells, an expression at new support points): the whole history is
    // shifted by the difference, so that the mesh velocity carries no spike from the adaptation
    StepInfo now                  = state.get<dim>().step;
    now.time                      = displacement_time;
    PETScWrappers::MPI::Vector &d = owned_vectors[0];
    candidate_rejected            = false;
    if (now.step == 0)
      initial_displacement(now.time, d);
    else
      compute_displacement(now, state, d);
    hanging.distribute(d);
    PETScWrappers::MPI::Vector shift(owned, comm), interpolated(owned, comm);
    interpolated = current;
    shift        = d;
    shift.add(-1., interpolated);
    current = d;
    update_mapping();
    if (candidate_rejected || !check_mesh().valid)
      {
        current = interpolated; // keep the interpolated mesh, which was valid
        update_mapping();
        candidate_refused(false);
        return;
      }
    for (auto *v : {&old, &older})
      {
        interpolated = *v;
        interpolated.add(1., shift);
        *v = interpolated;
      }
  }

  template <int dim>
  void
  DisplacementMover<dim>::save_checkpoint(ModuleArchive &archive) const
  {
    archive.save_vector("displacement", dof_handler, current);
    archive.save_vector("displacement_old", dof_handler, old);
    archive.save_vector("displacement_older", dof_handler, older);
    archive.save_vector("mesh_velocity", dof_handler, velocity);
    archive.set_number("dt_old", dt_old);
    archive.set_number("moves", n_moves);
    archive.set_number("fallbacks", n_fallbacks);
    archive.set_number("tangled", n_tangled);
    archive.set_number("total_iterations", total_iterations);
    archive.set_number("displacement_time", displacement_time);
    archive.set_number("total_time", total_time);
    archive.set_number("worst_det_j", worst_det_j);
    archive.set_number("worst_quality", worst_quality);
    archive.set_number("any_move", any_move ? 1. : 0.);
  }

  template <int dim>
  void
  DisplacementMover<dim>::load_checkpoint(ModuleArchive &archive)
  {
    for (auto [key, v] : {std::pair{"displacement", &current},
                          {"displacement_old", &old},
                          {"displacement_older", &older},
                          {"mesh_velocity", &velocity}})
      {
        PETScWrappers::MPI::Vector owned_vector(owned, comm);
        archive.load_vector(key, dof_handler, owned_vector);
        hanging.distribute(owned_vector);
        *v = owned_vector;
      }
    update_mapping();
    dt_old            = archive.get_number("dt_old");
    n_moves           = static_cast<unsigned int>(archive.get_number("moves"));
    n_fallbacks       = static_cast<unsigned long>(archive.get_number("fallbacks"));
    n_tangled         = static_cast<unsigned long>(archive.get_number("tangled"));
    total_iterations  = static_cast<unsigned long>(archive.get_number("total_iterations"));
    displacement_time = archive.get_number("displacement_time");
    total_time        = archive.get_number("total_time");
    worst_det_j       = archive.get_number("worst_det_j");
    worst_quality     = archive.get_number("worst_quality");
    any_move          = archive.get_number("any_move") > 0.;
    last_quality      = check_mesh();
  }

  template <int dim>
  void
  DisplacementMover<dim>::add_output_fields(OutputFields &fields) const
  {
    fields.dof_vectors.push_back({"displacement", "mesh", &current});
    fields.dof_vectors.push_back({"mesh_velocity", "mesh", &velocity});
  }

  template <int dim>
  std::vector<std::pair<std::string, double>>
  DisplacementMover<dim>::statistics() const
  {
    std::vector<std::pair<std::string, double>> columns{{"iterations", last_iterations},
                                                        {"time", last_time},
                                                        {"min_det_j", last_quality.min_det_j},
                                                        {"max_det_j", last_quality.max_det_j},
                                                        {"min_quality", last_quality.min_quality},
                                                        {"inverted_cells",
                                                         static_cast<double>(last_quality.inverted_cells)},
                                                        {"max_displacement", max_displacement()},
                                                        {"fallback", last_fallback ? 1. : 0.},
                                                        {"tangled", last_tangled ? 1. : 0.}};
    for (const auto &column : mover_statistics())
      columns.push_back(column);
    return columns;
  }

  template <int dim>
  std::vector<std::pair<std::string, double>>
  DisplacementMover<dim>::summary() const
  {
    return {{"moves", n_moves},
            {"fallbacks", static_cast<double>(n_fallbacks)},
            {"tangled candidates (caught by the guard)", static_cast<double>(n_tangled)},
            {"iterations", static_cast<double>(total_iterations)},
            {"time (s)", total_time},
            {"smallest det J of a candidate", worst_det_j},
            {"smallest quality of a candidate", worst_quality}};
  }

  template void
  check_boundary_ids_exist<2>(const Triangulation<2, 2> &,
                              const std::set<types::boundary_id> &,
                              const std::string &);
  template void
  check_boundary_ids_exist<3>(const Triangulation<3, 3> &,
                              const std::set<types::boundary_id> &,
                              const std::string &);
  template class DisplacementMover<2>;
  template class DisplacementMover<3>;
} // namespace hyfe
