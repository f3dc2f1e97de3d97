/**
 * @file
 * @brief Navier-Stokes: boundary conditions: the boundary ids, periodic faces, and the velocity constraints
 * of each step.
 */

#include <deal.II/grid/grid_tools.h>
#include <deal.II/numerics/vector_tools.h>

#include <algorithm>

#include "solver/modules/mesh_mover.h"
#include "solver/physics/navier_stokes_impl.h"

namespace hyfe
{
  namespace navier_stokes
  {
    template <int dim>
    void
    NavierStokes<dim>::check_boundary_ids(const std::set<types::boundary_id> &mesh_ids) const
    {
      std::vector<types::boundary_id> periodic_ids;
      for (const auto &p : periodic)
        periodic_ids.insert(periodic_ids.end(), {p.a, p.b});
      check_boundary_conditions(mesh_ids,
                                {{"velocity ids", velocity_ids},
                                 {"no-slip ids", no_slip_ids},
                                 {"do-nothing ids", do_nothing_ids},
                                 {"slip ids", slip_ids},
                                 {"periodic pairs", periodic_ids}},
                                "navier stokes/boundary conditions: ");
      for (const auto id : force_ids)
        if (mesh_ids.count(id) == 0)
          throw InputError("entry 'navier stokes/forces/boundary ids' lists boundary id " +
                           std::to_string(id) + ", which the mesh does not have");
    }

    template <int dim>
    void
    NavierStokes<dim>::prepare_coarse_mesh()
    {
      // probes and profiles outside the domain would give nan in forces.csv and the profiles
      for (const auto &p : pressure_points)
        check_point_in_mesh(context.triangulation, p, "navier stokes/forces/pressure points");
      for (const auto &l : lines)
        {
          check_point_in_mesh(context.triangulation, l.start, "navier stokes/profiles/lines");
          check_point_in_mesh(context.triangulation, l.end, "navier stokes/profiles/lines");
        }
      std::vector<
        GridTools::PeriodicFacePair<typename parallel::distributed::Triangulation<dim>::cell_iterator>>
        pairs;
      for (const auto &p : periodic)
        {
          const std::size_t before = pairs.size();
          try
            {
              GridTools::collect_periodic_faces(context.triangulation, p.a, p.b, p.direction, pairs);
            }
          catch (const std::exception &e)
            {
              throw InputError(
                "entry 'navier stokes/boundary conditions/periodic pairs': the faces of boundary ids " +
                std::to_string(p.a) + " and " + std::to_string(p.b) + " do not match along " +
                std::string(1, "xyz"[p.direction]) + ": " + exception_message(e));
            }
          if (pairs.size() == before)
            throw InputError(
              "entry 'navier stokes/boundary conditions/periodic pairs': no matching faces between "
              "boundary ids " +
              std::to_string(p.a) + " and " + std::to_string(p.b));
        }
      if (!pairs.empty())
        context.triangulation.add_periodicity(pairs);
    }

    template <int dim>
    void
    NavierStokes<dim>::make_velocity_constraints(const double time)
    {
      constraints_u.clear();
      constraints_u.reinit(relevant_u);
      constraints_u.merge(hanging_u);
      velocity_value->set_time(time);
      const Functions::ZeroFunction<dim>                  zero(dim);
      std::map<types::boundary_id, const Function<dim> *> values;
      for (const auto id : velocity_ids)
        values[id] = velocity_value.get();
      for (const auto id : no_slip_ids)
        values[id] = &zero;
      VectorTools::interpolate_boundary_values(context.mesh_mover.mapping(), dof_u, values, constraints_u);
      // a no-slip wall of a moving body moves with the mesh: u = w there (the velocity and the
      // displacement have the same element, FE_Q(degree)^dim, so the DoFs of a face correspond)
      const auto *w = context.mesh_mover.mesh_velocity();
      if (w && std::any_of(no_slip_ids.begin(), no_slip_ids.end(), [&](const types::boundary_id id) {
            return context.mesh_mover.moves_boundary(id);
          }))
        {
          const auto &dof_w = *context.mesh_mover.displacement_dof_handler();
          if (dof_w.get_fe().get_name() != fe_u.get_name())
            throw std::logic_error("moving walls: the mesh velocity's element differs from the velocity's");
          std::vector<types::global_dof_index> face_u(fe_u.n_dofs_per_face()), face_w(fe_u.n_dofs_per_face());
          for (const auto &cell : dof_u.active_cell_iterators())
            if (!cell->is_artificial() && cell->at_boundary())
              for (const auto f : cell->face_indices())
                if (cell->face(f)->at_boundary() &&
                    std::find(no_slip_ids.begin(), no_slip_ids.end(), cell->face(f)->boundary_id()) !=
                      no_slip_ids.end() &&
                    context.mesh_mover.moves_boundary(cell->face(f)->boundary_id()))
                  {
                    const typename DoFHandler<dim>::active_cell_iterator cell_w(&context.triangulation,
                                                                                cell->level(),
                                                                                cell->index(),
                                                                                &dof_w);
                    cell->face(f)->get_dof_indices(face_u);
                    cell_w->face(f)->get_dof_indices(face_w);
                    for (unsigned int i = 0; i < face_u.size(); ++i)
                      if (constraints_u.is_constrained(face_u[i]) && !hanging_u.is_constrained(face_u[i]))
                        constraints_u.set_inhomogeneity(face_u[i], (*w)[face_w[i]]);
                  }
        }
      if (!slip_ids.empty())
        VectorTools::compute_no_normal_flux_constraints(dof_u,
                                                        0,
                                                        std::set<types::boundary_id>(slip_ids.begin(),
                                                                                     slip_ids.end()),
                                                        constraints_u,
                                                        context.mesh_mover.mapping());
      constraints_u.close();
    }

    template void
    NavierStokes<2>::check_boundary_ids(const std::set<types::boundary_id> &mesh_ids) const;
    template void
    NavierStokes<3>::check_boundary_ids(const std::set<types::boundary_id> &mesh_ids) const;
    template void
    NavierStokes<2>::prepare_coarse_mesh();
    template void
    NavierStokes<3>::prepare_coarse_mesh();
    template void
    NavierStokes<2>::make_velocity_constraints(const double time);
    template void
    NavierStokes<3>::make_velocity_constraints(const double time);
  } // namespace navier_stokes
} // namespace hyfe
