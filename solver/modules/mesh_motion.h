#pragma once

#include <deal.II/base/index_set.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/fe/fe_system.h>
#include <deal.II/fe/mapping_q.h>
#include <deal.II/fe/mapping_q_cache.h>
#include <deal.II/fe/mapping_q_eulerian.h>
#include <deal.II/lac/affine_constraints.h>
#include <deal.II/lac/petsc_vector.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "solver/modules/mesh_mover.h"

namespace dealii
{
  namespace parallel
  {
    namespace distributed
    {
      template <int dim, typename VectorType, int spacedim>
      class SolutionTransfer;
    }
  } // namespace parallel
} // namespace dealii

namespace hyfe
{
  /** @brief The guard's entries of the `mesh mover` subsection, shared by every mover. */
  struct MeshGuardParameters
  {
    double                               minimum_quality = 0.1; ///< of the motion's deformation gradient
    std::string                          fallback        = "keep previous mesh"; ///< or "reference mesh"
    std::set<dealii::types::boundary_id> moving_ids; ///< boundaries that may move off themselves
  };

  /** @brief What the guard found on one candidate mesh (collective figures over all ranks). */
  struct MeshQuality
  {
    double min_det_j      = 0.; ///< smallest det J of the moved mapping at a quadrature point or vertex
    double max_det_j      = 0.; ///< largest
    double min_quality    = 0.; ///< smallest mean ratio of the motion's deformation gradient F = J J_ref^-1
    double boundary_drift = 0.; ///< largest |d.n| of a vertex on a fixed boundary, relative to the cell size
    unsigned long inverted_cells = 0; ///< cells with det J <= 0 at some point
    bool          valid          = true;
    std::string   reason; ///< why not valid
  };

  /**
   * @brief Throws an InputError that names @p entry, the id and the mesh's ids, if an id of @p ids is not a
   * boundary id of @p triangulation.
   */
  template <int dim>
  void
  check_boundary_ids_exist(const dealii::Triangulation<dim, dim>      &triangulation,
                           const std::set<dealii::types::boundary_id> &ids,
                           const std::string                          &entry);

  /**
   * @brief The core of mesh motion, which every mover but `none` derives from: the displacement d in
   * FE_Q(mapping degree)^dim on its own DoF handler with hanging-node constraints, its history (the
   * displacements at the two previous steps), the mesh velocity w = the BDF derivative of the history
   * (BDF1 on the first step or with the bdf1 scheme, BDF2 with variable steps otherwise), and the
   * MappingQCache of the reference MappingQ (with the manifolds) plus d, on the reference
   * triangulation (whose vertices are never moved: p4est would
   * lose them on repartitioning). The history goes through every adaptation (SolutionTransfer, then the
   * new constraints) and into checkpoints. Every candidate displacement is checked collectively by the
   * guard (check_mesh()) before it is used: det J > 0 at the quadrature points and vertices of every
   * cell, the mean ratio of the motion's deformation gradient at least `minimum quality`, and no vertex of
   * a fixed boundary off its boundary; a failed candidate is replaced by the fallback (the previous mesh,
   * or the reference mesh) and counted.
   */
  template <int dim>
  class DisplacementMover : public MeshMover<dim>
  {
  public:
    DisplacementMover();
    ~DisplacementMover() override;

    /** @brief The guard's entries, read by MeshMover::create(). */
    void
    set_guard(const MeshGuardParameters &parameters)
    {
      guard = parameters;
    }

    void
    setup(const dealii::Triangulation<dim, dim> &triangulation,
          unsigned int                           mapping_degree,
          double                                 time,
          bool                                   resumed) override;
    bool
    move_mesh(const StepInfo &step, const StateView &state) override;
    bool
    move_initial_mesh(const StateView &state) override;
    const dealii::Mapping<dim, dim> &
    mapping() const override;
    double
    max_displacement() const override;
    const dealii::DoFHandler<dim, dim> *
    displacement_dof_handler() const override
    {
      return &dof_handler;
    }
    const dealii::PETScWrappers::MPI::Vector *
    mesh_velocity() const override
    {
      return &velocity;
    }
    const dealii::PETScWrappers::MPI::Vector *
    displacement() const override
    {
      return &current;
    }
    void
    before_adaptation(const StateView &state) override;
    void
    after_adaptation(const StateView &state) override;
    void
    save_checkpoint(ModuleArchive &archive) const override;
    void
    load_checkpoint(ModuleArchive &archive) override;
    void
    add_output_fields(OutputFields &fields) const override;
    std::vector<std::pair<std::string, double>>
    statistics() const override;
    std::vector<std::pair<std::string, double>>
    summary() const override;

    bool
    moves_boundary(dealii::types::boundary_id id) const override
    {
      return guard.moving_ids.count(id) > 0 || moved_boundaries().count(id) > 0;
    }

    /** @brief The guard's figures of the current mesh (collective). */
    MeshQuality
    check_mesh() const;

