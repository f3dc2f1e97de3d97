/**
 * @file
 * @brief Navier-Stokes: the cached assembly of the velocity system. The shape function gradients, JxW and the
 * cell mass and stiffness matrices are computed once per mesh (and per mesh motion); each step adds only
 * the convection and nu_t, reads the old solutions from the ghosted vectors' local arrays and adds one
 * block per component to the matrix.
 */

#include <deal.II/base/quadrature_lib.h>
#include <deal.II/base/symmetric_tensor.h>
#include <deal.II/fe/fe_values.h>

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <tuple>

#include "solver/modules/closure_model.h"
#include "solver/modules/mesh_mover.h"
#include "solver/physics/navier_stokes_impl.h"

namespace hyfe
{
  namespace navier_stokes
  {
    namespace
    {
      /** @brief The local array (owned entries, then the ghosts in index order) of a ghosted vector. */
      class LocalValues
      {
      public:
        explicit LocalValues(const Vector_t &vector)
            : vector(vector)
        {
          petsc_check(VecGhostGetLocalForm(vector, &local), "VecGhostGetLocalForm");
          if (local == nullptr)
            throw std::logic_error("navier-stokes: the cached assembly needs ghosted vectors");
          petsc_check(VecGetArrayRead(local, &data), "VecGetArrayRead");
        }
        ~LocalValues()
        {
          VecRestoreArrayRead(local, &data);
          VecGhostRestoreLocalForm(vector, &local);
        }
        LocalValues(const LocalValues &) = delete;
        LocalValues &
        operator=(const LocalValues &) = delete;
        double
        operator[](const unsigned int i) const
        {
          return data[i];
        }

      private:
        const Vector_t    &vector;
        Vec                local = nullptr;
        const PetscScalar *data  = nullptr;
      };

      /** @brief The index of @p global in the local array of a ghosted vector with @p owned and @p ghosts. */
      unsigned int
      local_index(const types::global_dof_index global, const IndexSet &owned, const IndexSet &ghosts)
      {
        if (owned.is_element(global))
          return global - *owned.begin();
        return owned.n_elements() + ghosts.index_within_set(global);
      }
    } // namespace

    template <int dim>
    bool
    NavierStokes<dim>::cached_assembly() const
    {
      // the component-coupled matrices (implicit nu_t (grad u)^T, grad-div) take the general path
      const bool implicit_nu_t = context.closure_model.is_active() && !explicit_transpose;
      return use_cache && !implicit_nu_t && grad_div == 0.;
    }

