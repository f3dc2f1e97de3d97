#include "learned/learned.h"

#include <cmath>
#include <cstdlib>
#include <sstream>

#include "solver/core/checkpoint.h"

#ifdef HYFE_WITH_TORCH
#  include <torch/script.h>
#  include <torch/version.h>
#endif

namespace hyfe
{
  namespace learned
  {
    // One line per module file; explicit, so that a static link cannot drop a registration.
    void
    register_learned_ic();
    void
    register_learned_eddy_viscosity();
    void
    register_learned_mover();

    void
    register_learned_modules()
    {
      static bool done = false;
      if (done)
        return;
      done                           = true;
      library_versions()["LibTorch"] = torch_version();
      register_learned_ic();
      register_learned_eddy_viscosity();
      register_learned_mover();
    }

    std::string
    torch_version()
    {
#ifdef HYFE_WITH_TORCH
      return TORCH_VERSION;
#else
      return "not built (HYFE_WITH_TORCH=OFF)";
#endif
    }

    std::string
    torch_selfcheck()
    {
#ifdef HYFE_WITH_TORCH
      const char       *env  = std::getenv("HYFE_SELFCHECK_MODEL");
      const std::string file = env != nullptr ? env : HYFE_SELFCHECK_MODEL;
      try
        {
          c10::InferenceMode guard;
          torch::jit::Module model = torch::jit::load(file);
          model.eval();
          // y = W x + b with W = [[1, 2]], b = 0.5 (see learned/training/make_selfcheck_model.py)
          const torch::Tensor x     = torch::tensor({{3.f, 4.f}});
          const torch::Tensor y     = model.forward({x}).toTensor();
          const double        value = y.item<double>();
          std::ostringstream  s;
          if (std::abs(value - 11.5) < 1e-6)
            s << "ok (" << file << ": f([3, 4]) = " << value << ")";
          else
            s << "FAILED (" << file << ": f([3, 4]) = " << value << ", expected 11.5)";
          return s.str();
        }
      catch (const std::exception &e)
        {
          return "FAILED (" + file + "): " + std::string(e.what()).substr(0, 200);
        }
#else
      return "not built";
#endif
    }
  } // namespace learned
} // namespace hyfe
