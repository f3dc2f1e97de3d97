/**
 * @file
 * @brief Unit tests of hyfe's solver library (hyfe_solver): the module registry, the parameter
 * helpers and the strict parameter-file parser.
 */
#include <deal.II/base/function_parser.h>
#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/point.h>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "solver/core/exceptions.h"
#include "solver/core/linear_solver.h"
#include "solver/core/mesh.h"
#include "solver/core/output.h"
#include "solver/core/parameters.h"
#include "solver/core/registry.h"
#include "solver/core/registry.templates.h"
#include "solver/modules/preconditioner.h"
#include "solver/physics/simulation.h"

namespace
{
  using hyfe::InputError;

  /** A module system of the tests' own, so that the registry tests do not touch hyfe's. */
  class TestModule : public hyfe::ModuleBase
  {
  public:
    static constexpr const char *system_name = "test system";
    virtual double
    value() const = 0;
  };

  /** A test module with one option, "scale". */
  class ScaledModule : public TestModule
  {
  public:
    static void
    declare_parameters(dealii::ParameterHandler &prm)
    {
      prm.declare_entry("scale", "2", dealii::Patterns::Double(0.), "A factor.");
    }
    explicit ScaledModule(dealii::ParameterHandler &prm)
        : scale(prm.get_double("scale"))
    {
    }
    double
    value() const override
    {
      return scale;
    }

  private:
    double scale;
  };

  /** A second test module without options. */
  class ConstantModule : public TestModule
  {
  public:
    static void
    declare_parameters(dealii::ParameterHandler &)
    {
    }
    explicit ConstantModule(dealii::ParameterHandler &)
    {
    }
    double
    value() const override
    {
      return 42.;
    }
  };

  /** Registry<TestModule>::instance() filled once with "scaled", "constant" and an unavailable "learned-x".
   */
  void
  register_test_modules()
  {
    static bool done = false;
    if (done)
      return;
    done = true;
    hyfe::register_module<TestModule, ScaledModule>("scaled",
                                                    hyfe::ModuleKind::classical,
                                                    "scaled test module");
    hyfe::register_module<TestModule, ConstantModule>("constant", hyfe::ModuleKind::classical, "constant");
    hyfe::register_unavailable_module<TestModule>("learned-x",
                                                  hyfe::ModuleKind::learned,
                                                  "a learned test module",
                                                  "built without LibTorch");
  }

  hyfe::Registry<TestModule>::Entry
  entry(const std::string &name)
  {
    return {hyfe::ModuleInfo{TestModule::system_name, name, hyfe::ModuleKind::classical, "test " + name, ""},
            [](dealii::ParameterHandler &) {},
            [](dealii::ParameterHandler &prm) -> std::unique_ptr<TestModule> {
              return std::make_unique<ConstantModule>(prm);
            }};
  }

  /** A file in a fresh folder below the working directory, removed with the object. */
  class TempFile
  {
  public:
    TempFile(const std::string &name, const std::string &content)
    {
      static int counter = 0;
      // below the working directory, which ctest sets to the build tree's tests/work/unit
      folder = std::filesystem::current_path() /
               ("hyfe-unit-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
      std::filesystem::create_directories(folder);
      path = (folder / name).string();
      std::ofstream(path) << content;
    }
    ~TempFile()
    {
      std::error_code ec;
      std::filesystem::remove_all(folder, ec);
    }
    std::filesystem::path folder;
    std::string           path;
  };

  /** The message of the InputError that @p f throws (fails the test if it throws none). */
  template <typename F>
  std::string
  input_error_of(F f)
  {
    try
      {
        f();
      }
    catch (const InputError &e)
      {
        return e.what();
      }
    catch (const std::exception &e)
      {
        ADD_FAILURE() << "expected hyfe::InputError, got another exception: " << e.what();
        return "";
      }
    ADD_FAILURE() << "expected hyfe::InputError, nothing was thrown";
    return "";
  }

  bool
  contains(const std::string &text, const std::string &part)
  {
    return text.find(part) != std::string::npos;
  }

