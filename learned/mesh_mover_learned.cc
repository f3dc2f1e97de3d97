/**
 * @file
 * @brief The learned mesh mover `learned-monge-ampere`: a local graph network over the rank's mesh
 * vertices, trained on the meshes of hyfe's own `monge-ampere` mover (learned/training/train_mover.py),
 * run on every rank with a ghost update after every layer, guarded, with `monge-ampere` as its classical
 * twin (fallback and shadow).
 *
 * The graph and its features are those of VertexGraph (solver/modules/mesh_graph.h): per vertex the
 * monitor over its mean, its least-squares gradient times the cell size, the cell size over its mean
 * (log2) and the sliding, fixed and hanging flags; per edge the reference and the current offsets over
 * the cell size and a boundary flag. The model file exports two methods (TorchScript):
 *   encode(x [N, F]) -> h [N, H]                          (the normalisation is inside the model)
 *   layer(k, h, edge_index [2, E], edge_attr [E, G]) -> (h [N, H], logits [E], self_logits [N])
 * and hyfe runs, from the displacement of the Monge–Ampère equation linearised about the reference mesh
 * (one solve with the twin's factored Laplacian: the global part of the move, which a network with a
 * receptive field of `layers` edges cannot see; also a node feature):
 *   h = encode(x); for k < layers: (h, l, s) = layer(k, ...), ghost update of h (the next layer's
 *   messages read the neighbours' h); every owned vertex moves to the convex combination of its own and its
 * neighbours' positions with the weights softmax(s_i, l_ij) (a sliding vertex: its boundary neighbours only;
 * a fixed vertex stays), then a ghost update of d. Each vertex moves within the hull of its neighbours at
 * every layer (after UM2N's decoder, which resists tangling); an owned vertex sees its whole neighbourhood in
 * an order fixed by the reference positions, so the result does not depend on the number of ranks or the
 * vertex numbering beyond round-off. No global attention: the receptive field is `layers` edges.
 *
 * The contract in the file (checked at load, then a dry run on a triangle): system `mesh mover`, kind
 * `learned-monge-ampere`, inputs [node_features, edge_index, edge_features], the feature names (nodes,
 * then edges), outputs [logits, self_logits], normalisation `mover-graph-v1`, the dimension and the
 * number of layers. A non-finite displacement, or a mesh that the guard refuses, falls back to
 * `monge-ampere` on the same monitor (`fallback`), counted; `shadow interval` runs both.
 */
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/utilities.h>

#include <chrono>
#include <cmath>
#include <iostream>

#include "learned/torch_model.h"
#include "solver/core/exceptions.h"
#include "solver/core/module_archive.h"
#include "solver/core/parameters.h"
#include "solver/core/registry.h"
#include "solver/modules/mesh_mover_monge_ampere.h"

namespace hyfe
{
  namespace learned
  {
    namespace
    {
      using monge_ampere::MongeAmpereMotion;
      using Vec   = dealii::PETScWrappers::MPI::Vector;
      using Clock = std::chrono::steady_clock;

      double
      seconds_since(const Clock::time_point start)
      {
        return std::chrono::duration<double>(Clock::now() - start).count();
      }

