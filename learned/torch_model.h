#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hyfe
{
  namespace learned
  {
    /** @brief The contract that a model file carries (extra file `contract.json` of the TorchScript archive).
     */
    struct ModelContract
    {
      int                      contract_version = 0;
      std::string              system;           ///< module system, e.g. "preconditioner"
      std::string              model;            ///< kind of model, e.g. "learned-ic"
      std::string              dtype;            ///< "float32"
      std::vector<std::string> inputs;           ///< input names, in the order the model takes them
      std::vector<std::string> outputs;          ///< output names, in the order the model returns them
      std::vector<std::string> features;         ///< columns of a feature input (optional, e.g. closures)
      int                      dimension = 0;    ///< space dimension it was trained for (0: any)
      int                      layers    = 0;    ///< message-passing layers (graph networks; 0: none)
      std::string              normalisation;    ///< how the inputs are normalised (text)
      std::string              trained_on;       ///< description of the training data
      std::string              training_command; ///< the command that trained the model
      std::string              json;             ///< the contract as found in the file
    };

    /** @brief A dense tensor without torch types: shape and row-major data (float32 or int64). */
    struct FlatTensor
    {
      std::vector<std::int64_t> shape;
      std::vector<float>        values;  ///< for float tensors
      std::vector<std::int64_t> indices; ///< for int64 tensors (e.g. graph edges)
      bool                      is_integer = false;
    };

    /**
     * @brief A TorchScript model loaded on this rank, with its contract checked at load: the file
     * exists and is a TorchScript archive, it carries `contract.json`, the contract's version, system,
     * model kind, dtype and input count match what the module feeds it (a count of 0: the module checks
     * the inputs itself). Every failure is an
     * InputError naming the module, the file and the mismatch. Inference runs under
     * torch::InferenceMode with the given number of intra-op threads.
     */
    class TorchModel
    {
    public:
      /**
       * @brief Loads @p file for the module @p module_name, which expects a model of system
       * @p system and kind @p model taking @p n_inputs inputs; @p threads LibTorch threads (>= 1).
       */
      TorchModel(const std::string &file,
                 const std::string &module_name,
                 const std::string &system,
                 const std::string &model,
                 unsigned int       n_inputs,
                 unsigned int       threads);
      ~TorchModel();

      /** @brief The contract read from the file. */
      const ModelContract &
      contract() const;

      /** @brief SHA-256 of the model file, as 64 hexadecimal digits. */
      const std::string &
      sha256() const;

      /** @brief One batched forward call; returns the model's outputs (a tensor or a tuple of them). */
      std::vector<FlatTensor>
      forward(const std::vector<FlatTensor> &inputs) const;

      /**
       * @brief Calls the exported method @p method (e.g. a layer of a graph network run layer by layer
       * with ghost updates between the layers) with the integer arguments @p integers first, then the
       * tensors @p inputs; returns its outputs as forward() does.
       */
      std::vector<FlatTensor>
      call(const std::string               &method,
           const std::vector<FlatTensor>   &inputs,
           const std::vector<std::int64_t> &integers = {}) const;

      /**
       * @brief Runs the model on @p inputs and checks that it returns @p expected_shapes (-1: any
       * extent); throws InputError naming the module, the file and the mismatch otherwise.
       */
      void
      dry_run(const std::vector<FlatTensor>                &inputs,
              const std::vector<std::vector<std::int64_t>> &expected_shapes) const;

    private:
      struct Implementation;
      std::unique_ptr<Implementation> implementation;
    };

    /** @brief LibTorch's current number of intra-op threads (1 in a build without LibTorch). */
    int
    torch_threads();

    /** @brief SHA-256 of a file's bytes, as 64 hexadecimal digits; throws if it cannot be read. */
    /**
     * @brief Throws InputError (prefixed by @p where) unless the side file `<file>.sha256` exists and
     * records @p sha256 (its first word, as `sha256sum` writes it).
     */
    void
    check_recorded_sha256(const std::string &file, const std::string &sha256, const std::string &where);

    std::string
    sha256_of_file(const std::string &file);

    /** @brief The names joined by ", " (for the messages of contract checks). */
    std::string
    join(const std::vector<std::string> &names);
  } // namespace learned
} // namespace hyfe
