#pragma once

#include <string>

namespace hyfe
{
  /** @brief Learned (LibTorch) modules; the only part of hyfe that includes torch headers. */
  namespace learned
  {
    /**
     * @brief Registers every learned module in the registries of their systems. In a build
     * without LibTorch, the names are registered as unavailable, so that choosing one gives a
     * clear error. Called once by the application, explicitly.
     */
    void
    register_learned_modules();

    /** @brief LibTorch's version, or "not built" when hyfe was built without it. */
    std::string
    torch_version();

    /**
     * @brief Loads the committed tiny TorchScript model and runs it on a fixed input.
     * @return a one-line report ("ok (...)" or "FAILED: ...").
     */
    std::string
    torch_selfcheck();
  } // namespace learned
} // namespace hyfe