    template <int dim>
    void
    NavierStokes<dim>::build_cache()
    {
      const QGauss<dim> quadrature(degree + 1);
      FEValues<dim>     fe_values(context.mesh_mover.mapping(),
                              fe_u,
                              quadrature,
                              update_gradients | update_JxW_values |
                                (zero_body_force ? update_default : update_quadrature_points));
      FEValues<dim>     fe_values_p(context.mesh_mover.mapping(),
                                fe_p,
                                quadrature,
                                projected_convection ? update_gradients : update_default);
      CellCache        &c = cache;
      // a moved mesh keeps its DoFs and the matrix its sparsity: the matrix positions stay valid
      auto positions         = std::move(c.positions);
      auto where             = std::move(c.where);
      c                      = CellCache();
      c.positions            = std::move(positions);
      c.where                = std::move(where);
      c.n_q                  = quadrature.size();
      c.n_s                  = fe_u.base_element(0).n_dofs_per_cell();
      c.n_p                  = fe_p.n_dofs_per_cell();
      const unsigned int n_q = c.n_q, n_s = c.n_s, n_p = c.n_p, n = fe_u.n_dofs_per_cell();
      std::vector<std::vector<unsigned int>> system_index(dim, std::vector<unsigned int>(n_s));
      for (unsigned int d = 0; d < dim; ++d)
        for (unsigned int a = 0; a < n_s; ++a)
          system_index[d][a] = fe_u.component_to_system_index(d, a);
      c.phi.resize(n_q * n_s);
      c.phi_p.resize(n_q * n_p);
      if (projected_convection)
        c.grad_p.reserve(context.triangulation.n_locally_owned_active_cells() * n_q * n_p);
      for (unsigned int q = 0; q < n_q; ++q)
        {
          for (unsigned int a = 0; a < n_s; ++a)
            c.phi[q * n_s + a] = fe_u.base_element(0).shape_value(a, quadrature.point(q));
          for (unsigned int b = 0; b < n_p; ++b)
            c.phi_p[q * n_p + b] = fe_p.shape_value(b, quadrature.point(q));
        }
      IndexSet ghosts_u = relevant_u, ghosts_p = relevant_p;
      ghosts_u.subtract_set(owned_u);
      ghosts_p.subtract_set(owned_p);
      const std::size_t n_cells = context.triangulation.n_locally_owned_active_cells();
      c.JxW.reserve(n_cells * n_q);
      c.grad.reserve(n_cells * n_q * n_s);
      c.mass.reserve(n_cells * n_s * n_s);
      c.stiffness.reserve(n_cells * n_s * n_s);
      c.dofs_u.reserve(n_cells * n);
      c.local_u.reserve(n_cells * n);
      std::vector<types::global_dof_index> dofs(n), dofs_p(n_p);
      for (const auto &cell : dof_u.active_cell_iterators())
        if (cell->is_locally_owned())
          {
            fe_values.reinit(cell);
            const std::size_t g0 = c.grad.size();
            for (unsigned int q = 0; q < n_q; ++q)
              {
                c.JxW.push_back(fe_values.JxW(q));
                for (unsigned int a = 0; a < n_s; ++a)
                  c.grad.push_back(fe_values.shape_grad(system_index[0][a], q));
              }
            if (!zero_body_force)
              c.points.insert(c.points.end(),
                              fe_values.get_quadrature_points().begin(),
                              fe_values.get_quadrature_points().end());
            const std::size_t j0 = c.JxW.size() - n_q;
            for (unsigned int a = 0; a < n_s; ++a)
              for (unsigned int b = 0; b < n_s; ++b)
                {
                  double m = 0., k = 0.;
                  for (unsigned int q = 0; q < n_q; ++q)
                    {
                      m += c.phi[q * n_s + a] * c.phi[q * n_s + b] * c.JxW[j0 + q];
                      k += c.grad[g0 + q * n_s + a] * c.grad[g0 + q * n_s + b] * c.JxW[j0 + q];
                    }
                  c.mass.push_back(m);
                  c.stiffness.push_back(k);
                }
            cell->get_dof_indices(dofs);
            bool constrained = false;
            for (unsigned int d = 0; d < dim; ++d)
              for (unsigned int a = 0; a < n_s; ++a)
                {
                  const auto g = dofs[system_index[d][a]];
                  c.dofs_u.push_back(static_cast<std::int64_t>(g));
                  c.local_u.push_back(local_index(g, owned_u, ghosts_u));
                  constrained = constrained || constraints_u.is_constrained(g);
                }
            c.constrained.push_back(constrained);
            bool touches = false;
            for (unsigned int d = 0; d < dim && !touches; ++d)
              for (unsigned int i = 0; i < n && !touches; ++i)
                touches = force_test[d][dofs[i]] != 0.;
            c.touches_body.push_back(touches);
            const auto cell_p = pressure_cell(cell);
            if (projected_convection)
              {
                fe_values_p.reinit(cell_p);
                for (unsigned int q = 0; q < n_q; ++q)
                  for (unsigned int b = 0; b < n_p; ++b)
                    c.grad_p.push_back(fe_values_p.shape_grad(b, q));
              }
            cell_p->get_dof_indices(dofs_p);
            for (const auto g : dofs_p)
              {
                c.dofs_p.push_back(g);
                c.local_p.push_back(local_index(g, owned_p, ghosts_p));
              }
            c.cells.push_back({{cell->level(), cell->index()}});
            c.h.push_back(physics_tools::minimum_vertex_distance(context.mesh_mover.mapping(), cell) /
                          degree);
          }
      // the local arrays must hold what the vectors hold at these indices (the ghost layout of PETSc)
      {
        const LocalValues                    u(u_n), p(p_n);
        std::vector<double>                  values(c.dofs_u.size()), values_p(c.dofs_p.size());
        std::vector<types::global_dof_index> all(c.dofs_u.begin(), c.dofs_u.end());
        u_n.extract_subvector_to(all.begin(), all.end(), values.begin());
        p_n.extract_subvector_to(c.dofs_p.begin(), c.dofs_p.end(), values_p.begin());
        for (std::size_t i = 0; i < values.size(); ++i)
          if (values[i] != u[c.local_u[i]])
            throw std::logic_error("navier-stokes: the cached assembly's local velocity indices are wrong");
        for (std::size_t i = 0; i < values_p.size(); ++i)
          if (values_p[i] != p[c.local_p[i]])
            throw std::logic_error("navier-stokes: the cached assembly's local pressure indices are wrong");
      }
      c.valid = true;
    }

