/**
 * @file
 * @brief Unit tests of the classical closure models: nu_t against values computed by hand for given
 * velocity gradients (simple shear, pure rotation, solid-body rotation about an oblique axis, pure strain,
 * a 3-D strain with three distinct singular values), frame invariance, the dynamic model's clipping and
 * the guard-free evaluate() path.
 */
#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/tensor.h>

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "solver/core/registry.h"
#include "solver/modules/closure_model.h"

namespace
{
  using Gradient = dealii::Tensor<2, 3>;

  constexpr double delta = 0.5; // filter width of the tests

  /** @brief The closure model @p name with its default constants. */
  std::unique_ptr<hyfe::ClosureModel<3>>
  make_model(const std::string &name)
  {
    hyfe::register_classical_modules();
    dealii::ParameterHandler prm;
    prm.enter_subsection("closure model");
    hyfe::ClosureModel<3>::declare_system(prm);
    prm.set("type", name);
    auto model = hyfe::ClosureModel<3>::create(prm);
    prm.leave_subsection();
    return model;
  }

  /** @brief nu_t of @p name at one point of gradient @p g (a one-point cell, velocity 0). */
  double
  nu_t(const std::string &name, const Gradient &g)
  {
    hyfe::ClosureInputs<3> in;
    in.points_per_cell    = 1;
    in.viscosity          = 1e-3;
    in.velocity_gradients = {g};
    in.filter_widths      = {delta};
    in.weights            = {1.};
    in.cells              = {0};
    in.cell_sizes         = {3 * delta};
    in.positions          = {dealii::Point<3>()};
    in.velocities         = {dealii::Tensor<1, 3>()};
    std::vector<double> result;
    make_model(name)->evaluate(in, result);
    EXPECT_EQ(result.size(), 1u);
    return result.at(0);
  }

  Gradient
  shear(const double gamma)
  {
    Gradient g;
    g[0][1] = gamma; // u = gamma y
    return g;
  }

  /** @brief du_i/dx_j of u = omega x x: -epsilon_ijk omega_k. */
  Gradient
  rotation(const dealii::Tensor<1, 3> &omega)
  {
    Gradient g;
    g[0][1] = -omega[2];
    g[0][2] = omega[1];
    g[1][0] = omega[2];
    g[1][2] = -omega[0];
    g[2][0] = -omega[1];
    g[2][1] = omega[0];
    return g;
  }

  dealii::Tensor<1, 3>
  vec(const double a, const double b, const double c)
  {
    dealii::Tensor<1, 3> v;
    v[0] = a;
    v[1] = b;
    v[2] = c;
    return v;
  }

  Gradient
  diagonal(const double a, const double b, const double c)
  {
    Gradient g;
    g[0][0] = a;
    g[1][1] = b;
    g[2][2] = c;
    return g;
  }

  const std::vector<std::string> pointwise_models{"smagorinsky", "wale", "vreman", "sigma"};

  TEST(Closures, SimpleShear)
  {
    // |S| = gamma; WALE (g^2 = 0), Vreman (rank one) and sigma (s2 = s3 = 0) vanish
    EXPECT_NEAR(nu_t("smagorinsky", shear(2.)), std::pow(0.17 * delta, 2) * 2., 1e-14);
    EXPECT_NEAR(nu_t("wale", shear(2.)), 0., 1e-14);
    EXPECT_NEAR(nu_t("vreman", shear(2.)), 0., 1e-14);
    EXPECT_NEAR(nu_t("sigma", shear(2.)), 0., 1e-14);
  }

  TEST(Closures, PureRotation)
  {
    // omega = 3 about z: S = 0, so Smagorinsky and sigma (s3 = 0) vanish; WALE does not:
    // S^d:S^d = 2 omega^4 / 3 gives (C_w Delta)^2 omega (2/3)^(1/4); Vreman c Delta^2 omega / sqrt(2)
    const Gradient g = rotation(vec(0., 0., 3.));
    EXPECT_NEAR(nu_t("smagorinsky", g), 0., 1e-14);
    EXPECT_NEAR(nu_t("sigma", g), 0., 1e-12);
    EXPECT_NEAR(nu_t("wale", g), 0.20500470456898356, 1e-12);
    EXPECT_NEAR(nu_t("vreman", g), 0.037123106012293745, 1e-12);
  }

  TEST(Closures, SolidBodyRotationAboutAnObliqueAxis)
  {
    // the same rate, 3, about (1, 2, 2)/3: the same values as about z
    const Gradient g = rotation(vec(1., 2., 2.));
    EXPECT_NEAR(nu_t("smagorinsky", g), 0., 1e-14);
    EXPECT_NEAR(nu_t("sigma", g), 0., 1e-12);
    EXPECT_NEAR(nu_t("wale", g), 0.20500470456898356, 1e-12);
    EXPECT_NEAR(nu_t("vreman", g), 0.037123106012293745, 1e-12);
  }

