/**
 * @file The learned preconditioner `learned-ic`, after NeuralIF (Haeusner, Oektem, Sjoelund, "Neural
 * incomplete factorization: learning preconditioners for the conjugate gradient method").
 *
 * A message-passing network (learned/training/learned_ic.py) maps the graph of the rank-local
 * diagonal block of an SPD matrix to a lower-triangular factor L with the block's lower sparsity
 * and a positive diagonal, for the block scaled by its diagonal, S = D^-1/2 A D^-1/2 ~ L L^T. The
 * preconditioner is block Jacobi, one block per rank, applied as z = (L_A L_A^T)^-1 r with
 * L_A = D^1/2 L by two sparse triangular solves (PCSHELL inside plain CG). On more than one rank a
 * fraction (`off-block lumping`) of each row's couplings to other ranks is added to the block's
 * diagonal first: the learned factor keeps row sums like a modified IC, for which a bare rank cut is a
 * Dirichlet-like boundary (measured on 2 ranks, DFG pressure with 2 refinements: 113 -> 96 iterations
 * with the default weight 0.7, while IC(0) gets worse with it, 144 -> 168 at 0.5, so block-icc does
 * not get it).
 * Inference runs once per matrix, in initialize(). The factor is checked (finite, positive
 * diagonal) on every rank, collectively; an unusable factor or a failing solve is caught by the
 * guard of Preconditioner, which redoes the solve with the classical fallback.
 */
#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/utilities.h>

#include <petscmat.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <sched.h>
#include <thread>

#include "learned/torch_model.h"
#include "solver/core/exceptions.h"
#include "solver/core/parameters.h"
#include "solver/core/registry.h"
#include "solver/modules/preconditioner.h"

namespace hyfe
{
  namespace learned
  {
    namespace
    {
      /** @brief Inputs of the network for one CSR block, as learned_ic.features() builds them. */
      struct GraphInputs
      {
        std::vector<FlatTensor> tensors;  ///< node_features, edge_index, edge_features
        std::vector<double>     diagonal; ///< a_ii
        std::string             problem;  ///< why the block cannot be used, or empty
      };

      /**
       * @brief The strictly lower graph of a CSR block: the lower neighbours j < i of each row i
       * (nonzero entries, sorted, as PETSc keeps rows sorted) and the number of each such entry in
       * the edge list of graph_inputs() (all nonzero off-diagonal entries, row by row).
       */
      struct LowerGraph
      {
        std::vector<PetscInt>     start;  ///< row i: column[start[i]], ..., column[start[i + 1] - 1]
        std::vector<PetscInt>     column; ///< j of each lower entry
        std::vector<std::int64_t> edge;   ///< its number in the edge list
      };

      /** @brief The lower graph of the CSR block (@p n rows, @p ia, @p ja, @p va). */
      LowerGraph
      lower_graph(const PetscInt n, const PetscInt *ia, const PetscInt *ja, const PetscScalar *va)
      {
        LowerGraph g;
        g.start.assign(n + 1, 0);
        g.column.reserve(ia[n] / 2 + 1);
        g.edge.reserve(ia[n] / 2 + 1);
        std::int64_t e = 0;
        for (PetscInt i = 0; i < n; ++i)
          {
            for (PetscInt k = ia[i]; k < ia[i + 1]; ++k)
              if (ja[k] != i && va[k] != 0.)
                {
                  if (ja[k] < i)
                    {
                      g.column.push_back(ja[k]);
                      g.edge.push_back(e);
                    }
                  ++e;
                }
            g.start[i + 1] = g.column.size();
          }
        return g;
      }

