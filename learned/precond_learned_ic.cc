/**
 * @file The learned preconditioner `learned-ic`, after NeuralIF (Haeusner, Oektem, Sjoelund, "Neural
 * incomplete factorization: learning preconditioners for the conjugate gradient method").
 *
 * A message-passing network (learned/training/learned_ic.py) maps the graph of the rank-local
 * diagonal block of an SPD matrix to a lower-triangular factor L with the block's lower sparsity
 * and a positive diagonal, for the block scaled by its diagonal, S = D^-1/2 A D^-1/2 ~ L L^T. The
 * preconditioner is block Jacobi, one block per rank, applied as z = (L_A L_A^T)^-1 r with
 * L_A = D^1/2 L by two sparse triangular solves (PCSHELL inside plain CG).
 * Inference runs once per matrix, in initialize(). The factor is checked (finite, positive
 * diagonal) on every rank, collectively; an unusable factor or a failing solve is caught by the
 * guard of Preconditioner, which redoes the solve with the classical fallback.
 */
#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>

#include <petscmat.h>

#include <chrono>
#include <cmath>

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
       * @brief The triangles of the block's lower graph as a [3, T] int64 tensor of lower-edge
       * numbers (lower edges numbered in the order of the edge list): columns (ij, ik, jk) with
       * k < j < i; the reference is learned/training/learned_ic.py:triangles().
       */
      FlatTensor
      lower_triangles(const PetscInt n, const PetscInt *ia, const PetscInt *ja, const PetscScalar *va)
      {
        // the lower neighbours of each row (sorted, as PETSc keeps rows sorted) and their numbers
        std::vector<PetscInt> start(n + 1, 0), column;
        for (PetscInt i = 0; i < n; ++i)
          {
            for (PetscInt k = ia[i]; k < ia[i + 1]; ++k)
              if (ja[k] < i && va[k] != 0.)
                column.push_back(ja[k]);
            start[i + 1] = column.size();
          }
        std::vector<std::int64_t> ij, ik, jk;
        for (PetscInt i = 0; i < n; ++i)
          for (PetscInt p = start[i]; p < start[i + 1]; ++p)
            {
              const PetscInt j = column[p];
              PetscInt       a = start[i], b = start[j];
              while (a < start[i + 1] && b < start[j + 1] && column[a] < j && column[b] < j)
                if (column[a] == column[b])
                  {
                    ij.push_back(p);
                    ik.push_back(a++);
                    jk.push_back(b++);
                  }
                else if (column[a] < column[b])
                  ++a;
                else
                  ++b;
            }
        FlatTensor t;
        t.is_integer = true;
        t.shape      = {3, static_cast<std::int64_t>(ij.size())};
        t.indices    = ij;
        t.indices.insert(t.indices.end(), ik.begin(), ik.end());
        t.indices.insert(t.indices.end(), jk.begin(), jk.end());
        return t;
      }

      /**
       * @brief The network's inputs for the CSR block (@p n rows, @p ia, @p ja, @p va); the
       * reference is learned/training/learned_ic.py:features(), which this must match exactly.
       */
      GraphInputs
      graph_inputs(const PetscInt     n,
                   const PetscInt    *ia,
                   const PetscInt    *ja,
                   const PetscScalar *va,
                   const bool         with_triangles)
      {
        GraphInputs g;
        g.diagonal.assign(n, 0.);
        for (PetscInt i = 0; i < n; ++i)
          for (PetscInt k = ia[i]; k < ia[i + 1]; ++k)
            if (ja[k] == i)
              g.diagonal[i] = va[k];
        for (PetscInt i = 0; i < n; ++i)
          if (!(g.diagonal[i] > 0.))
            {
              g.problem = "the matrix block has a non-positive diagonal entry in local row " +
                          std::to_string(i) + " (learned-ic needs an SPD matrix)";
              return g;
            }
        FlatTensor node, index, edge;
        node.shape = {n, 4};
        node.values.assign(4 * n, 0.f);
        index.is_integer = true;
        for (PetscInt i = 0; i < n; ++i)
          {
            double degree = 0, n_lower = 0, row_sum = 1., abs_sum = 0.;
            for (PetscInt k = ia[i]; k < ia[i + 1]; ++k)
              {
                const PetscInt j = ja[k];
                if (j == i || va[k] == 0.)
                  continue;
                const double s = va[k] / std::sqrt(g.diagonal[i] * g.diagonal[j]);
                degree += 1;
                n_lower += j < i ? 1 : 0;
                row_sum += s;
                abs_sum += std::abs(s);
                index.indices.push_back(i);
                edge.values.push_back(static_cast<float>(s));
                edge.values.push_back(j < i ? 1.f : -1.f);
              }
            node.values[4 * i + 0] = static_cast<float>(degree / 8.);
            node.values[4 * i + 1] = static_cast<float>(n_lower / std::max(degree, 1.));
            node.values[4 * i + 2] = static_cast<float>(row_sum);
            node.values[4 * i + 3] = static_cast<float>(abs_sum);
          }
        const std::int64_t n_edges = index.indices.size();
        // second row of edge_index: the columns, in the same order
        for (PetscInt i = 0; i < n; ++i)
          for (PetscInt k = ia[i]; k < ia[i + 1]; ++k)
            if (ja[k] != i && va[k] != 0.)
              index.indices.push_back(ja[k]);
        index.shape = {2, n_edges};
        edge.shape  = {n_edges, 2};
        g.tensors   = {std::move(node), std::move(index), std::move(edge)};
        if (with_triangles)
          g.tensors.push_back(lower_triangles(n, ia, ja, va));
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
        }

        /** @brief Loads the model and checks its contract and a dry run (an InputError otherwise). */
        explicit LearnedIc(dealii::ParameterHandler &prm)
            : file(resolve_path(parameter_file_folder(), prm.get("model file")))
            , threads(prm.get_integer("threads"))
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
          const PetscInt    ia[] = {0, 2, 5, 7};
          const PetscInt    ja[] = {0, 1, 0, 1, 2, 1, 2};
          const PetscScalar va[] = {2, -1, -1, 2, -1, -1, 2};
          model.dry_run(graph_inputs(3, ia, ja, va, with_triangles).tensors, {{4}, {3}});
        }

        std::vector<std::string>
        description() const override
        {
          return {"learned-ic model " + file,
                  "  sha256 " + model.sha256(),
                  "  trained on: " + model.contract().trained_on,
                  "  training command: " + model.contract().training_command,
                  "  LibTorch threads per rank: " + std::to_string(threads)};
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
        TorchModel         model;
        bool               with_triangles = false; ///< whether the model takes the lower triangles

        // the factor of the scaled block: strictly lower rows (CSR) and the diagonal
        // the factor of the block A = D^1/2 S D^1/2 itself, L_A = D^1/2 L: its strictly lower rows
        // (CSR), the same entries by columns (the rows of L_A^T, for the backward substitution),
        // and 1 / diagonal
        std::vector<PetscInt>       lower_start, lower_column, upper_start, upper_column;
        std::vector<double>         lower_value, upper_value, inverse_diagonal, sqrt_diagonal;
        std::string                 problem;
        double                      inference_time = 0.;
        mutable std::vector<double> work;

        static std::string
        join(const std::vector<std::string> &v)
        {
          std::string s;
          for (const auto &x : v)
            s += (s.empty() ? "" : ", ") + x;
          return s;
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
          GraphInputs g = graph_inputs(n, ia, ja, va, with_triangles);

          // the lower sparsity, in the order of the edges
          lower_start.assign(n + 1, 0);
          lower_column.clear();
          std::vector<std::int64_t> lower_edge;
          std::int64_t              e = 0;
          for (PetscInt i = 0; i < n; ++i)
            {
              for (PetscInt k = ia[i]; k < ia[i + 1]; ++k)
                if (ja[k] != i && va[k] != 0.)
                  {
                    if (ja[k] < i)
                      {
                        lower_column.push_back(ja[k]);
                        lower_edge.push_back(e);
                      }
                    ++e;
                  }
              lower_start[i + 1] = lower_column.size();
            }
          petsc_check(MatSeqAIJRestoreArrayRead(block, &va), "MatSeqAIJRestoreArrayRead");
          PetscInt n_restored = n; // MatRestoreRowIJ resets its count argument
          petsc_check(MatRestoreRowIJ(block, 0, PETSC_FALSE, PETSC_FALSE, &n_restored, &ia, &ja, &done),
                      "MatRestoreRowIJ");
          if (!g.problem.empty())
            return g.problem;

          inverse_diagonal.assign(n, 1.);
          sqrt_diagonal.resize(n);
          for (PetscInt i = 0; i < n; ++i)
            sqrt_diagonal[i] = std::sqrt(g.diagonal[i]);
          lower_value.assign(lower_column.size(), 0.);
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
          for (PetscInt i = 0; i < n; ++i)
            {
              const double d = out[1].values[i];
              if (!std::isfinite(d) || !(d > 0.))
                return "the learned factor has a non-positive or non-finite diagonal entry (" +
                       std::to_string(d) + " in local row " + std::to_string(i) + ")";
              inverse_diagonal[i] = 1. / (sqrt_diagonal[i] * d);
            }
          for (PetscInt i = 0; i < n; ++i)
            for (PetscInt k = lower_start[i]; k < lower_start[i + 1]; ++k)
              {
                lower_value[k] = sqrt_diagonal[i] * out[0].values[lower_edge[k]];
                if (!std::isfinite(lower_value[k]))
                  return "the learned factor has a non-finite entry";
              }
          // the transpose, by counting sort over the columns
          upper_start.assign(n + 1, 0);
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
          const double     *lval = self.lower_value.data(), *uval = self.upper_value.data();
          const double     *inv = self.inverse_diagonal.data();
          // forward substitution L_A y = r
          for (std::size_t i = 0; i < n; ++i)
            {
              double s = in[i];
              for (PetscInt k = lstart[i]; k < lstart[i + 1]; ++k)
                s -= lval[k] * y[lcol[k]];
              y[i] = s * inv[i];
            }
          // backward substitution L_A^T z = y, with the rows of L_A^T
          for (std::size_t i = n; i-- > 0;)
            {
              double s = y[i];
              for (PetscInt k = ustart[i]; k < ustart[i + 1]; ++k)
                s -= uval[k] * out[ucol[k]];
              out[i] = s * inv[i];
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