  // ------------------------------------------------------------------------------------------
  // Registry

  TEST(Registry, AddFindNamesInRegistrationOrder)
  {
    hyfe::Registry<TestModule> registry;
    EXPECT_EQ(registry.names(), "");
    EXPECT_EQ(registry.find("a"), nullptr);
    registry.add(entry("first"));
    registry.add(entry("second"));
    registry.add(entry("third"));
    EXPECT_EQ(registry.names(), "first|second|third");
    EXPECT_EQ(registry.names(", "), "first, second, third");
    ASSERT_NE(registry.find("second"), nullptr);
    EXPECT_EQ(registry.find("second")->info.name, "second");
    EXPECT_EQ(registry.find("second")->info.description, "test second");
    EXPECT_EQ(registry.find("Second"), nullptr); // names are case sensitive
    EXPECT_EQ(registry.find(""), nullptr);
    EXPECT_EQ(registry.all().size(), 3u);
    dealii::ParameterHandler prm;
    EXPECT_EQ(registry.find("third")->factory(prm)->value(), 42.);
  }

  TEST(Registry, DuplicateNameThrows)
  {
    hyfe::Registry<TestModule> registry;
    registry.add(entry("twice"));
    EXPECT_THROW(registry.add(entry("twice")), std::logic_error);
    EXPECT_EQ(registry.all().size(), 1u);
    registry.add(entry("other"));
    EXPECT_EQ(registry.names(), "twice|other");
  }

  TEST(Registry, DeclareAndCreateThroughParameterHandler)
  {
    register_test_modules();
    dealii::ParameterHandler prm;
    prm.enter_subsection("test");
    hyfe::declare_system_parameters<TestModule>(prm, "scaled", "Test modules.");
    prm.leave_subsection();

    std::ostringstream json;
    prm.print_parameters(json, dealii::ParameterHandler::JSON);
    EXPECT_TRUE(contains(json.str(), "[Selection scaled|constant|learned-x ]")) << json.str();

    prm.enter_subsection("test");
    {
      auto m = hyfe::create_module<TestModule>(prm); // the default: scaled, scale = 2
      ASSERT_TRUE(m);
      EXPECT_EQ(m->value(), 2.);
    }
    prm.enter_subsection("scaled");
    prm.set("scale", "3.5");
    prm.leave_subsection();
    EXPECT_EQ(hyfe::create_module<TestModule>(prm)->value(), 3.5);
    prm.set("type", "constant");
    EXPECT_EQ(hyfe::create_module<TestModule>(prm)->value(), 42.);
    EXPECT_ANY_THROW(prm.set("type", "no-such-module")); // the Selection rejects it

    prm.set("type", "learned-x");
    const std::string message = input_error_of([&] { hyfe::create_module<TestModule>(prm); });
    EXPECT_TRUE(contains(message, "learned-x")) << message;
    EXPECT_TRUE(contains(message, "built without LibTorch")) << message;
    prm.leave_subsection();
  }

  TEST(Registry, CatalogueListsTestModules)
  {
    register_test_modules();
    int found = 0;
    for (const auto &m : hyfe::module_catalogue())
      if (m.system == TestModule::system_name)
        {
          ++found;
          if (m.name == "learned-x")
            {
              EXPECT_EQ(m.kind, hyfe::ModuleKind::learned);
              EXPECT_EQ(m.unavailable_reason, "built without LibTorch");
            }
          else
            EXPECT_TRUE(m.unavailable_reason.empty());
        }
    EXPECT_EQ(found, 3);
    EXPECT_EQ(hyfe::to_string(hyfe::ModuleKind::classical), "classical");
    EXPECT_EQ(hyfe::to_string(hyfe::ModuleKind::learned), "learned");
  }