    template <int dim>
    void
    NavierStokes<dim>::assemble_velocity_system_cached(const StepInfo            &step,
                                                       const double               alpha0,
                                                       const double               alpha1,
                                                       const double               alpha2,
                                                       const double               omega,
                                                       const std::vector<double> &nu_t)
    {
      if (!cache.valid)
        build_cache();
      const CellCache   &c   = cache;
      const unsigned int n_q = c.n_q, n_s = c.n_s, n_p = c.n_p, n = dim * n_s;
      const double       dt = step.dt;
      velocity_matrix       = 0;
      velocity_rhs          = 0;
      const LocalValues            un(u_n), unm1(u_nm1), pn(p_n), psin(psi_n), psinm1(psi_nm1);
      std::unique_ptr<LocalValues> conv;
      if (convecting != nullptr)
        conv = std::make_unique<LocalValues>(*convecting);
      const bool rhs_part = !nu_t.empty(); // nu_t (grad u*)^T on the right-hand side (explicit)
      // 'convection form = projected': u* from u - grad psi, without div u* (a Picard iterate minus the
      // gradient of the extrapolated psi)
      std::vector<double> Psi(projected_convection ? n_p : 0);
      body_force->set_time(step.time);
      physics_tools::MeshVelocityValues<dim> mesh_velocity(context.mesh_mover, QGauss<dim>(degree + 1));

      std::vector<Tensor<1, dim>>            w(n_q), v_n(n_q), v_nm1(n_q), u_star(n_q);
      std::vector<Tensor<2, dim>>            g_star(rhs_part ? n_q : 0);
      std::vector<double>                    div_star_q(n_q), pressure(n_q), nu_q(n_q), transport(n_q * n_s);
      std::vector<Vector<double>>            force(n_q, Vector<double>(dim));
      std::vector<Point<dim>>                points(zero_body_force ? 0 : n_q);
      std::vector<double>                    U_n(n), U_nm1(n), U_c(n), P(n_p), block(n_s * n_s), rhs(n);
      std::vector<std::vector<unsigned int>> system_index(dim, std::vector<unsigned int>(n_s));
      for (unsigned int d = 0; d < dim; ++d)
        for (unsigned int a = 0; a < n_s; ++a)
          system_index[d][a] = fe_u.component_to_system_index(d, a);
      FullMatrix<double>                   cell_matrix(n, n);
      Vector<double>                       cell_rhs(n);
      std::vector<types::global_dof_index> dofs(n);
      std::vector<PetscInt>                rows(n_s), columns(n_s);
      std::vector<std::tuple<std::vector<types::global_dof_index>, FullMatrix<double>, Vector<double>>>
        constrained_cells;
      // the local arrays of the matrix: the diagonal and (with several ranks) the off-diagonal part
      std::array<Mat, 2> local_matrices{{nullptr, nullptr}};
      const PetscInt    *column_map = nullptr; // the off-diagonal part's global columns
      {
        const Mat velocity = static_cast<Mat>(velocity_matrix);
        PetscBool is_mpi   = PETSC_FALSE;
        petsc_check(PetscObjectTypeCompare(reinterpret_cast<PetscObject>(velocity), MATMPIAIJ, &is_mpi),
                    "PetscObjectTypeCompare");
        if (is_mpi)
          {
            petsc_check(MatMPIAIJGetSeqAIJ(velocity, &local_matrices[0], &local_matrices[1], &column_map),
                        "MatMPIAIJGetSeqAIJ");
          }
        else
          local_matrices[0] = velocity;
      }
      if (c.positions.empty())
        find_matrix_positions(local_matrices, column_map);
      PetscScalar *diagonal = nullptr, *off_diagonal = nullptr;
      petsc_check(MatSeqAIJGetArray(local_matrices[0], &diagonal), "MatSeqAIJGetArray");
      if (local_matrices[1] != nullptr)
        petsc_check(MatSeqAIJGetArray(local_matrices[1], &off_diagonal), "MatSeqAIJGetArray");
      const Mat matrix = static_cast<Mat>(velocity_matrix);
      const Vec vector = static_cast<Vec>(velocity_rhs);

      for (std::size_t k = 0; k < c.cells.size(); ++k)
        {
          const unsigned int   *lu  = &c.local_u[k * n];
          const unsigned int   *lp  = &c.local_p[k * n_p];
          const Tensor<1, dim> *G   = &c.grad[k * n_q * n_s];
          const double         *JxW = &c.JxW[k * n_q];
          for (unsigned int i = 0; i < n; ++i)
            {
              U_n[i]   = un[lu[i]];
              U_nm1[i] = unm1[lu[i]];
              if (conv)
                U_c[i] = (*conv)[lu[i]];
            }
          for (unsigned int b = 0; b < n_p; ++b)
            {
              // p# = p^n + (alpha1 psi^n - alpha2 psi^{n-1}) / dt
              P[b] = pn[lp[b]] + (alpha1 * psin[lp[b]] - alpha2 * psinm1[lp[b]]) / dt;
              if (projected_convection)
                Psi[b] = (1. + omega) * psin[lp[b]] - omega * psinm1[lp[b]];
            }
          if (mesh_velocity.active())
            mesh_velocity.get(c.cells[k][0], c.cells[k][1], w);
          if (!zero_body_force)
            {
              std::copy(&c.points[k * n_q], &c.points[k * n_q] + n_q, points.begin());
              body_force->vector_value_list(points, force);
            }
          for (unsigned int q = 0; q < n_q; ++q)
            {
              const double         *phi = &c.phi[q * n_s];
              const Tensor<1, dim> *Gq  = G + q * n_s;
              Tensor<1, dim>        vn, vnm1, vc;
              double                div_n = 0., div_nm1 = 0., div_c = 0.;
              Tensor<2, dim>        gn, gnm1;
              for (unsigned int d = 0; d < dim; ++d)
                for (unsigned int a = 0; a < n_s; ++a)
                  {
                    const unsigned int i = d * n_s + a;
                    vn[d] += phi[a] * U_n[i];
                    vnm1[d] += phi[a] * U_nm1[i];
                    div_n += Gq[a][d] * U_n[i];
                    div_nm1 += Gq[a][d] * U_nm1[i];
                    if (conv)
                      {
                        vc[d] += phi[a] * U_c[i];
                        div_c += Gq[a][d] * U_c[i];
                      }
                    if (rhs_part)
                      for (unsigned int e = 0; e < dim; ++e)
                        {
                          gn[d][e] += Gq[a][e] * U_n[i];
                          gnm1[d][e] += Gq[a][e] * U_nm1[i];
                        }
                  }
              v_n[q]   = vn;
              v_nm1[q] = vnm1;
              if (conv)
                {
                  u_star[q]     = vc - w[q];
                  div_star_q[q] = div_c;
                }
              else
                {
                  u_star[q]     = (1. + omega) * vn - omega * vnm1 - w[q];
                  div_star_q[q] = (1. + omega) * div_n - omega * div_nm1;
                }
              if (projected_convection)
                {
                  const Tensor<1, dim> *Gp = &c.grad_p[(k * n_q + q) * n_p];
                  for (unsigned int b = 0; b < n_p; ++b)
                    u_star[q] -= Psi[b] * Gp[b];
                  div_star_q[q] = 0.;
                }
              if (rhs_part)
                g_star[q] = (1. + omega) * gn - omega * gnm1;
              pressure[q] = 0.;
              for (unsigned int b = 0; b < n_p; ++b)
                pressure[q] += c.phi_p[q * n_p + b] * P[b];
              nu_q[q] = nu_t.empty() ? 0. : nu_t[k * n_q + q];
            }

          // the matrix block of one component: alpha0/dt M + nu K + convection (+ nu_t K_t)
          const double *M = &c.mass[k * n_s * n_s], *K = &c.stiffness[k * n_s * n_s];
          for (unsigned int i = 0; i < n_s * n_s; ++i)
            block[i] = alpha0 / dt * M[i] + viscosity * K[i];
          if (convection)
            {
              for (unsigned int q = 0; q < n_q; ++q)
                for (unsigned int b = 0; b < n_s; ++b)
                  transport[q * n_s + b] =
                    JxW[q] * ((u_star[q] * G[q * n_s + b]) + 0.5 * div_star_q[q] * c.phi[q * n_s + b]);
              for (unsigned int a = 0; a < n_s; ++a)
                for (unsigned int q = 0; q < n_q; ++q)
                  {
                    const double  pa = c.phi[q * n_s + a];
                    const double *t  = &transport[q * n_s];
                    double       *r  = &block[a * n_s];
                    for (unsigned int b = 0; b < n_s; ++b)
                      r[b] += pa * t[b];
                  }
            }
          if (!nu_t.empty())
            for (unsigned int q = 0; q < n_q; ++q)
              {
                const Tensor<1, dim> *Gq = G + q * n_s;
                const double          f  = nu_q[q] * JxW[q];
                for (unsigned int a = 0; a < n_s; ++a)
                  for (unsigned int b = 0; b < n_s; ++b)
                    block[a * n_s + b] += f * (Gq[a] * Gq[b]);
              }

          // the right-hand side: history, body force, pressure; - nu_t (grad u*)^T : grad v if explicit
          std::fill(rhs.begin(), rhs.end(), 0.);
          for (unsigned int q = 0; q < n_q; ++q)
            {
              const Tensor<1, dim>  history = (alpha1 * v_n[q] - alpha2 * v_nm1[q]) / dt;
              const Tensor<1, dim> *Gq      = G + q * n_s;
              const double         *phi     = &c.phi[q * n_s];
              for (unsigned int d = 0; d < dim; ++d)
                {
                  const double f = history[d] + (zero_body_force ? 0. : force[q][d]);
                  for (unsigned int a = 0; a < n_s; ++a)
                    rhs[d * n_s + a] += (f * phi[a] + pressure[q] * Gq[a][d]) * JxW[q];
                }
              if (rhs_part)
                {
                  const Tensor<2, dim> g_t = transpose(g_star[q]);
                  for (unsigned int a = 0; a < n_s; ++a)
                    {
                      const Tensor<1, dim> transposed = g_t * Gq[a];
                      for (unsigned int d = 0; d < dim; ++d)
                        rhs[d * n_s + a] -= nu_q[q] * JxW[q] * transposed[d];
                    }
                }
            }

          if (c.constrained[k])
            {
              cell_matrix = 0;
              for (unsigned int d = 0; d < dim; ++d)
                for (unsigned int a = 0; a < n_s; ++a)
                  {
                    dofs[system_index[d][a]]     = c.dofs_u[k * n + d * n_s + a];
                    cell_rhs(system_index[d][a]) = rhs[d * n_s + a];
                    for (unsigned int b = 0; b < n_s; ++b)
                      cell_matrix(system_index[d][a], system_index[d][b]) = block[a * n_s + b];
                  }
              constrained_cells.emplace_back(dofs, cell_matrix, cell_rhs);
            }
          else
            for (unsigned int d = 0; d < dim; ++d)
              {
                const std::size_t    first = (k * dim + d) * n_s * n_s;
                const std::int32_t  *pos   = &c.positions[first];
                const unsigned char *where = &c.where[first];
                for (unsigned int a = 0; a < n_s; ++a)
                  {
                    rows[a] = static_cast<PetscInt>(c.dofs_u[k * n + d * n_s + a]);
                    if (where[a * n_s] == 2) // another rank's row: through PETSc's stash
                      {
                        const PetscInt row = rows[a];
                        for (unsigned int b = 0; b < n_s; ++b)
                          columns[b] = static_cast<PetscInt>(c.dofs_u[k * n + d * n_s + b]);
                        petsc_check(
                          MatSetValues(matrix, 1, &row, n_s, columns.data(), &block[a * n_s], ADD_VALUES),
                          "MatSetValues");
                        continue;
                      }
                    for (unsigned int b = 0; b < n_s; ++b)
                      (where[a * n_s + b] == 0 ? diagonal : off_diagonal)[pos[a * n_s + b]] +=
                        block[a * n_s + b];
                  }
                petsc_check(VecSetValues(vector, n_s, rows.data(), &rhs[d * n_s], ADD_VALUES),
                            "VecSetValues");
              }
        }
      petsc_check(MatSeqAIJRestoreArray(local_matrices[0], &diagonal), "MatSeqAIJRestoreArray");
      if (local_matrices[1] != nullptr)
        petsc_check(MatSeqAIJRestoreArray(local_matrices[1], &off_diagonal), "MatSeqAIJRestoreArray");
      // the cells with constrained DoFs, after the direct writes (distribute_local_to_global uses
      // MatSetValues)
      for (const auto &[local_dofs, local_matrix, local_rhs] : constrained_cells)
        constraints_u.distribute_local_to_global(
          local_matrix, local_rhs, local_dofs, velocity_matrix, velocity_rhs);
      velocity_matrix.compress(VectorOperation::add);
      velocity_rhs.compress(VectorOperation::add);
    }