      /**
       * @brief The triangles of the block's lower graph as a [3, T] int64 tensor of lower-edge
       * numbers (lower edges numbered in the order of the edge list): columns (ij, ik, jk) with
       * k < j < i; the reference is learned/training/learned_ic.py:triangles().
       */
      FlatTensor
      lower_triangles(const LowerGraph &lower)
      {
        const std::vector<PetscInt> &start = lower.start, &column = lower.column;
        const PetscInt               n = static_cast<PetscInt>(start.size()) - 1;
        // for each lower edge (i, j), the k < j in the lower rows of both i and j: the lower columns of
        // row i are marked with their numbers, then row j is scanned (all its lower columns are < j);
        // one pass to count, one to fill the three rows of the [3, T] tensor in place
        std::vector<PetscInt> position(n, -1);
        const auto            for_each_triangle = [&](const auto &visit) {
          for (PetscInt i = 0; i < n; ++i)
            {
              for (PetscInt a = start[i]; a < start[i + 1]; ++a)
                position[column[a]] = a;
              for (PetscInt p = start[i]; p < start[i + 1]; ++p)
                {
                  const PetscInt j = column[p];
                  for (PetscInt b = start[j]; b < start[j + 1]; ++b)
                    if (position[column[b]] >= 0)
                      visit(p, position[column[b]], b);
                }
              for (PetscInt a = start[i]; a < start[i + 1]; ++a)
                position[column[a]] = -1;
            }
        };
        std::int64_t count = 0;
        for_each_triangle([&](PetscInt, PetscInt, PetscInt) { ++count; });
        FlatTensor t;
        t.is_integer = true;
        t.shape      = {3, count};
        t.indices.resize(3 * count);
        std::int64_t *ij = t.indices.data(), *ik = ij + count, *jk = ik + count;
        for_each_triangle([&](const PetscInt p, const PetscInt a, const PetscInt b) {
          *ij++ = p;
          *ik++ = a;
          *jk++ = b;
        });
        return t;
      }

      /**
       * @brief The network's inputs for the CSR block (@p n rows, @p ia, @p ja, @p va) whose diagonal
       * entries are shifted by @p diagonal_shift (empty: none), with the triangles of @p lower as the
       * fourth input if it is given; the reference is learned/training/learned_ic.py:features(), which
       * this must match exactly.
       */
      GraphInputs
      graph_inputs(const PetscInt             n,
                   const PetscInt            *ia,
                   const PetscInt            *ja,
                   const PetscScalar         *va,
                   const LowerGraph          *lower,
                   const std::vector<double> &diagonal_shift = {})
      {
        GraphInputs g;
        g.diagonal.assign(n, 0.);
        std::vector<double> inverse_sqrt(n);
        std::int64_t        n_edges = 0; // the nonzero off-diagonal entries
        for (PetscInt i = 0; i < n; ++i)
          {
            for (PetscInt k = ia[i]; k < ia[i + 1]; ++k)
              if (ja[k] == i)
                g.diagonal[i] = va[k];
              else
                n_edges += va[k] != 0. ? 1 : 0;
            if (!diagonal_shift.empty())
              g.diagonal[i] += diagonal_shift[i];
            if (!(g.diagonal[i] > 0.))
              {
                g.problem = "the matrix block has a non-positive diagonal entry in local row " +
                            std::to_string(i) + " (learned-ic needs an SPD matrix)";
                return g;
              }
            inverse_sqrt[i] = 1. / std::sqrt(g.diagonal[i]);
          }
        FlatTensor node, index, edge;
        node.shape = {n, 4};
        node.values.resize(4 * n);
        index.is_integer = true;
        index.shape      = {2, n_edges};
        index.indices.resize(2 * n_edges);
        edge.shape = {n_edges, 2};
        edge.values.resize(2 * n_edges);
        std::int64_t e = 0;
        for (PetscInt i = 0; i < n; ++i)
          {
            double degree = 0, n_lower = 0, row_sum = 1., abs_sum = 0.;
            for (PetscInt k = ia[i]; k < ia[i + 1]; ++k)
              {
                const PetscInt j = ja[k];
                if (j == i || va[k] == 0.)
                  continue;
                // the same operations as features(): (a_ij a_ii^-1/2) a_jj^-1/2 in double, then float
                const double s = va[k] * inverse_sqrt[i] * inverse_sqrt[j];
                degree += 1;
                n_lower += j < i ? 1 : 0;
                row_sum += s;
                abs_sum += std::abs(s);
                index.indices[e]           = i;
                index.indices[n_edges + e] = j;
                edge.values[2 * e]         = static_cast<float>(s);
                edge.values[2 * e + 1]     = j < i ? 1.f : -1.f;
                ++e;
              }
            node.values[4 * i + 0] = static_cast<float>(degree / 8.);
            node.values[4 * i + 1] = static_cast<float>(n_lower / std::max(degree, 1.));
            node.values[4 * i + 2] = static_cast<float>(row_sum);
            node.values[4 * i + 3] = static_cast<float>(abs_sum);
          }
        g.tensors = {std::move(node), std::move(index), std::move(edge)};
        if (lower != nullptr)
          g.tensors.push_back(lower_triangles(*lower));
        return g;
      }