  TEST(Registry, ClassicalPreconditionersAreRegisteredOnce)
  {
    hyfe::register_classical_modules();
    hyfe::register_classical_modules(); // idempotent: no duplicate-name exception
    EXPECT_EQ(hyfe::Registry<hyfe::Preconditioner>::instance().names(),
              "jacobi|ssor|block-icc|block-ilu|boomeramg|gamg|direct");
    for (const auto &e : hyfe::Registry<hyfe::Preconditioner>::instance().all())
      {
        EXPECT_EQ(e.info.kind, hyfe::ModuleKind::classical) << e.info.name;
        EXPECT_FALSE(e.info.description.empty()) << e.info.name;
        EXPECT_TRUE(e.info.unavailable_reason.empty()) << e.info.name;
      }
  }

  // ------------------------------------------------------------------------------------------
  // parse_boundary_ids, parse_constants, is_zero_expression, paths

  TEST(ParseBoundaryIds, GoodInput)
  {
    using V = std::vector<dealii::types::boundary_id>;
    EXPECT_EQ(hyfe::parse_boundary_ids("0, 2, 3", "ids"), (V{0, 2, 3}));
    EXPECT_EQ(hyfe::parse_boundary_ids("7", "ids"), (V{7}));
    EXPECT_EQ(hyfe::parse_boundary_ids("  4 ,5  ", "ids"), (V{4, 5}));
    EXPECT_EQ(hyfe::parse_boundary_ids("254", "ids"), (V{254}));
    EXPECT_EQ(hyfe::parse_boundary_ids("", "ids"), V{});
    EXPECT_EQ(hyfe::parse_boundary_ids("   ", "ids"), V{});
  }

  TEST(ParseBoundaryIds, BadInputNamesTheEntry)
  {
    for (const std::string bad : {"a", "-1", "1.5", "1;2", "0, x", "3a"})
      {
        const std::string message =
          input_error_of([&] { hyfe::parse_boundary_ids(bad, "advection diffusion/dirichlet ids"); });
        EXPECT_TRUE(contains(message, "advection diffusion/dirichlet ids")) << bad << ": " << message;
      }
  }

  TEST(ParseBoundaryIds, IdsAbove254AreRejected)
  {
    // the message promises "an integer in [0, 254]" (255 is deal.II's internal-face id in hyfe's
    // parameter patterns); ids beyond must be rejected like any other bad id
    for (const std::string bad : {"255", "256", "1000", "0, 300"})
      {
        const std::string message = input_error_of([&] { hyfe::parse_boundary_ids(bad, "my/ids"); });
        EXPECT_TRUE(contains(message, "my/ids")) << bad << ": " << message;
      }
  }

  TEST(ParseConstants, GoodInput)
  {
    const auto c = hyfe::parse_constants("a=1, b = 2.5e-3,c=-4", "constants");
    EXPECT_EQ(c.size(), 4u); // a, b, c and pi
    EXPECT_DOUBLE_EQ(c.at("a"), 1.);
    EXPECT_DOUBLE_EQ(c.at("b"), 2.5e-3);
    EXPECT_DOUBLE_EQ(c.at("c"), -4.);
    EXPECT_DOUBLE_EQ(c.at("pi"), M_PI);
    const auto only_pi = hyfe::parse_constants("", "constants");
    EXPECT_EQ(only_pi.size(), 1u);
    EXPECT_DOUBLE_EQ(only_pi.at("pi"), M_PI);
  }

  TEST(ParseConstants, BadInputNamesTheEntry)
  {
    for (const std::string bad : {"a", "a=", "=1", "a=x", "a=1, b", "a=1e", "a=1 2"})
      {
        const std::string message = input_error_of([&] { hyfe::parse_constants(bad, "my/constants"); });
        EXPECT_TRUE(contains(message, "my/constants")) << bad << ": " << message;
      }
  }

  TEST(IsZeroExpression, Literals)
  {
    EXPECT_TRUE(hyfe::is_zero_expression("0"));
    EXPECT_TRUE(hyfe::is_zero_expression("0; 0"));
    EXPECT_TRUE(hyfe::is_zero_expression("0.0;0;0"));
    EXPECT_TRUE(hyfe::is_zero_expression(" 0 ; 0 "));
    EXPECT_TRUE(hyfe::is_zero_expression("0e0; -0"));
    EXPECT_FALSE(hyfe::is_zero_expression("1"));
    EXPECT_FALSE(hyfe::is_zero_expression("0; 1"));
    EXPECT_FALSE(hyfe::is_zero_expression("0*x; 0"));
    EXPECT_FALSE(hyfe::is_zero_expression("x"));
    EXPECT_FALSE(hyfe::is_zero_expression("1e-300"));
  }

