#pragma once

#include <deal.II/base/index_set.h>
#include <deal.II/base/mpi.h>
#include <deal.II/base/point.h>
#include <deal.II/base/tensor.h>
#include <deal.II/base/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace dealii
{
  template <int dim, int spacedim>
  class DoFHandler;
  namespace Utilities
  {
    namespace MPI
    {
      class Partitioner;
    }
  } // namespace Utilities
} // namespace dealii

namespace hyfe
{
  /**
   * @brief The graph of a rank's mesh vertices for a learned mesh mover (no torch here: the features are
   * classical, and the `monge-ampere` mover writes the same graph as training data).
   *
   * Nodes are the locally relevant DoFs of a scalar FE_Q(1) DoF handler (the vertices of the owned and
   * ghost cells), owned first, then the ghosts, each in the order of their global index: the order of a
   * distributed vector's local elements, so that update_ghosts() gives every ghost node its owner's
   * values. Edges are the cell lines, in both directions, sorted by target node and then by the source's
   * reference position: an owned node sees all its neighbours in the same order on any number of ranks
   * and for any vertex numbering.
   *
   * A node is `fixed` on a curved boundary, on a boundary of @p fixed_ids, or where boundary faces of
   * different normals meet (a corner, an edge in 3-D); `sliding` on one flat boundary (normal n), where
   * it moves only along the boundary's lines; `hanging` if it is a constrained (hanging) vertex. Its cell
   * size h is the mean length of its edges on the reference mesh.
   */
  template <int dim>
  class VertexGraph
  {
  public:
    VertexGraph();
    ~VertexGraph();

    /**
     * @brief Node features: m / mean(m), h grad(m) / mean(m), log2(h / mean(h)), sliding, fixed, hanging,
     * and the linearised Monge–Ampère displacement over h.
     */
    static std::vector<std::string>
    node_feature_names();

    /**
     * @brief Edge features: the reference offset (xi_j - xi_i) / h_i, the current offset
     * (x_j - x_i) / h_i, and whether the edge lies on a boundary face.
     */
    static std::vector<std::string>
    edge_feature_names();

    /** @brief Builds the graph of @p vertices (a scalar FE_Q(1) DoF handler on the reference mesh). */
    void
    build(const dealii::DoFHandler<dim, dim>         &vertices,
          const std::set<dealii::types::boundary_id> &fixed_ids,
          MPI_Comm                                    comm);

    /** @brief The node of the vertex DoF @p g (owned or ghost). */
    unsigned int
    node_of(dealii::types::global_dof_index g) const;

    /** @brief The ghost nodes' values (@p components per node) from their owners (collective). */
    void
    update_ghosts(std::vector<double> &values, unsigned int components) const;

    /**
     * @brief The node features [n_nodes, n_node_features] from the monitor at every node and the
     * linearised displacement @p linear [n_nodes * dim] (their owned entries are used; the ghosts get
     * their owners' features).
     */
    std::vector<float>
    node_features(const std::vector<double> &monitor, const std::vector<double> &linear) const;

    /** @brief The edge features [n_edges, n_edge_features] for the node displacements @p d [n_nodes * dim].
     */
    std::vector<float>
    edge_features(const std::vector<double> &d) const;

    /** @brief The edges as [2, n_edges]: the target nodes, then the source nodes. */
    std::vector<std::int64_t>
    edge_index() const;

    /**
     * @brief One deformation layer (Jacobi): every owned, not fixed node i moves to the convex combination
     * sum_j w_ij x_j of its own and its neighbours' current positions x = xi + d, with w the softmax of
     * (@p self_logits[i], @p logits of its edges); a sliding node takes only the neighbours along its
     * boundary, and its normal component is removed. Then the ghosts are updated. Non-finite logits
     * give non-finite displacements (the caller checks).
     */
    void
    deform(const std::vector<float> &logits,
           const std::vector<float> &self_logits,
           std::vector<double>      &d) const;

    /**
     * @brief Writes one training sample (binary, little endian; learned/training/mover_data.py reads it):
     * the node features, the edges, their reference features, the node kinds and cell sizes, the
     * @p target displacement [n_nodes * dim], the reference positions, the normals and the @p linear
     * displacement (one rank: all nodes).
     */
    void
    write_sample(std::ostream              &out,
                 const std::vector<double> &monitor,
                 const std::vector<double> &linear,
                 const std::vector<double> &target) const;

    static constexpr unsigned int n_node_features = 2 * dim + 5;
    static constexpr unsigned int n_edge_features = 2 * dim + 1;

    unsigned int                                 n_owned = 0;
    std::vector<dealii::types::global_dof_index> dofs;           ///< the nodes' global indices
    std::vector<dealii::Point<dim>>              xi;             ///< reference positions
    std::vector<double>                          h;              ///< cell sizes
    std::vector<unsigned char>                   kind;           ///< 0 interior, 1 sliding, 2 fixed
    std::vector<unsigned char>                   hanging;        ///< 1: a hanging vertex
    std::vector<dealii::Tensor<1, dim>>          normal;         ///< of a sliding node's boundary
    std::vector<unsigned int>                    target, source; ///< the edges
    std::vector<unsigned char>                   on_boundary;    ///< the edge lies on a boundary face
    std::vector<unsigned int> first_edge;  ///< edges of node i: [first_edge[i], first_edge[i+1])
    double                    mean_h = 1.; ///< over the owned nodes of all ranks

  private:
    MPI_Comm         comm = MPI_COMM_SELF;
    dealii::IndexSet owned_dofs, ghost_dofs;
    /// partitioners of `components` values per node
    mutable std::map<unsigned int, std::shared_ptr<const dealii::Utilities::MPI::Partitioner>> partitioners;
  };
} // namespace hyfe