    template <int dim>
    void
    NavierStokes<dim>::find_matrix_positions(const std::array<Mat, 2> &local_matrices,
                                             const PetscInt           *column_map)
    {
      CellCache         &c   = cache;
      const unsigned int n_s = c.n_s, n = dim * n_s;
      const PetscInt     first_row = *owned_u.begin(), end_row = first_row + owned_u.n_elements();
      // the rows' column indices of both parts (the off-diagonal part's columns through its column map)
      std::array<const PetscInt *, 2> row_start{{nullptr, nullptr}}, columns{{nullptr, nullptr}};
      // MatGetRowIJ, then MatRestoreRowIJ (the same arguments) on both parts
      const auto row_structure = [&](const auto function, const char *name) {
        for (unsigned int part = 0; part < 2; ++part)
          if (local_matrices[part] != nullptr)
            {
              PetscInt  n_rows = 0;
              PetscBool done   = PETSC_FALSE;
              petsc_check(function(local_matrices[part],
                                   0,
                                   PETSC_FALSE,
                                   PETSC_FALSE,
                                   &n_rows,
                                   &row_start[part],
                                   &columns[part],
                                   &done),
                          name);
              if (!done)
                throw std::logic_error("navier-stokes: the velocity matrix gives no row structure");
            }
      };
      row_structure(MatGetRowIJ, "MatGetRowIJ");
      PetscInt n_off_columns = 0;
      if (local_matrices[1] != nullptr)
        petsc_check(MatGetSize(local_matrices[1], nullptr, &n_off_columns), "MatGetSize");
      const auto find = [&](const unsigned int part, const PetscInt row, const PetscInt column) {
        const PetscInt *begin = columns[part] + row_start[part][row],
                       *end   = columns[part] + row_start[part][row + 1];
        const PetscInt *found = std::lower_bound(begin, end, column);
        if (found == end || *found != column)
          throw std::logic_error("navier-stokes: a cell's entry is not in the velocity matrix's sparsity");
        return static_cast<std::int32_t>(found - columns[part]);
      };
      c.positions.assign(c.cells.size() * dim * n_s * n_s, 0);
      c.where.assign(c.positions.size(), 2);
      for (std::size_t k = 0; k < c.cells.size(); ++k)
        for (unsigned int d = 0; d < dim; ++d)
          {
            if (c.constrained[k])
              break; // constraints_u adds the constrained cells
            const std::int64_t *dofs  = &c.dofs_u[k * n + d * n_s];
            const std::size_t   first = (k * dim + d) * n_s * n_s;
            for (unsigned int a = 0; a < n_s; ++a)
              {
                if (dofs[a] < first_row || dofs[a] >= end_row)
                  continue; // another rank's row
                const PetscInt row = dofs[a] - first_row;
                for (unsigned int b = 0; b < n_s; ++b)
                  {
                    const std::size_t i = first + a * n_s + b;
                    if (dofs[b] >= first_row && dofs[b] < end_row)
                      {
                        c.where[i]     = 0;
                        c.positions[i] = find(0, row, dofs[b] - first_row);
                      }
                    else
                      {
                        const PetscInt *map   = column_map;
                        const PetscInt *found = std::lower_bound(map, map + n_off_columns, dofs[b]);
                        if (local_matrices[1] == nullptr || found == map + n_off_columns || *found != dofs[b])
                          throw std::logic_error(
                            "navier-stokes: a cell's column is not in the velocity matrix");
                        c.where[i]     = 1;
                        c.positions[i] = find(1, row, found - map);
                      }
                  }
              }
          }
      row_structure(MatRestoreRowIJ, "MatRestoreRowIJ");
    }