  TEST(Paths, FolderAndResolve)
  {
    EXPECT_EQ(hyfe::folder_of("a/b/case.prm"), "a/b");
    EXPECT_EQ(hyfe::folder_of("case.prm"), ".");
    EXPECT_EQ(hyfe::folder_of("/abs/case.prm"), "/abs");
    EXPECT_EQ(hyfe::resolve_path("a/b", "mesh.msh"), "a/b/mesh.msh");
    EXPECT_EQ(hyfe::resolve_path("a/b", "/abs/mesh.msh"), "/abs/mesh.msh");
    EXPECT_EQ(hyfe::resolve_path("a/b", ""), "");
  }

  // ------------------------------------------------------------------------------------------
  // make_function

  TEST(MakeFunction, EvaluatesWithConstantsAndTime)
  {
    const auto c = hyfe::parse_constants("k=2", "constants");
    auto       f = hyfe::make_function<2>("k*x + y^2 + t; sin(pi*x)", 2, c, "entry");
    ASSERT_TRUE(f);
    f->set_time(0.5);
    const dealii::Point<2> p(0.25, 3.);
    EXPECT_NEAR(f->value(p, 0), 2 * 0.25 + 9. + 0.5, 1e-14);
    EXPECT_NEAR(f->value(p, 1), std::sin(M_PI * 0.25), 1e-14);
    // gradients by finite differences, fourth order
    const auto g = f->gradient(p, 0);
    EXPECT_NEAR(g[0], 2., 1e-8);
    EXPECT_NEAR(g[1], 6., 1e-8);

    auto f3 = hyfe::make_function<3>("x*y*z", 1, c, "entry");
    EXPECT_NEAR(f3->value(dealii::Point<3>(1., 2., 3.)), 6., 1e-14);
  }

  TEST(MakeFunction, SyntaxErrorThrowsInputError)
  {
    const auto        c = hyfe::parse_constants("", "constants");
    const std::string message =
      input_error_of([&] { hyfe::make_function<2>("1 + sin(x", 1, c, "advection diffusion/diffusivity"); });
    EXPECT_TRUE(contains(message, "advection diffusion/diffusivity")) << message;
    EXPECT_TRUE(contains(message, "1 + sin(x")) << message;
  }

  TEST(MakeFunction, UnknownNameAndComponentCountThrowInputError)
  {
    const auto c = hyfe::parse_constants("a=1", "constants");
    EXPECT_TRUE(contains(input_error_of([&] { hyfe::make_function<2>("b*x", 1, c, "e1"); }), "e1"));
    EXPECT_TRUE(
      contains(input_error_of([&] { hyfe::make_function<2>("z", 1, c, "e2"); }), "e2")); // no z in 2D
    EXPECT_TRUE(contains(input_error_of([&] { hyfe::make_function<2>("1; 2; 3", 2, c, "e3"); }), "e3"));
    EXPECT_TRUE(contains(input_error_of([&] { hyfe::make_function<3>("1; 2", 3, c, "e4"); }), "e4"));
  }

  // ------------------------------------------------------------------------------------------
  // parse_parameter_file

  const char *good_prm = R"(# a small case
set dimension = 2
subsection time
  set end time  = 0.1
  set time step = 0.05
end
subsection mesh
  set generator arguments = 0 : 1 : false
end
subsection advection diffusion
  set finite element degree = 2
  set diffusivity           = 1 + x
  subsection boundary conditions
    set dirichlet ids = 0
  end
  subsection linear solver
    subsection preconditioner
      set type = gamg
    end
  end
end
)";

