#include "learned/torch_model.h"

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "solver/core/exceptions.h"
#include "solver/core/sha256.h"

#ifdef HYFE_WITH_TORCH
#  include <ATen/Parallel.h>
#  include <torch/script.h>
#endif

namespace hyfe
{
  namespace learned
  {
    namespace
    {
      [[maybe_unused]] std::vector<std::string>
      string_list(const boost::property_tree::ptree &tree, const std::string &key)
      {
        std::vector<std::string> out;
        const auto               node = tree.get_child_optional(key);
        if (!node)
          return out;
        if (node->empty())
          out.push_back(node->data());
        for (const auto &child : *node)
          out.push_back(child.first.empty() ? child.second.data() : child.first);
        return out;
      }
    } // namespace

    std::string
    sha256_of_file(const std::string &file)
    {
      return hyfe::sha256_of_file(file);
    }

    std::string
    join(const std::vector<std::string> &names)
    {
      std::string s;
      for (const auto &x : names)
        s += (s.empty() ? "" : ", ") + x;
      return s;
    }

    int
    torch_threads()
    {
#ifdef HYFE_WITH_TORCH
      return at::get_num_threads();
#else
      return 1;
#endif
    }

    struct TorchModel::Implementation
    {
      ModelContract contract;
      std::string   sha256;
      std::string   where; ///< "module 'x', model file 'f'"
#ifdef HYFE_WITH_TORCH
      mutable torch::jit::Module module;
#endif
    };

    void
    check_recorded_sha256(const std::string &file, const std::string &sha256, const std::string &where)
    {
      // a file cannot hold its own hash, so the SHA-256 lives beside it, as `sha256sum` writes it;
      // TorchScript reads only some members of the archive, and this catches a change in any byte
      const std::string side = file + ".sha256";
      std::ifstream     in(side);
      if (!in)
        throw InputError(
          where + ": there is no side file '" + side +
          "' with the SHA-256 that the model was saved with, which hyfe checks to find a corrupt "
          "or changed file; the scripts of learned/training write it, and 'sha256sum " +
          file + " > " + side + "' makes it for a model that you trust");
      std::string recorded;
      in >> recorded;
      if (recorded != sha256)
        throw InputError(where + ": its SHA-256 is " + sha256 + ", but '" + side + "' records " +
                         (recorded.empty() ? "nothing" : recorded) +
                         ": the model file is corrupt or was changed after it was saved");
    }

    TorchModel::TorchModel(const std::string &file,
                           const std::string &module_name,
                           const std::string &system,
                           const std::string &model,
                           const unsigned int n_inputs,
                           const unsigned int threads)
        : implementation(std::make_unique<Implementation>())
    {
      auto &impl = *implementation;
      impl.where = "module '" + module_name + "', model file '" + file + "'";
      {
        std::ifstream in(file, std::ios::binary);
        if (!in)
          throw InputError(impl.where + ": the file does not exist or cannot be read");
      }
#ifdef HYFE_WITH_TORCH
      torch::jit::ExtraFilesMap extra{{"contract.json", ""}};
      try
        {
          impl.module = torch::jit::load(file, torch::kCPU, extra);
        }
      catch (const std::exception &e)
        {
          std::string what = e.what();
          what             = what.substr(0, what.find('\n'));
          throw InputError(impl.where + ": not a readable TorchScript file (" + what + ")");
        }
      impl.module.eval();
      impl.sha256 = sha256_of_file(file);
      check_recorded_sha256(file, impl.sha256, impl.where);
      const std::string json = extra["contract.json"];
      if (json.empty())
        throw InputError(impl.where +
                         ": the file carries no contract (extra file 'contract.json'); save the model "
                         "with the scripts of learned/training");
      boost::property_tree::ptree tree;
      try
        {
          std::istringstream in(json);
          boost::property_tree::read_json(in, tree);
        }
      catch (const std::exception &e)
        {
          throw InputError(impl.where + ": its contract is not valid JSON (" + std::string(e.what()) + ")");
        }
      ModelContract &c   = impl.contract;
      c.json             = json;
      c.contract_version = tree.get<int>("contract_version", 0);
      c.system           = tree.get<std::string>("system", "");
      c.model            = tree.get<std::string>("model", "");
      c.dtype            = tree.get<std::string>("dtype", "");
      c.inputs           = string_list(tree, "inputs");
      c.outputs          = string_list(tree, "outputs");
      c.features         = string_list(tree, "features");
      c.dimension        = tree.get<int>("dimension", 0);
      c.layers           = tree.get<int>("layers", 0);
      c.normalisation    = tree.get<std::string>("normalisation", "");
      c.trained_on       = tree.get<std::string>("trained_on", "");
      c.training_command = tree.get<std::string>("training_command", "");
      if (c.contract_version != 1)
        throw InputError(impl.where + ": contract version " + std::to_string(c.contract_version) +
                         ", but this hyfe reads version 1");
      if (c.system != system || c.model != model)
        throw InputError(impl.where + ": the model is of system '" + c.system + "' and kind '" + c.model +
                         "', but the module needs system '" + system + "' and kind '" + model + "'");
      if (c.dtype != "float32")
        throw InputError(impl.where + ": dtype '" + c.dtype + "', but hyfe feeds float32");
      if (n_inputs > 0 && c.inputs.size() != n_inputs)
        throw InputError(impl.where + ": the contract declares " + std::to_string(c.inputs.size()) +
                         " inputs, but the module feeds " + std::to_string(n_inputs));
      at::set_num_threads(static_cast<int>(std::max(1u, threads)));
#else
      (void)system;
      (void)model;
      (void)n_inputs;
      (void)threads;
      throw InputError(impl.where + ": this hyfe was built without LibTorch (HYFE_WITH_TORCH=OFF)");
#endif
    }