      /** @brief The learned Monge–Ampère mover of the file comment. */
      template <int dim>
      class LearnedMongeAmpere : public MongeAmpereMotion<dim>
      {
      public:
        /** @brief monge-ampere's entries (monitor, when to move, the twin's iteration) and the model's. */
        static void
        declare_parameters(dealii::ParameterHandler &prm)
        {
          MongeAmpereMotion<dim>::declare_parameters(prm);
          prm.declare_entry("model file",
                            HYFE_MODEL_DIR "/learned-monge-ampere.pt",
                            dealii::Patterns::FileName(),
                            "TorchScript file of the graph network, with its contract (system mesh mover, "
                            "model learned-monge-ampere); relative to the parameter file's folder. Default: "
                            "the model shipped with hyfe (learned/models/learned-monge-ampere.pt). A path.");
          prm.declare_entry("threads",
                            "1",
                            dealii::Patterns::Integer(1, 256),
                            "LibTorch intra-op threads per rank for the inference; keep ranks x threads "
                            "<= cores. Unitless, in [1, 256].");
          prm.declare_entry("fallback",
                            "monge-ampere",
                            dealii::Patterns::Selection("monge-ampere|none"),
                            "What replaces a learned mesh that has a non-finite displacement or that the "
                            "guard refuses: 'monge-ampere' (the classical twin on the same monitor, with the "
                            "entries above; if the guard refuses its mesh too, the guard's 'fallback') or "
                            "'none' (the guard's 'fallback' of the mesh mover subsection directly). Every "
                            "fallback is counted. One of monge-ampere|none.");
          prm.declare_entry("shadow interval",
                            "0",
                            dealii::Patterns::Integer(0, 1000000),
                            "Every this many moves, also run monge-ampere on the same monitor (its mesh is "
                            "not used) and log both equidistribution measures, both costs and the largest "
                            "displacement difference relative to the cell size (stats.csv columns shadow_*, "
                            "output field displacement_shadow_difference); 0: never. Moves, in [0, "
                            "1000000].");
        }

        /** @brief Loads the model and checks its contract and a dry run (an InputError otherwise). */
        explicit LearnedMongeAmpere(dealii::ParameterHandler &prm)
            : MongeAmpereMotion<dim>(prm, "mesh mover/learned-monge-ampere/")
            , file(resolve_path(parameter_file_folder(), prm.get("model file")))
            , threads(prm.get_integer("threads"))
            , to_twin(prm.get("fallback") == "monge-ampere")
            , shadow_interval(prm.get_integer("shadow interval"))
            , model(file,
                    "learned-monge-ampere",
                    MeshMover<dim>::system_name,
                    "learned-monge-ampere",
                    3,
                    threads)
        {
          check_contract();
        }

        std::vector<std::string>
        description() const override
        {
          return {"learned-monge-ampere model " + file,
                  "  sha256 " + model.sha256(),
                  "  " + std::to_string(layers) + " message-passing layers; fallback: " +
                    std::string(to_twin ? "monge-ampere" : "the guard's"),
                  "  trained on: " + model.contract().trained_on,
                  "  training command: " + model.contract().training_command,
                  "  LibTorch threads per rank: " + std::to_string(threads)};
        }

        std::vector<std::pair<std::string, std::string>>
        restart_invariants() const override
        {
          return {{"learned-monge-ampere model sha256", model.sha256()}};
        }

        void
        add_output_fields(OutputFields &fields) const override
        {
          MongeAmpereMotion<dim>::add_output_fields(fields);
          if (shadow_interval > 0)
            fields.dof_vectors.push_back({"displacement_shadow_difference", "mesh", &shadow_difference});
        }

        std::vector<std::pair<std::string, double>>
        summary() const override
        {
          auto rows = MongeAmpereMotion<dim>::summary();
          rows.emplace_back("learned moves", static_cast<double>(n_learned));
          rows.emplace_back("fallbacks to monge-ampere", static_cast<double>(n_twin));
          rows.emplace_back("non-finite learned displacements", static_cast<double>(n_non_finite));
          rows.emplace_back("mean inference time", n_learned > 0 ? total_inference / n_learned : 0.);
          rows.emplace_back("shadow comparisons", static_cast<double>(n_shadows));
          return rows;
        }

        void
        save_checkpoint(ModuleArchive &archive) const override
        {
          MongeAmpereMotion<dim>::save_checkpoint(archive);
          archive.set_number("learned_moves", n_learned);
          archive.set_number("twin_fallbacks", n_twin);
          archive.set_number("non_finite", n_non_finite);
          archive.set_number("shadows", n_shadows);
          archive.set_number("total_inference", total_inference);
          archive.set_number("last_inference", last_inference);
          archive.set_number("learned_equidistribution", learned_equidistribution);
        }