  TEST(ParseParameterFile, GoodFileIsRead)
  {
    hyfe::register_classical_modules();
    dealii::ParameterHandler prm;
    hyfe::declare_all_parameters(prm);
    TempFile file("good.prm", good_prm);
    hyfe::parse_parameter_file(prm, file.path);
    prm.enter_subsection("advection diffusion");
    EXPECT_EQ(prm.get_integer("finite element degree"), 2);
    EXPECT_EQ(prm.get("diffusivity"), "1 + x");
    prm.enter_subsection("linear solver");
    prm.enter_subsection("preconditioner");
    EXPECT_EQ(prm.get("type"), "gamg");
    prm.leave_subsection();
    prm.leave_subsection();
    prm.leave_subsection();
    prm.enter_subsection("time");
    EXPECT_DOUBLE_EQ(prm.get_double("time step"), 0.05);
    prm.leave_subsection();
  }

  TEST(ParseParameterFile, MisspelledEntryGetsSuggestion)
  {
    hyfe::register_classical_modules();
    dealii::ParameterHandler prm;
    hyfe::declare_all_parameters(prm);
    std::string text = good_prm;
    text.replace(text.find("set diffusivity "), 16, "set difusivity  ");
    TempFile          file("misspelled.prm", text);
    const std::string message = input_error_of([&] { hyfe::parse_parameter_file(prm, file.path); });
    EXPECT_TRUE(contains(message, file.path)) << message;
    EXPECT_TRUE(contains(message, "line 12")) << message;
    EXPECT_TRUE(contains(message, "'difusivity'")) << message;
    EXPECT_TRUE(contains(message, "Did you mean 'diffusivity'?")) << message;
  }

  TEST(ParseParameterFile, MisspelledSubsectionGetsSuggestion)
  {
    hyfe::register_classical_modules();
    dealii::ParameterHandler prm;
    hyfe::declare_all_parameters(prm);
    std::string text = good_prm;
    text.replace(text.find("subsection linear solver"), 24, "subsection linear solvers");
    TempFile          file("sub.prm", text);
    const std::string message = input_error_of([&] { hyfe::parse_parameter_file(prm, file.path); });
    EXPECT_TRUE(contains(message, "line 16")) << message;
    EXPECT_TRUE(contains(message, "Did you mean 'linear solver'?")) << message;
  }

  TEST(ParseParameterFile, FarOffNameGetsNoSuggestionButTheValidEntries)
  {
    hyfe::register_classical_modules();
    dealii::ParameterHandler prm;
    hyfe::declare_all_parameters(prm);
    TempFile          file("far.prm", "set dimension = 2\nset completely unrelated thing = 1\n");
    const std::string message = input_error_of([&] { hyfe::parse_parameter_file(prm, file.path); });
    EXPECT_TRUE(contains(message, "line 2")) << message;
    EXPECT_FALSE(contains(message, "Did you mean")) << message;
    EXPECT_TRUE(contains(message, "'dimension'")) << message; // lists the valid entries
  }

  TEST(ParseParameterFile, BadValueAndMissingFile)
  {
    hyfe::register_classical_modules();
    dealii::ParameterHandler prm;
    hyfe::declare_all_parameters(prm);
    std::string text = good_prm;
    text.replace(text.find("set finite element degree = 2"), 29, "set finite element degree = 5");
    TempFile          file("bad.prm", text);
    const std::string message = input_error_of([&] { hyfe::parse_parameter_file(prm, file.path); });
    EXPECT_TRUE(contains(message, "finite element degree")) << message;
    EXPECT_TRUE(contains(message, "1...2")) << message;

    const std::string missing =
      input_error_of([&] { hyfe::parse_parameter_file(prm, "/nonexistent/folder/case.prm"); });
    EXPECT_TRUE(contains(missing, "/nonexistent/folder/case.prm")) << missing;
  }

  TEST(ParseParameterFile, UnclosedSubsectionIsAnError)
  {
    hyfe::register_classical_modules();
    dealii::ParameterHandler prm;
    hyfe::declare_all_parameters(prm);
    TempFile          file("open.prm", "subsection time\n  set end time = 1\n");
    const std::string message = input_error_of([&] { hyfe::parse_parameter_file(prm, file.path); });
    EXPECT_TRUE(contains(message, "time")) << message;
  }

