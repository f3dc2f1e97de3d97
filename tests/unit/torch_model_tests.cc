// Contract checks of learned::TorchModel on the tiny models of tests/models (make_test_models.py).
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "learned/torch_model.h"
#include "solver/core/exceptions.h"

using hyfe::InputError;
using hyfe::learned::FlatTensor;
using hyfe::learned::TorchModel;

namespace
{
  const std::string models = HYFE_TEST_MODELS;

  /** The message of the InputError that @p f throws ("" if none). */
  template <typename F>
  std::string
  input_error(F f)
  {
    try
      {
        f();
      }
    catch (const InputError &e)
      {
        return e.what();
      }
    return "";
  }

  std::vector<FlatTensor>
  tiny_inputs(const std::int64_t rows)
  {
    FlatTensor x;
    x.shape = {rows, 2};
    for (std::int64_t i = 0; i < 2 * rows; ++i)
      x.values.push_back(static_cast<float>(i));
    FlatTensor edges;
    edges.is_integer = true;
    edges.shape      = {2, 1};
    edges.indices    = {0, 1};
    return {x, edges};
  }
} // namespace

TEST(TorchModel, LoadsContractAndRuns)
{
  const TorchModel model(models + "/scale.pt", "test-module", "test", "scale", 2, 1);
  EXPECT_EQ(model.contract().contract_version, 1);
  EXPECT_EQ(model.contract().system, "test");
  EXPECT_EQ(model.contract().inputs.size(), 2u);
  EXPECT_EQ(model.contract().outputs.size(), 1u);
  const auto y = model.forward(tiny_inputs(3));
  ASSERT_EQ(y.size(), 1u);
  ASSERT_EQ(y[0].shape, (std::vector<std::int64_t>{3, 2}));
  for (std::size_t i = 0; i < 6; ++i)
    EXPECT_FLOAT_EQ(y[0].values[i], 2.f * i);
  EXPECT_NO_THROW(model.dry_run(tiny_inputs(3), {{3, 2}}));
}

TEST(TorchModel, Sha256MatchesPython)
{
  std::ifstream in(models + "/scale.pt.sha256");
  std::string   expected;
  in >> expected;
  EXPECT_EQ(hyfe::learned::sha256_of_file(models + "/scale.pt"), expected);
}

TEST(TorchModel, ThreadSettingIsHonoured)
{
  const TorchModel one(models + "/scale.pt", "test-module", "test", "scale", 2, 1);
  EXPECT_EQ(hyfe::learned::torch_threads(), 1);
  const TorchModel two(models + "/scale.pt", "test-module", "test", "scale", 2, 2);
  EXPECT_EQ(hyfe::learned::torch_threads(), 2);
}

TEST(TorchModel, MissingFile)
{
  const auto m = input_error([] { TorchModel(models + "/nothere.pt", "learned-ic", "test", "scale", 2, 1); });
  EXPECT_NE(m.find("module 'learned-ic'"), std::string::npos) << m;
  EXPECT_NE(m.find("nothere.pt"), std::string::npos) << m;
  EXPECT_NE(m.find("does not exist"), std::string::npos) << m;
}

TEST(TorchModel, CorruptFile)
{
  const auto m = input_error([] { TorchModel(models + "/corrupt.pt", "learned-ic", "test", "scale", 2, 1); });
  EXPECT_NE(m.find("corrupt.pt"), std::string::npos) << m;
  EXPECT_NE(m.find("not a readable TorchScript file"), std::string::npos) << m;
}

TEST(TorchModel, NoContract)
{
  const auto m =
    input_error([] { TorchModel(models + "/no-contract.pt", "learned-ic", "test", "scale", 2, 1); });
  EXPECT_NE(m.find("carries no contract"), std::string::npos) << m;
}

TEST(TorchModel, WrongKind)
{
  const auto m =
    input_error([] { TorchModel(models + "/wrong-kind.pt", "learned-ic", "test", "scale", 2, 1); });
  EXPECT_NE(m.find("system 'preconditioner' and kind 'other'"), std::string::npos) << m;
  EXPECT_NE(m.find("needs system 'test' and kind 'scale'"), std::string::npos) << m;
}

TEST(TorchModel, WrongInputCount)
{
  const auto m = input_error([] { TorchModel(models + "/scale.pt", "learned-ic", "test", "scale", 3, 1); });
  EXPECT_NE(m.find("declares 2 inputs, but the module feeds 3"), std::string::npos) << m;
}

TEST(TorchModel, WrongOutputShape)
{
  const TorchModel model(models + "/truncate.pt", "learned-ic", "test", "scale", 2, 1);
  const auto       m = input_error([&] { model.dry_run(tiny_inputs(3), {{3, 2}}); });
  EXPECT_NE(m.find("has shape [1, 2], the module needs [3, 2]"), std::string::npos) << m;
}