      /** @brief Learned incomplete Cholesky, block Jacobi with one block per rank. */
      class LearnedIc : public Preconditioner
      {
      public:
        /** @brief Declares the model file and the number of LibTorch threads. */
        static void
        declare_parameters(dealii::ParameterHandler &prm)
        {
          prm.declare_entry("model file",
                            HYFE_MODEL_DIR "/learned-ic.pt",
                            dealii::Patterns::FileName(),
                            "TorchScript file of the network, with its contract (system preconditioner, "
                            "model learned-ic); relative to the parameter file's folder. Default: the "
                            "model shipped with hyfe (learned/models/learned-ic.pt). A path.");
          prm.declare_entry("threads",
                            "1",
                            dealii::Patterns::Integer(1, 256),
                            "LibTorch intra-op threads per rank for the inference; keep ranks x threads "
                            "<= cores. Unitless, in [1, 256].");
          prm.declare_entry("off-block lumping",
                            "0.7",
                            dealii::Patterns::Double(0., 1.),
                            "Weight w of the couplings of each row to rows of other ranks, added to its "
                            "diagonal before the factorisation: a_ii + w sum_{j on other ranks} a_ij, at "
                            "least (1 - w) a_ii. The learned factor keeps row sums like a modified "
                            "incomplete Cholesky, which a rank cut (a block of block Jacobi) otherwise "
                            "turns into a Dirichlet-like boundary; 0 switches it off, 1 rank is not "
                            "affected. Unitless, in [0, 1].");
        }

        /** @brief Loads the model and checks its contract and a dry run (an InputError otherwise). */
        explicit LearnedIc(dealii::ParameterHandler &prm)
            : file(resolve_path(parameter_file_folder(), prm.get("model file")))
            , threads(prm.get_integer("threads"))
            , lumping(prm.get_double("off-block lumping"))
            , model(file, "learned-ic", system_name, "learned-ic", 0, threads)
        {
          const ModelContract           &c     = model.contract();
          const std::string              where = "module 'learned-ic', model file '" + file + "'";
          const std::vector<std::string> inputs{"node_features", "edge_index", "edge_features"},
            inputs_with_triangles{"node_features", "edge_index", "edge_features", "triangles"},
            outputs{"lower", "diag"};
          if (c.inputs != inputs && c.inputs != inputs_with_triangles)
            throw InputError(where + ": the contract's inputs are [" + join(c.inputs) +
                             "], learned-ic feeds [" + join(inputs) + "] or [" + join(inputs_with_triangles) +
                             "]");
          with_triangles = c.inputs == inputs_with_triangles;
          if (c.outputs != outputs)
            throw InputError(where + ": the contract's outputs are [" + join(c.outputs) +
                             "], learned-ic reads [" + join(outputs) + "]");
          if (c.normalisation.rfind("diagonal-scaling-v1", 0) != 0)
            throw InputError(where + ": the contract's normalisation is '" + c.normalisation.substr(0, 40) +
                             "', learned-ic computes 'diagonal-scaling-v1'");
          // dry run: the 1D Laplacian on 3 nodes (4 edges, no triangle)
          const PetscInt    ia[]  = {0, 2, 5, 7};
          const PetscInt    ja[]  = {0, 1, 0, 1, 2, 1, 2};
          const PetscScalar va[]  = {2, -1, -1, 2, -1, -1, 2};
          const LowerGraph  lower = lower_graph(3, ia, ja, va);
          model.dry_run(graph_inputs(3, ia, ja, va, with_triangles ? &lower : nullptr).tensors, {{4}, {3}});
        }

        std::vector<std::string>
        description() const override
        {
          return {"learned-ic model " + file,
                  "  sha256 " + model.sha256(),
                  "  trained on: " + model.contract().trained_on,
                  "  training command: " + model.contract().training_command,
                  "  LibTorch threads per rank: " + std::to_string(threads),
                  "  off-block lumping: " + dealii::Utilities::to_string(lumping)};
        }

        std::vector<std::pair<std::string, std::string>>
        restart_invariants() const override
        {
          return {{"learned-ic model sha256", model.sha256()}};
        }