        void
        load_checkpoint(ModuleArchive &archive) override
        {
          MongeAmpereMotion<dim>::load_checkpoint(archive);
          n_learned                = static_cast<unsigned long>(archive.get_number("learned_moves"));
          n_twin                   = static_cast<unsigned long>(archive.get_number("twin_fallbacks"));
          n_non_finite             = static_cast<unsigned long>(archive.get_number("non_finite"));
          n_shadows                = static_cast<unsigned long>(archive.get_number("shadows"));
          total_inference          = archive.get_number("total_inference");
          last_inference           = archive.get_number("last_inference");
          learned_equidistribution = archive.get_number("learned_equidistribution");
        }

      protected:
        void
        mesh_changed() override
        {
          MongeAmpereMotion<dim>::mesh_changed();
          shadow_difference.reinit(this->owned, this->relevant, this->comm);
        }

        unsigned int
        compute_displacement(const StepInfo &step, const StateView &state, Vec &d) override
        {
          relaxed  = false;
          shadowed = false;
          if (!this->move_due(step, state, d))
            return 0;
          const auto start = Clock::now();
          learned_move(d);
          last_inference = seconds_since(start);
          total_inference += last_inference;
          ++n_learned;
          const bool shadow_due = shadow_interval > 0 && n_learned % shadow_interval == 0;
          // the measure of a field monitor needs a remote point evaluation at the moved vertices, which
          // would cost more than the network: on shadow turns only (the column keeps the last value)
          if (!this->monitor->from_field() || shadow_due)
            learned_equidistribution = this->equidistribution_of(d);
          if (shadow_due)
            shadow(step, state, d);
          return 0;
        }

        bool
        second_candidate(const StepInfo &step, const StateView &state, Vec &d) override
        {
          if (!to_twin)
            return false;
          ++n_twin;
          relaxed = true;
          this->classical_move(step, state, d);
          return true;
        }

        void
        candidate_refused(const bool to_reference) override
        {
          if (relaxed || to_reference)
            MongeAmpereMotion<dim>::candidate_refused(to_reference);
        }

        std::vector<std::pair<std::string, double>>
        mover_statistics() const override
        {
          return {{"equidistribution", learned_equidistribution},
                  {"inference_time", last_inference},
                  {"network_time", last_network},
                  {"twin_fallbacks", static_cast<double>(n_twin)},
                  {"shadow", shadowed ? 1. : 0.},
                  {"shadow_equidistribution", shadowed ? shadow_equidistribution : 0.},
                  {"shadow_classical_time", shadowed ? shadow_time : 0.},
                  {"shadow_classical_iterations", shadowed ? double(shadow_iterations) : 0.},
                  {"shadow_max_difference", shadowed ? shadow_max_difference : 0.}};
        }