    template <int dim>
    void
    NavierStokes<dim>::assemble_pressure_rhs_cached(const double alpha0, const double dt)
    {
      if (!cache.valid)
        build_cache();
      const CellCache                     &c   = cache;
      const unsigned int                   n_q = c.n_q, n_s = c.n_s, n_p = c.n_p, n = dim * n_s;
      const LocalValues                    un(u_n); // u_n holds u^{n+1} here
      Vector<double>                       cell_phi(n_p), cell_div(n_p);
      std::vector<types::global_dof_index> dofs(n_p);
      for (std::size_t k = 0; k < c.cells.size(); ++k)
        {
          const unsigned int   *lu  = &c.local_u[k * n];
          const Tensor<1, dim> *G   = &c.grad[k * n_q * n_s];
          const double         *JxW = &c.JxW[k * n_q];
          cell_div                  = 0;
          for (unsigned int q = 0; q < n_q; ++q)
            {
              double divergence = 0.;
              for (unsigned int d = 0; d < dim; ++d)
                for (unsigned int a = 0; a < n_s; ++a)
                  divergence += G[q * n_s + a][d] * un[lu[d * n_s + a]];
              for (unsigned int i = 0; i < n_p; ++i)
                cell_div(i) += divergence * c.phi_p[q * n_p + i] * JxW[q];
            }
          for (unsigned int i = 0; i < n_p; ++i)
            cell_phi(i) = -alpha0 / dt * cell_div(i);
          std::copy(&c.dofs_p[k * n_p], &c.dofs_p[k * n_p] + n_p, dofs.begin());
          constraints_phi.distribute_local_to_global(cell_phi, dofs, pressure_rhs);
          hanging_p.distribute_local_to_global(cell_div, dofs, divergence_rhs);
        }
      pressure_rhs.compress(VectorOperation::add);
      divergence_rhs.compress(VectorOperation::add);
    }