        std::vector<std::pair<std::string, double>>
        statistics() const override
        {
          auto row = Preconditioner::statistics();
          row.emplace_back("inference_time", inference_time);
          return row;
        }

      protected:
        bool
        guarded() const override
        {
          return true;
        }

        std::string
        setup_problem() const override
        {
          return problem;
        }

        void
        configure(PC pc, const std::string &) override
        {
          Mat A = nullptr;
          petsc_check(PCGetOperators(pc, &A, nullptr), "PCGetOperators");
          MPI_Comm comm;
          petsc_check(PetscObjectGetComm(reinterpret_cast<PetscObject>(A), &comm), "PetscObjectGetComm");
          if (!threads_checked)
            warn_if_oversubscribed(comm);
          problem = compute_factor(A);
          // the decision to fall back must be the same on every rank
          const int bad = dealii::Utilities::MPI::max(problem.empty() ? 0 : 1, comm);
          if (bad != 0 && problem.empty())
            problem = "the learned factor is unusable on another rank";
          else if (!problem.empty())
            problem += " (rank " + std::to_string(dealii::Utilities::MPI::this_mpi_process(comm)) + ")";

          petsc_check(PCSetType(pc, PCSHELL), "PCSetType");
          petsc_check(PCShellSetContext(pc, this), "PCShellSetContext");
          petsc_check(PCShellSetApply(pc, &LearnedIc::apply), "PCShellSetApply");
          petsc_check(PCShellSetName(pc, "learned-ic"), "PCShellSetName");
        }

      private:
        const std::string  file;
        const unsigned int threads;
        const double       lumping; ///< weight of the off-block couplings added to the diagonal
        TorchModel         model;
        bool               with_triangles = false; ///< whether the model takes the lower triangles

        // The factor of the block A = D^1/2 S D^1/2 itself, L_A = D^1/2 L, stored as L_A = E (I + N)
        // with E its diagonal and N strictly lower (N_ij = l_ij / l_ii), so that each row of the two
        // triangular solves costs one multiply and one subtract on the critical path of the recurrence
        // instead of a division and a chain of subtracts: measured 62 -> 35 us per application on
        // 8480 rows. N_i,i-1, which couples a row to the one solved just before it, is kept apart
        // (`previous`, carried in a register); the other entries of N are stored by rows (CSR, for
        // the forward solve) and by columns (the rows of N^T, for the backward solve). The values are
        // single precision, as the network computes them; both solves read the same values, so
        // M = L_A L_A^T stays exactly symmetric.
        std::vector<PetscInt>       lower_start, lower_column, upper_start, upper_column;
        std::vector<float>          lower_value, upper_value;
        std::vector<float>          previous;         ///< N_i,i-1 (0 where it is not an entry), n + 1 values
        std::vector<double>         inverse_diagonal; ///< 1 / E_ii
        std::string                 problem;
        double                      inference_time = 0.;
        mutable std::vector<double> work;
        bool                        threads_checked = false;

        /**
         * @brief The shifts w sum_{j off-block} a_ij (at least -w a_ii) of the diagonal of the local
         * block (@p n rows, @p ia, @p ja, @p va) of @p A; empty on one rank or for w = 0.
         */
        std::vector<double>
        off_block_lumping(Mat                A,
                          const PetscInt     n,
                          const PetscInt    *ia,
                          const PetscInt    *ja,
                          const PetscScalar *va) const
        {
          MPI_Comm comm;
          petsc_check(PetscObjectGetComm(reinterpret_cast<PetscObject>(A), &comm), "PetscObjectGetComm");
          if (lumping == 0. || dealii::Utilities::MPI::n_mpi_processes(comm) == 1)
            return {};
          Vec row_sum = nullptr;
          petsc_check(MatCreateVecs(A, nullptr, &row_sum), "MatCreateVecs");
          petsc_check(MatGetRowSum(A, row_sum), "MatGetRowSum");
          const PetscScalar *full = nullptr;
          petsc_check(VecGetArrayRead(row_sum, &full), "VecGetArrayRead");
          std::vector<double> shift(n);
          for (PetscInt i = 0; i < n; ++i)
            {
              double block_sum = 0., diagonal = 0.;
              for (PetscInt k = ia[i]; k < ia[i + 1]; ++k)
                {
                  block_sum += va[k];
                  diagonal += ja[k] == i ? va[k] : 0.;
                }
              shift[i] = std::max(lumping * (full[i] - block_sum), -lumping * diagonal);
            }
          petsc_check(VecRestoreArrayRead(row_sum, &full), "VecRestoreArrayRead");
          petsc_check(VecDestroy(&row_sum), "VecDestroy");
          return shift;
        }