  TEST(Closures, PlaneStrain)
  {
    // diag(a, -a, 0), a = 1.5: |S| = 2a; sigma: singular values (a, a, 0) give 0
    const Gradient g = diagonal(1.5, -1.5, 0.);
    EXPECT_NEAR(nu_t("smagorinsky", g), 0.021675, 1e-14);
    EXPECT_NEAR(nu_t("wale", g), 0.009864999614066387, 1e-14);
    EXPECT_NEAR(nu_t("vreman", g), 0.018561553006146873, 1e-14);
    EXPECT_NEAR(nu_t("sigma", g), 0., 1e-12);
  }

  TEST(Closures, SigmaWithThreeSingularValues)
  {
    // diag(3, -1, -2): s = (3, 2, 1), s3 (s1 - s2)(s2 - s3) / s1^2 = 1/9
    EXPECT_NEAR(nu_t("sigma", diagonal(3., -1., -2.)), std::pow(1.35 * delta, 2) / 9., 1e-13);
  }

  TEST(Closures, FrameInvariance)
  {
    // nu_t(R g R^T) = nu_t(g) for random rotations R and random traceless gradients g
    std::mt19937                           random(42);
    std::uniform_real_distribution<double> uniform(-1., 1.);
    for (unsigned int trial = 0; trial < 5; ++trial)
      {
        Gradient g;
        for (unsigned int i = 0; i < 3; ++i)
          for (unsigned int j = 0; j < 3; ++j)
            g[i][j] = uniform(random);
        const double trace = (g[0][0] + g[1][1] + g[2][2]) / 3.;
        for (unsigned int i = 0; i < 3; ++i)
          g[i][i] -= trace;
        // R = exp of a random skew matrix, by Rodrigues' formula
        dealii::Tensor<1, 3> axis  = vec(uniform(random), uniform(random), uniform(random));
        const double         angle = 3. * uniform(random);
        axis /= axis.norm();
        const Gradient K = rotation(axis);
        Gradient       R = dealii::unit_symmetric_tensor<3>();
        R += std::sin(angle) * K + (1. - std::cos(angle)) * K * K;
        const Gradient rotated = R * g * dealii::transpose(R);
        for (const auto &name : pointwise_models)
          {
            const double a = nu_t(name, g), b = nu_t(name, rotated);
            EXPECT_GT(a, 0.) << name;
            EXPECT_NEAR(a, b, 1e-12 * a) << name << ", trial " << trial;
          }
      }
  }

  TEST(Closures, DynamicSmagorinskyIsClippedAndNonNegative)
  {
    // a cell of 8 points with random velocities and gradients: C = <L:M>/<M:M> clipped to [0, 0.09], so
    // nu_t = C Delta^2 |S| with one C per cell, 0 <= nu_t <= 0.09 Delta^2 |S|
    std::mt19937                           random(7);
    std::uniform_real_distribution<double> uniform(-1., 1.);
    hyfe::ClosureInputs<3>                 in;
    in.points_per_cell = 8;
    in.viscosity       = 1e-3;
    for (unsigned int cell = 0; cell < 4; ++cell)
      {
        in.cells.push_back(cell);
        in.cell_sizes.push_back(3 * delta);
        for (unsigned int q = 0; q < 8; ++q)
          {
            Gradient             g;
            dealii::Tensor<1, 3> u;
            for (unsigned int i = 0; i < 3; ++i)
              {
                u[i] = uniform(random);
                for (unsigned int j = 0; j < 3; ++j)
                  g[i][j] = uniform(random);
              }
            in.velocity_gradients.push_back(g);
            in.velocities.push_back(u);
            in.filter_widths.push_back(delta);
            in.weights.push_back(0.125);
          }
      }
    std::vector<double> result;
    make_model("dynamic-smagorinsky")->evaluate(in, result);
    ASSERT_EQ(result.size(), in.size());
    for (unsigned int cell = 0; cell < 4; ++cell)
      {
        double coefficient = -1.;
        for (unsigned int q = cell * 8; q < cell * 8 + 8; ++q)
          {
            const auto   S = dealii::symmetrize(in.velocity_gradients[q]);
            const double s = std::sqrt(2. * (S * S));
            const double c = result[q] / (delta * delta * s);
            EXPECT_GE(c, 0.);
            EXPECT_LE(c, 0.09 + 1e-14);
            if (coefficient >= 0.)
              EXPECT_NEAR(c, coefficient, 1e-12); // one coefficient per cell
            coefficient = c;
          }
      }
  }

  TEST(Closures, FilterWidthConventions)
  {
    hyfe::register_classical_modules();
    for (const std::string convention : {"volume/(k+1)", "volume/k"})
      {
        dealii::ParameterHandler prm;
        prm.enter_subsection("closure model");
        hyfe::ClosureModel<3>::declare_system(prm);
        prm.set("type", "smagorinsky");
        prm.set("filter width", convention);
        const auto model = hyfe::ClosureModel<3>::create(prm);
        prm.leave_subsection();
        EXPECT_NEAR(model->filter_width(0.3, 2), convention == "volume/k" ? 0.15 : 0.1, 1e-15);
      }
  }
} // namespace

int
main(int argc, char **argv)
{
  dealii::Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