    template <int dim>
    std::array<double, 5>
    NavierStokes<dim>::cell_statistics_cached(const double dt)
    {
      if (!cache.valid)
        build_cache();
      const CellCache                       &c   = cache;
      const unsigned int                     n_q = c.n_q, n_s = c.n_s, n = dim * n_s;
      const LocalValues                      un(u_n);
      std::array<double, 5>                  sums{}; // energy, enstrophy, dissipation, |div u|^2, CFL
      physics_tools::MeshVelocityValues<dim> mesh_velocity(context.mesh_mover, QGauss<dim>(degree + 1));
      std::vector<Tensor<1, dim>>            w(n_q);
      std::vector<double>                    U(n);
      for (std::size_t k = 0; k < c.cells.size(); ++k)
        {
          const unsigned int   *lu  = &c.local_u[k * n];
          const Tensor<1, dim> *G   = &c.grad[k * n_q * n_s];
          const double         *JxW = &c.JxW[k * n_q];
          for (unsigned int i = 0; i < n; ++i)
            U[i] = un[lu[i]];
          if (mesh_velocity.active()) // the CFL number of the ALE convection u - w
            mesh_velocity.get(c.cells[k][0], c.cells[k][1], w);
          for (unsigned int q = 0; q < n_q; ++q)
            {
              Tensor<1, dim> v;
              Tensor<2, dim> g;
              for (unsigned int d = 0; d < dim; ++d)
                for (unsigned int a = 0; a < n_s; ++a)
                  {
                    v[d] += c.phi[q * n_s + a] * U[d * n_s + a];
                    g[d] += U[d * n_s + a] * G[q * n_s + a];
                  }
              Tensor<1, 3> vorticity;
              vorticity[2] = g[1][0] - g[0][1];
              if constexpr (dim == 3)
                {
                  vorticity[0] = g[2][1] - g[1][2];
                  vorticity[1] = g[0][2] - g[2][0];
                }
              const SymmetricTensor<2, dim> e = symmetrize(g);
              sums[0] += 0.5 * v.norm_square() * JxW[q];
              sums[1] += 0.5 * vorticity.norm_square() * JxW[q];
              sums[2] += 2. * viscosity * (e * e) * JxW[q];
              sums[3] += std::pow(trace(g), 2) * JxW[q];
              sums[4] = std::max(sums[4], (v - w[q]).norm() * dt / c.h[k]);
            }
        }
      return sums;
    }