  TEST(ParseParameterFile, JsonFileIsRead)
  {
    hyfe::register_classical_modules();
    dealii::ParameterHandler prm;
    hyfe::declare_all_parameters(prm);
    TempFile file("case.json", R"({"dimension": "3", "time": {"scheme": "crank-nicolson"}})");
    hyfe::parse_parameter_file(prm, file.path);
    EXPECT_EQ(prm.get_integer("dimension"), 3);
    prm.enter_subsection("time");
    EXPECT_EQ(prm.get("scheme"), "crank-nicolson");
    prm.leave_subsection();
  }

  // ------------------------------------------------------------------------------------------
  // bad input (issue 15): constants, includes, duplicates, byte-order marks, documented ranges,
  // gmsh structure

  TEST(ParseConstants, ReservedNamesAndNonFiniteValuesAreRejected)
  {
    for (const std::string bad : {"x=1", "a=1, t=2", "z=0", "sin=1", "pi=3", "2a=1", "a-b=1"})
      {
        const std::string message = input_error_of([&] { hyfe::parse_constants(bad, "my/constants"); });
        EXPECT_TRUE(contains(message, "my/constants")) << bad << ": " << message;
        EXPECT_TRUE(contains(message, "name")) << bad << ": " << message;
      }
    for (const std::string bad : {"kappa=nan", "kappa=inf", "kappa=-inf", "kappa=1e400"})
      {
        const std::string message = input_error_of([&] { hyfe::parse_constants(bad, "my/constants"); });
        EXPECT_TRUE(contains(message, "not a finite number")) << bad << ": " << message;
      }
    EXPECT_TRUE(contains(input_error_of([&] { hyfe::parse_constants("a=1, a=2", "c"); }), "twice"));
    EXPECT_NO_THROW(hyfe::parse_constants("x0=1, t_end=2, kappa=1e-300", "c"));
  }

  TEST(MakeFunction, ParserErrorsThatAreNotStdExceptionsBecomeInputErrors)
  {
    // a constant named like a variable would throw mu::ParserError (not a std::exception) in muparser
    const std::map<std::string, double> c{{"x", 1.}};
    EXPECT_TRUE(
      contains(input_error_of([&] { hyfe::make_function<2>("x + 1", 1, c, "my/entry"); }), "my/entry"));
  }

  TEST(ParseParameterFile, IncludesAreExpandedAndCyclesAreErrors)
  {
    hyfe::register_classical_modules();
    {
      dealii::ParameterHandler prm;
      hyfe::declare_all_parameters(prm);
      TempFile          self("self.prm", "set dimension = 2\ninclude self.prm\n");
      const std::string message = input_error_of([&] { hyfe::parse_parameter_file(prm, self.path); });
      EXPECT_TRUE(contains(message, "line 2")) << message;
      EXPECT_TRUE(contains(message, "cycle")) << message;
    }
    {
      dealii::ParameterHandler prm;
      hyfe::declare_all_parameters(prm);
      TempFile main("main.prm", "include common.prm\nsubsection time\n  set time step = 0.05\nend\n");
      std::ofstream(main.folder / "common.prm") << "subsection time\n  set end time = 0.1\nend\n";
      hyfe::parse_parameter_file(prm, main.path); // relative to the including file's folder
      prm.enter_subsection("time");
      EXPECT_DOUBLE_EQ(prm.get_double("end time"), 0.1);
      EXPECT_DOUBLE_EQ(prm.get_double("time step"), 0.05);
      prm.leave_subsection();
    }
    {
      dealii::ParameterHandler prm;
      hyfe::declare_all_parameters(prm);
      TempFile a("a.prm", "include b.prm\n");
      std::ofstream(a.folder / "b.prm") << "set dimension = 2\ninclude a.prm\n";
      const std::string message = input_error_of([&] { hyfe::parse_parameter_file(prm, a.path); });
      EXPECT_TRUE(contains(message, "b.prm', line 2")) << message;
      EXPECT_TRUE(contains(message, "cycle")) << message;
      TempFile          missing("m.prm", "include nothere.prm\n");
      const std::string m = input_error_of([&] { hyfe::parse_parameter_file(prm, missing.path); });
      EXPECT_TRUE(contains(m, "nothere.prm")) << m;
    }
  }