    TorchModel::~TorchModel() = default;

    const ModelContract &
    TorchModel::contract() const
    {
      return implementation->contract;
    }

    const std::string &
    TorchModel::sha256() const
    {
      return implementation->sha256;
    }

    std::vector<FlatTensor>
    TorchModel::forward(const std::vector<FlatTensor> &inputs) const
    {
      return call("forward", inputs);
    }

    std::vector<FlatTensor>
    TorchModel::call(const std::string               &method,
                     const std::vector<FlatTensor>   &inputs,
                     const std::vector<std::int64_t> &integers) const
    {
      std::vector<FlatTensor> outputs;
#ifdef HYFE_WITH_TORCH
      c10::InferenceMode guard;
      // the inputs are wrapped, not copied: they live until the call returns, and a model that wrote
      // into them would only change buffers that the caller discards
      std::vector<torch::jit::IValue> values;
      for (const auto k : integers)
        values.emplace_back(k);
      for (const auto &t : inputs)
        values.emplace_back(
          t.is_integer
            ? torch::from_blob(const_cast<std::int64_t *>(t.indices.data()), t.shape, torch::kInt64)
            : torch::from_blob(const_cast<float *>(t.values.data()), t.shape, torch::kFloat32));
      const auto found = implementation->module.find_method(method);
      if (!found)
        throw InputError(implementation->where + ": the model has no method '" + method + "'");
      const torch::jit::IValue   result = (*found)(values);
      std::vector<torch::Tensor> tensors;
      if (result.isTensor())
        tensors.push_back(result.toTensor());
      else if (result.isTuple())
        for (const auto &e : result.toTuple()->elements())
          tensors.push_back(e.toTensor());
      else
        throw RunError(implementation->where +
                       ": the model returned neither a tensor nor a tuple of tensors");
      for (const auto &tensor : tensors)
        {
          FlatTensor out;
          const auto t = tensor.contiguous().to(torch::kFloat32);
          out.shape.assign(t.sizes().begin(), t.sizes().end());
          out.values.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
          outputs.push_back(std::move(out));
        }
#else
      (void)method;
      (void)inputs;
      (void)integers;
#endif
      return outputs;
    }

    void
    TorchModel::dry_run(const std::vector<FlatTensor>                &inputs,
                        const std::vector<std::vector<std::int64_t>> &expected_shapes) const
    {
      std::vector<FlatTensor> outputs;
      try
        {
          // twice: TorchScript's profiling executor optimises the graph on the second call, which
          // costs about 12 ms (measured with learned-ic); here it is paid at load, not by the first
          // inference of the run
          outputs = forward(inputs);
          outputs = forward(inputs);
        }
      catch (const std::exception &e)
        {
          std::string what = e.what();
          throw InputError(implementation->where + ": the dry run on tiny inputs failed (" +
                           what.substr(0, what.find('\n')) + ")");
        }
      auto shape = [](const std::vector<std::int64_t> &s) {
        std::string text;
        for (const auto n : s)
          text += (text.empty() ? "" : ", ") + (n < 0 ? std::string("any") : std::to_string(n));
        return "[" + text + "]";
      };
      if (outputs.size() != expected_shapes.size())
        throw InputError(implementation->where + ": the dry run returned " + std::to_string(outputs.size()) +
                         " outputs, the module needs " + std::to_string(expected_shapes.size()));
      for (std::size_t k = 0; k < outputs.size(); ++k)
        {
          bool ok = outputs[k].shape.size() == expected_shapes[k].size();
          for (std::size_t d = 0; ok && d < outputs[k].shape.size(); ++d)
            ok = expected_shapes[k][d] < 0 || expected_shapes[k][d] == outputs[k].shape[d];
          if (!ok)
            throw InputError(implementation->where + ": output " + std::to_string(k) +
                             " of the dry run has shape " + shape(outputs[k].shape) + ", the module needs " +
                             shape(expected_shapes[k]));
        }
    }
  } // namespace learned
} // namespace hyfe