        /**
         * @brief Warns once (rank 0, collective) if the LibTorch threads oversubscribe the cores: more
         * threads than the cores a rank is bound to, or ranks on a node x threads > its cores.
         */
        void
        warn_if_oversubscribed(MPI_Comm comm)
        {
          threads_checked = true;
          MPI_Comm node   = MPI_COMM_NULL;
          MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
          const unsigned int ranks_on_node = dealii::Utilities::MPI::n_mpi_processes(node);
          MPI_Comm_free(&node);
          cpu_set_t set;
          CPU_ZERO(&set);
          const unsigned int bound = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 0;
          const unsigned int cores = std::thread::hardware_concurrency();
          const bool over = (bound > 0 && threads > bound) || (cores > 0 && ranks_on_node * threads > cores);
          if (dealii::Utilities::MPI::max(over ? 1 : 0, comm) != 0 &&
              dealii::Utilities::MPI::this_mpi_process(comm) == 0)
            std::cerr
              << "hyfe: warning: learned-ic runs " << threads << " LibTorch threads per rank, with "
              << ranks_on_node << " rank(s) on a node of " << cores << " cores, each rank bound to " << bound
              << " of them: the threads oversubscribe the cores and slow the inference down; "
              << "set 'threads' so that threads <= the cores of a rank and ranks per node x threads <= "
              << "cores per node" << std::endl;
        }

        /** @brief Runs the network on the local diagonal block of @p A; returns a problem or "". */
        std::string
        compute_factor(Mat A)
        {
          Mat block = nullptr;
          petsc_check(MatGetDiagonalBlock(A, &block), "MatGetDiagonalBlock");
          PetscInt        n  = 0;
          const PetscInt *ia = nullptr, *ja = nullptr;
          PetscBool       done = PETSC_FALSE;
          petsc_check(MatGetRowIJ(block, 0, PETSC_FALSE, PETSC_FALSE, &n, &ia, &ja, &done), "MatGetRowIJ");
          if (!done)
            throw std::runtime_error("learned-ic: MatGetRowIJ is not available for this matrix type");
          const PetscScalar *va = nullptr;
          petsc_check(MatSeqAIJGetArrayRead(block, &va), "MatSeqAIJGetArrayRead");
          LowerGraph  lower = lower_graph(n, ia, ja, va);
          GraphInputs g     = graph_inputs(
            n, ia, ja, va, with_triangles ? &lower : nullptr, off_block_lumping(A, n, ia, ja, va));
          petsc_check(MatSeqAIJRestoreArrayRead(block, &va), "MatSeqAIJRestoreArrayRead");
          PetscInt n_restored = n; // MatRestoreRowIJ resets its count argument
          petsc_check(MatRestoreRowIJ(block, 0, PETSC_FALSE, PETSC_FALSE, &n_restored, &ia, &ja, &done),
                      "MatRestoreRowIJ");
          if (!g.problem.empty())
            return g.problem;
          const std::int64_t e = g.tensors[1].shape[1]; // the edges

          inverse_diagonal.assign(n, 1.);
          previous.assign(n + 1, 0.f);
          lower_start.assign(n + 1, 0);
          upper_start.assign(n + 1, 0);
          lower_column.clear();
          lower_value.clear();
          work.resize(n);
          if (n == 0)
            return "";

          std::vector<FlatTensor> out;
          const auto              start = std::chrono::steady_clock::now();
          try
            {
              out = model.forward(g.tensors);
            }
          catch (const std::exception &error)
            {
              return std::string("the inference failed: ") + std::string(error.what()).substr(0, 300);
            }
          inference_time = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          if (out.size() != 2 || out[0].values.size() != static_cast<std::size_t>(e) ||
              out[1].values.size() != static_cast<std::size_t>(n))
            return "the network returned outputs of the wrong shape";
          lower_column.reserve(lower.column.size());
          lower_value.reserve(lower.column.size());
          for (PetscInt i = 0; i < n; ++i)
            {
              const double d = out[1].values[i];
              if (!std::isfinite(d) || !(d > 0.))
                return "the learned factor has a non-positive or non-finite diagonal entry (" +
                       std::to_string(d) + " in local row " + std::to_string(i) + ")";
              inverse_diagonal[i] = 1. / (std::sqrt(g.diagonal[i]) * d);
              for (PetscInt k = lower.start[i]; k < lower.start[i + 1]; ++k)
                {
                  const float value = static_cast<float>(out[0].values[lower.edge[k]] / d);
                  if (!std::isfinite(value))
                    return "the learned factor has a non-finite entry";
                  if (lower.column[k] == i - 1)
                    previous[i] = value;
                  else
                    {
                      lower_column.push_back(lower.column[k]);
                      lower_value.push_back(value);
                    }
                }
              lower_start[i + 1] = static_cast<PetscInt>(lower_column.size());
            }
          // the transpose, by counting sort over the columns
          for (const PetscInt j : lower_column)
            ++upper_start[j + 1];
          for (PetscInt i = 0; i < n; ++i)
            upper_start[i + 1] += upper_start[i];
          upper_column.resize(lower_column.size());
          upper_value.resize(lower_column.size());
          std::vector<PetscInt> next(upper_start.begin(), upper_start.end() - 1);
          for (PetscInt i = 0; i < n; ++i)
            for (PetscInt k = lower_start[i]; k < lower_start[i + 1]; ++k)
              {
                const PetscInt slot = next[lower_column[k]]++;
                upper_column[slot]  = i;
                upper_value[slot]   = lower_value[k];
              }
          return "";
        }