  TEST(ParseParameterFile, DuplicatedEntryNamesBothLines)
  {
    hyfe::register_classical_modules();
    dealii::ParameterHandler prm;
    hyfe::declare_all_parameters(prm);
    std::string text = good_prm;
    text.replace(text.find("  set diffusivity "), 0, "  set diffusivity = 2\n");
    TempFile          file("twice.prm", text);
    const std::string message = input_error_of([&] { hyfe::parse_parameter_file(prm, file.path); });
    EXPECT_TRUE(contains(message, "line 13")) << message;
    EXPECT_TRUE(contains(message, "line 12")) << message;
    EXPECT_TRUE(contains(message, "advection diffusion/diffusivity")) << message;
    // a subsection opened twice with different entries is fine
    dealii::ParameterHandler prm2;
    hyfe::declare_all_parameters(prm2);
    TempFile again("again.prm",
                   "subsection time\n set end time = 1\nend\nsubsection time\n set time step = 0.5\nend\n");
    EXPECT_NO_THROW(hyfe::parse_parameter_file(prm2, again.path));
  }

  TEST(ParseParameterFile, ByteOrderMarkDirectoryAndDocumentedRanges)
  {
    hyfe::register_classical_modules();
    dealii::ParameterHandler prm;
    hyfe::declare_all_parameters(prm);
    TempFile bom("bom.prm", std::string("\xef\xbb\xbf") + good_prm);
    EXPECT_NO_THROW(hyfe::parse_parameter_file(prm, bom.path));
    TempFile bom_json("bom.json", "\xef\xbb\xbf{\"dimension\": \"3\"}");
    EXPECT_NO_THROW(hyfe::parse_parameter_file(prm, bom_json.path));
    const std::string directory =
      input_error_of([&] { hyfe::parse_parameter_file(prm, bom.folder.string()); });
    EXPECT_TRUE(contains(directory, "directory")) << directory;

    // documented '> 0' that the pattern Double(0) lets through
    dealii::ParameterHandler prm2;
    hyfe::declare_all_parameters(prm2);
    TempFile          cfl("cfl.prm", "subsection navier stokes\n  set max cfl = 0\nend\n");
    const std::string message = input_error_of([&] { hyfe::parse_parameter_file(prm2, cfl.path); });
    EXPECT_TRUE(contains(message, "line 2")) << message;
    EXPECT_TRUE(contains(message, "navier stokes/max cfl")) << message;
    EXPECT_TRUE(contains(message, "> 0")) << message;
  }

  TEST(ParseParameterFile, JsonErrorsNameThePathLineAndChoices)
  {
    hyfe::register_classical_modules();
    dealii::ParameterHandler prm;
    hyfe::declare_all_parameters(prm);
    TempFile          typo("typo.json",
                  "{\"dimension\": \"2\",\n \"advection diffusion\": {\n  \"difusivity\": \"1\"}}");
    const std::string message = input_error_of([&] { hyfe::parse_parameter_file(prm, typo.path); });
    EXPECT_TRUE(contains(message, "line 3")) << message;
    EXPECT_TRUE(contains(message, "advection diffusion")) << message;
    EXPECT_TRUE(contains(message, "Did you mean 'diffusivity'?")) << message;
    EXPECT_TRUE(contains(message, "Valid entries here")) << message;
    TempFile          type("type.json", "{\"advection diffusion\": {\"finite element degree\": \"two\"}}");
    const std::string t = input_error_of([&] { hyfe::parse_parameter_file(prm, type.path); });
    EXPECT_TRUE(contains(t, "advection diffusion/finite element degree")) << t;
    EXPECT_TRUE(contains(t, "'two'")) << t;
    TempFile          broken("broken.json", "{\"dimension\": \n");
    const std::string b = input_error_of([&] { hyfe::parse_parameter_file(prm, broken.path); });
    EXPECT_TRUE(contains(b, "not valid JSON")) << b;
  }