    template void
    NavierStokes<2>::find_matrix_positions(const std::array<Mat, 2> &, const PetscInt *);
    template void
    NavierStokes<3>::find_matrix_positions(const std::array<Mat, 2> &, const PetscInt *);
    template void
    NavierStokes<2>::assemble_pressure_rhs_cached(double, double);
    template void
    NavierStokes<3>::assemble_pressure_rhs_cached(double, double);
    template std::array<double, 5>
    NavierStokes<2>::cell_statistics_cached(double);
    template std::array<double, 5>
    NavierStokes<3>::cell_statistics_cached(double);
    template bool
    NavierStokes<2>::cached_assembly() const;
    template bool
    NavierStokes<3>::cached_assembly() const;
    template void
    NavierStokes<2>::build_cache();
    template void
    NavierStokes<3>::build_cache();
    template void
    NavierStokes<2>::assemble_velocity_system_cached(const StepInfo &,
                                                     double,
                                                     double,
                                                     double,
                                                     double,
                                                     const std::vector<double> &);
    template void
    NavierStokes<3>::assemble_velocity_system_cached(const StepInfo &,
                                                     double,
                                                     double,
                                                     double,
                                                     double,
                                                     const std::vector<double> &);
  } // namespace navier_stokes
} // namespace hyfe