        /** @brief z = (L_A L_A^T)^-1 r on this rank's rows: two triangular solves, both by rows. */
        static PetscErrorCode
        apply(PC pc, Vec r, Vec z)
        {
          void *context = nullptr;
          PetscCall(PCShellGetContext(pc, &context));
          const auto        &self = *static_cast<const LearnedIc *>(context);
          const PetscScalar *in   = nullptr;
          PetscScalar       *out  = nullptr;
          PetscCall(VecGetArrayRead(r, &in));
          PetscCall(VecGetArray(z, &out));
          const std::size_t n      = self.inverse_diagonal.size();
          double           *y      = self.work.data();
          const PetscInt   *lstart = self.lower_start.data(), *lcol = self.lower_column.data();
          const PetscInt   *ustart = self.upper_start.data(), *ucol = self.upper_column.data();
          const float      *lval = self.lower_value.data(), *uval = self.upper_value.data();
          const float      *prev = self.previous.data();
          const double     *inv  = self.inverse_diagonal.data();
          // forward substitution (I + N) y = E^-1 r
          double last = 0.;
          for (std::size_t i = 0; i < n; ++i)
            {
              double s = in[i] * inv[i];
              for (PetscInt k = lstart[i]; k < lstart[i + 1]; ++k)
                s -= lval[k] * y[lcol[k]];
              s -= prev[i] * last;
              y[i] = last = s;
            }
          // backward substitution (I + N^T) w = y, with the rows of N^T, and z = E^-1 w
          last = 0.;
          for (std::size_t i = n; i-- > 0;)
            {
              double s = y[i];
              for (PetscInt k = ustart[i]; k < ustart[i + 1]; ++k)
                s -= uval[k] * y[ucol[k]];
              s -= prev[i + 1] * last;
              y[i] = last = s;
              out[i]      = s * inv[i];
            }
          PetscCall(VecRestoreArrayRead(r, &in));
          PetscCall(VecRestoreArray(z, &out));
          return 0;
        }
      };
    } // namespace

    /** @brief Registration (called from register_learned_modules()). */
    void
    register_learned_ic()
    {
#ifdef HYFE_WITH_TORCH
      register_module<Preconditioner, LearnedIc>(
        "learned-ic",
        ModuleKind::learned,
        "learned incomplete Cholesky (NeuralIF): a message-passing network gives L of each rank's "
        "block, applied by triangular solves in block Jacobi; guarded, falls back to `fallback`");
#else
      register_unavailable_module<Preconditioner>(
        "learned-ic",
        ModuleKind::learned,
        "learned incomplete Cholesky (NeuralIF)",
        "hyfe was built without LibTorch (cmake -DHYFE_WITH_TORCH=OFF); rebuild with LibTorch "
        "(Debian package libtorch-dev) or choose a classical preconditioner");
#endif
    }
  } // namespace learned
} // namespace hyfe