  TEST(CheckMshStructure, TruncatedAndCorruptFilesNameTheProblem)
  {
    const std::string good = "$MeshFormat\n2.2 0 8\n$EndMeshFormat\n$Nodes\n2\n1 0 0 0\n2 1 0 0\n$EndNodes\n"
                             "$Elements\n1\n1 1 2 0 1 1 2\n$EndElements\n";
    TempFile          ok("ok.msh", good);
    EXPECT_NO_THROW(hyfe::check_msh_structure(ok.path));
    const std::vector<std::pair<std::string, std::string>> bad{
      {"", "empty"},
      {good.substr(0, good.find("2 1 0 0")), "truncated"},
      {good.substr(0, good.find("$EndElements")), "truncated"},
      {"hello\n", "does not start with '$MeshFormat'"},
      {"$MeshFormat\n1.0 0 8\n$EndMeshFormat\n", "format"},
      {"$MeshFormat\n2.2 0 8\n$EndMeshFormat\n$Nodes\n3\n1 0 0 0\n$EndNodes\n", "declares 3"},
      {"$MeshFormat\n2.2 0 8\n$EndMeshFormat\n", "no $Nodes"}};
    for (const auto &[text, expected] : bad)
      {
        TempFile          file("bad.msh", text);
        const std::string message = input_error_of([&] { hyfe::check_msh_structure(file.path); });
        EXPECT_TRUE(contains(message, file.path)) << message;
        EXPECT_TRUE(contains(message, expected)) << expected << ": " << message;
      }
  }

  // ------------------------------------------------------------------------------------------
  // run_case in validate mode, small helpers

  TEST(RunCase, ValidateGoodAndBadFiles)
  {
    hyfe::register_classical_modules();
    TempFile good("good.prm", good_prm);
    EXPECT_EQ(hyfe::run_case(good.path, MPI_COMM_WORLD, hyfe::RunMode::validate), 0);
    std::string text = good_prm;
    text.replace(text.find("set dirichlet ids = 0"), 21, "set dirichlet ids = 5");
    TempFile bad("bad.prm", text);
    EXPECT_EQ(hyfe::run_case(bad.path, MPI_COMM_WORLD, hyfe::RunMode::validate), 1);
  }

  TEST(Helpers, KrylovAutoMethod)
  {
    hyfe::KrylovSettings s;
    EXPECT_EQ(s.resolved_method(true), "cg");
    EXPECT_EQ(s.resolved_method(false), "gmres");
    s.method = "bicgstab";
    EXPECT_EQ(s.resolved_method(true), "bicgstab");
  }

  TEST(Helpers, FormatDuration)
  {
    EXPECT_EQ(hyfe::format_duration(0.), "0:00:00");
    EXPECT_EQ(hyfe::format_duration(3723.), "1:02:03");
    EXPECT_EQ(hyfe::format_duration(59.6), "0:01:00");
    EXPECT_EQ(hyfe::format_duration(-1.), "--:--");
    EXPECT_EQ(hyfe::format_duration(std::nan("")), "--:--");
  }

  TEST(Helpers, CsvWriterWritesHeaderAndRows)
  {
    TempFile file("stats.csv", "");
    {
      hyfe::CsvWriter csv(file.path, MPI_COMM_WORLD);
      csv.write_row({{"step", 1}, {"error", 0.125}});
      csv.write_row({{"step", 2}, {"error", 1e-13}});
    }
    if (dealii::Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0)
      {
        std::ifstream     in(file.path);
        std::stringstream s;
        s << in.rdbuf();
        EXPECT_EQ(s.str(), "step,error\n1,0.125\n2,1e-13\n");
      }
  }

  TEST(Helpers, ExceptionMessage)
  {
    EXPECT_EQ(hyfe::exception_message(std::runtime_error("plain message")), "plain message");
  }
} // namespace

int
main(int argc, char **argv)
{
  dealii::Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