      private:
        /** @brief The contract's entries and a dry run on a triangle of three fixed vertices. */
        void
        check_contract()
        {
          const ModelContract           &c     = model.contract();
          const std::string              where = "module 'learned-monge-ampere', model file '" + file + "'";
          const std::vector<std::string> inputs{"node_features", "edge_index", "edge_features"};
          if (c.inputs != inputs)
            throw InputError(where + ": the contract's inputs are [" + join(c.inputs) +
                             "], learned-monge-ampere feeds [" + join(inputs) + "]");
          std::vector<std::string> features = VertexGraph<dim>::node_feature_names();
          for (const auto &name : VertexGraph<dim>::edge_feature_names())
            features.push_back(name);
          if (c.dimension != dim)
            throw InputError(where + ": the model was trained for dimension " + std::to_string(c.dimension) +
                             " (contract entry 'dimension'), but this run has dimension " +
                             std::to_string(dim));
          if (c.features != features)
            throw InputError(where + ": the contract's features are [" + join(c.features) +
                             "], learned-monge-ampere computes [" + join(features) + "]");
          if (c.outputs != std::vector<std::string>{"logits", "self_logits"})
            throw InputError(where + ": the contract's outputs are [" + join(c.outputs) +
                             "], learned-monge-ampere reads [logits, self_logits]");
          if (c.normalisation.rfind("mover-graph-v1", 0) != 0)
            throw InputError(where + ": the contract's normalisation is '" + c.normalisation.substr(0, 40) +
                             "', learned-monge-ampere computes 'mover-graph-v1'");
          if (c.layers < 1 || c.layers > 64)
            throw InputError(where + ": the contract's 'layers' is " + std::to_string(c.layers) +
                             ", it must be in [1, 64]");
          layers = c.layers;
          // dry run: three nodes, all edges
          const std::int64_t n = 3, e = 6;
          FlatTensor         x, index, edges;
          x.shape = {n, VertexGraph<dim>::n_node_features};
          x.values.assign(n * VertexGraph<dim>::n_node_features, 0.f);
          index.shape      = {2, e};
          index.is_integer = true;
          index.indices    = {0, 0, 1, 1, 2, 2, 1, 2, 0, 2, 0, 1};
          edges.shape      = {e, VertexGraph<dim>::n_edge_features};
          edges.values.assign(e * VertexGraph<dim>::n_edge_features, 0.5f);
          try
            {
              const auto h = model.call("encode", {x});
              if (h.size() != 1 || h[0].shape.size() != 2 || h[0].shape[0] != n)
                throw InputError("encode returned no [3, H] tensor");
              // twice: the second call pays TorchScript's optimisation at load, not in the first move
              model.call("layer", {h[0], index, edges}, {0});
              const auto out = model.call("layer", {h[0], index, edges}, {0});
              if (out.size() != 3 || out[0].shape != h[0].shape || out[1].values.size() != std::size_t(e) ||
                  out[2].values.size() != std::size_t(n))
                throw InputError("layer returned no ([3, H], [6], [3]) triple");
            }
          catch (const std::exception &error)
            {
              const std::string what = error.what();
              throw InputError(where + ": the dry run on a triangle failed (" +
                               what.substr(0, what.find('\n')) +
                               "); the model needs the methods encode and layer");
            }
        }

        /** @brief The network's candidate into @p d, from the reference mesh; rejects a non-finite one. */
        void
        learned_move(Vec &d)
        {
          const auto        &graph = this->vertex_graph();
          const std::int64_t n = graph.dofs.size(), e = graph.target.size();
          FlatTensor         x, index, edges;
          Vec                linear;
          this->linearised_displacement(linear);
          std::vector<double> displacement = this->at_vertices(linear), hidden;
          x.shape                          = {n, VertexGraph<dim>::n_node_features};
          x.values                         = graph.node_features(this->monitor_at_vertices(), displacement);
          index.shape                      = {2, e};
          index.is_integer                 = true;
          index.indices                    = graph.edge_index();
          edges.shape                      = {e, VertexGraph<dim>::n_edge_features};
          const auto network_start         = Clock::now();
          FlatTensor h                     = model.call("encode", {x}).at(0);
          for (int k = 0; k < layers; ++k)
            {
              edges.values = graph.edge_features(displacement);
              auto out     = model.call("layer", {h, index, edges}, {k});
              if (out.size() != 3 || out[0].shape.size() != 2 || out[0].shape[0] != n ||
                  out[1].values.size() != std::size_t(e) || out[2].values.size() != std::size_t(n))
                throw RunError("module 'learned-monge-ampere': layer " + std::to_string(k) +
                               " returned wrong shapes");
              h = std::move(out[0]);
              hidden.assign(h.values.begin(), h.values.end());
              graph.update_ghosts(hidden, h.shape[1]); // the sources' h of the next layer
              std::copy(hidden.begin(), hidden.end(), h.values.begin());
              graph.deform(out[1].values, out[2].values, displacement);
            }
          last_network = seconds_since(network_start);
          bool finite  = true;
          for (const double v : displacement)
            finite = finite && std::isfinite(v);
          finite = dealii::Utilities::MPI::min(finite ? 1 : 0, this->comm) == 1;
          if (!finite)
            {
              ++n_non_finite;
              this->candidate_rejected = true; // the guard's path: the twin, or the guard's fallback
              return;
            }
          this->from_vertices(displacement, d);
        }