  protected:
    /**
     * @brief The candidate displacement at the end of @p step into @p d (owned entries, on
     * dof_handler; it holds the current displacement on entry). Returns the iterations it took (0 for
     * a direct evaluation). Called on every step; a mover that moves every N steps leaves @p d as it is
     * on the others.
     */
    virtual unsigned int
    compute_displacement(const StepInfo                     &step,
                         const StateView                    &state,
                         dealii::PETScWrappers::MPI::Vector &d) = 0;

    /** @brief The displacement at the start @p time into @p d (owned); default zero. */
    virtual void
    initial_displacement(double /*time*/, dealii::PETScWrappers::MPI::Vector & /*d*/)
    {
    }

    /** @brief The boundaries that the mover itself moves (they may leave their place). */
    virtual std::set<dealii::types::boundary_id>
    moved_boundaries() const
    {
      return {};
    }

    /**
     * @brief Called after the DoFs of the displacement were distributed (the first set-up and every
     * adaptation), before anything is computed on them: a mover sets up what lives on the mesh.
     */
    virtual void
    mesh_changed()
    {
    }

    /**
     * @brief Called when the guard refused the last candidate of compute_displacement() (or the mover
     * rejected it): a mover with state of its own (a potential) goes back to that of the mesh in use;
     * @p to_reference: the fallback is the reference mesh.
     */
    virtual void
    candidate_refused(bool /*to_reference*/)
    {
    }

    /**
     * @brief After the guard refused the candidate of compute_displacement() (or the mover rejected
     * it): a second candidate into @p d (owned; it holds the mesh in use on entry), which the guard then
     * checks in turn; a learned mover's classical twin. Returns false if there is none (the default):
     * then the guard's fallback replaces the candidate.
     */
    virtual bool
    second_candidate(const StepInfo & /*step*/,
                     const StateView & /*state*/,
                     dealii::PETScWrappers::MPI::Vector & /*d*/)
    {
      return false;
    }

    /** @brief Further statistics columns of the mover (appended to the common ones). */
    virtual std::vector<std::pair<std::string, double>>
    mover_statistics() const
    {
      return {};
    }

    /** @brief The mapping of the reference (unmoved) mesh, of the mapping degree. */
    const dealii::Mapping<dim, dim> &
    reference_mapping() const
    {
      return *reference;
    }

    unsigned int                      degree = 0;
    MPI_Comm                          comm;
    dealii::DoFHandler<dim, dim>      dof_handler;
    dealii::IndexSet                  owned, relevant;
    dealii::AffineConstraints<double> hanging;
    /// set by compute_displacement(): its candidate is not to be used (e.g. an iteration that did not
    /// converge); the guard's fallback replaces it and counts it
    bool candidate_rejected = false;

  private:
    void
    distribute_dofs();
    void
    mesh_velocity_from_history(double dt);
    /** @brief Recomputes the moved mapping's support points from `current`. */
    void
    update_mapping();
    /**
     * @brief The refused candidate is replaced by second_candidate() from @p in_use if there is one and
     * the guard accepts it (then `current`, the mapping and @p quality are its); returns whether it was.
     */
    bool
    try_second_candidate(const StepInfo                           &step,
                         const StateView                          &state,
                         const dealii::PETScWrappers::MPI::Vector &in_use,
                         MeshQuality                              &quality);

    MeshGuardParameters                    guard;
    const dealii::Triangulation<dim, dim> *triangulation = nullptr;
    std::unique_ptr<dealii::FESystem<dim>> fe;
    std::unique_ptr<dealii::MappingQ<dim>> reference;
    /// the moved mapping of degree >= 2: the reference MappingQ's support points (manifolds, curved
    /// boundaries) plus d (a MappingQEulerian would place them on straight lines)
    std::unique_ptr<dealii::MappingQCache<dim>> cached;
    /// the moved mapping of degree 1 (straight cells either way; MappingQCache(1) of a displacement vector
    /// does not move the mesh in deal.II 9.4)
    std::unique_ptr<dealii::MappingQEulerian<dim, dealii::PETScWrappers::MPI::Vector>> eulerian;
    /// ghosted: d at the end of the last step, the step before and the one before that; w
    dealii::PETScWrappers::MPI::Vector current, old, older, velocity;
    double                             dt_old = 0.; ///< the step between old and older (0: no history)
    double                             displacement_time = 0.; ///< the time of `current`
    unsigned int                       n_moves           = 0;
    bool                               scheme_bdf2       = false; ///< the time scheme of the run is bdf2
    bool                               steady            = false; ///< it is steady: w = 0
    std::unique_ptr<
      dealii::parallel::distributed::SolutionTransfer<dim, dealii::PETScWrappers::MPI::Vector, dim>>
      transfer;

    // statistics of the last move and totals
    MeshQuality   last_quality;
    double        last_time = 0., total_time = 0.;
    unsigned int  last_iterations = 0;
    bool          last_fallback = false, last_tangled = false; ///< refused; with inverted cells
    unsigned long n_fallbacks = 0, total_iterations = 0, n_tangled = 0;
    double        worst_det_j = 0., worst_quality = 1.;
    bool          any_move = false;
  };
} // namespace hyfe