        /** @brief monge-ampere on the same monitor beside the learned candidate @p d; logs both. */
        void
        shadow(const StepInfo &step, const StateView &state, const Vec &d)
        {
          const bool rejected = this->candidate_rejected;
          Vec        classical(this->owned, this->comm);
          classical                = d;
          const auto start         = Clock::now();
          relaxed                  = true;
          shadow_iterations        = this->classical_move(step, state, classical);
          shadow_time              = seconds_since(start);
          const bool converged     = !this->candidate_rejected;
          this->candidate_rejected = rejected; // the shadow's failure is not the learned mesh's
          shadow_equidistribution  = this->equidistribution_of(classical);
          Vec difference(this->owned, this->comm);
          difference = d;
          difference.add(-1., classical);
          shadow_difference       = difference;
          const auto  at_vertices = this->at_vertices(difference);
          const auto &graph       = this->vertex_graph();
          double      largest     = 0.;
          for (unsigned int i = 0; i < graph.n_owned; ++i)
            {
              double norm = 0.;
              for (unsigned int c = 0; c < dim; ++c)
                norm += at_vertices[i * dim + c] * at_vertices[i * dim + c];
              largest = std::max(largest, std::sqrt(norm) / graph.h[i]);
            }
          shadow_max_difference = dealii::Utilities::MPI::max(largest, this->comm);
          shadowed              = true;
          ++n_shadows;
          if (dealii::Utilities::MPI::this_mpi_process(this->comm) == 0)
            std::cout << "hyfe: mesh mover shadow (step " << step.step << "): equidistribution learned "
                      << learned_equidistribution << ", monge-ampere " << shadow_equidistribution
                      << (converged ? "" : " (not converged)") << "; cost learned " << last_inference
                      << " s, monge-ampere " << shadow_time << " s (" << shadow_iterations
                      << " iterations); largest difference " << shadow_max_difference << " cell sizes"
                      << std::endl;
        }

        const std::string  file;
        const unsigned int threads;
        const bool         to_twin;
        const unsigned int shadow_interval;
        TorchModel         model;
        int                layers = 0;

        bool          relaxed = false, shadowed = false; ///< in this move: the twin ran; a shadow ran
        unsigned long n_learned = 0, n_twin = 0, n_non_finite = 0, n_shadows = 0;
        double        last_inference = 0., total_inference = 0., learned_equidistribution = 0.;
        double        last_network =
          0.; ///< the network's share of last_inference (the rest: features, linearised solve)
        double       shadow_equidistribution = 0., shadow_time = 0., shadow_max_difference = 0.;
        unsigned int shadow_iterations = 0;
        Vec          shadow_difference; ///< learned minus classical displacement (ghosted)
      };
    } // namespace

    /** @brief Registration (called from register_learned_modules()). */
    void
    register_learned_mover()
    {
      const std::string description =
        "learned Monge-Ampere mover: a local graph network over the mesh vertices, trained on monge-ampere "
        "meshes; guarded, falls back to monge-ampere";
#ifdef HYFE_WITH_TORCH
      register_dim_module<MeshMover, LearnedMongeAmpere>("learned-monge-ampere",
                                                         ModuleKind::learned,
                                                         description);
#else
      const std::string reason =
        "hyfe was built without LibTorch (cmake -DHYFE_WITH_TORCH=OFF); rebuild with "
        "LibTorch (Debian package libtorch-dev) or choose monge-ampere";
      register_unavailable_module<MeshMover<2>>("learned-monge-ampere",
                                                ModuleKind::learned,
                                                description,
                                                reason);
      const ModuleInfo info{
        MeshMover<3>::system_name, "learned-monge-ampere", ModuleKind::learned, description, reason};
      Registry<MeshMover<3>>::instance().add({info, [](dealii::ParameterHandler &) {}, nullptr});
#endif
    }
  } // namespace learned
} // namespace hyfe
