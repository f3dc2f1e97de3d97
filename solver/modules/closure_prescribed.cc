/**
 * @file
 * @brief A prescribed eddy viscosity nu_t(x, t) from a function expression: for manufactured solutions,
 * tests of the variable-viscosity term, and a user's own algebraic model of known shape.
 */
#include <deal.II/base/function_parser.h>
#include <deal.II/base/parameter_handler.h>

#include <cmath>
#include <memory>

#include "solver/core/exceptions.h"
#include "solver/core/registry.h"
#include "solver/modules/closure_model.h"

namespace hyfe
{
  namespace
  {
    /** @brief nu_t from an expression of x, y, (z), t. */
    template <int dim>
    class PrescribedClosure : public ClosureModel<dim>
    {
    public:
      /** @brief The expression. */
      static void
      declare_parameters(dealii::ParameterHandler &prm)
      {
        prm.declare_entry("eddy viscosity",
                          "0",
                          dealii::Patterns::Anything(),
                          "nu_t as a function expression of x, y, z (length) and t (time), in the muparser "
                          "syntax, with pi available; it must be >= 0 where it is evaluated (a negative "
                          "value is a run error). Length^2/time.");
      }

      /** @brief Parses the expression (a syntax error is an input error naming the entry). */
      explicit PrescribedClosure(dealii::ParameterHandler &prm)
          : expression(prm.get("eddy viscosity"))
          , function(std::make_unique<dealii::FunctionParser<dim>>(1))
      {
        const std::string variables = dim == 2 ? "x,y,t" : "x,y,z,t";
        try
          {
            function->initialize(variables, expression, {{"pi", M_PI}}, true);
          }
        catch (...)
          {
            throw InputError("entry 'closure model/prescribed/eddy viscosity' = '" + expression +
                             "' is not a valid expression of " + variables);
          }
      }

    protected:
      ClosureNeeds
      needs() const override
      {
        return {true, false};
      }

      void
      compute(const ClosureInputs<dim> &in, std::vector<double> &nu_t) override
      {
        function->set_time(in.time);
        nu_t.resize(in.size());
        for (std::size_t q = 0; q < in.size(); ++q)
          {
            nu_t[q] = function->value(in.positions[q]);
            if (!(nu_t[q] >= 0.))
              throw RunError("closure model 'prescribed': 'eddy viscosity' = '" + expression + "' is " +
                             std::to_string(nu_t[q]) + " at a point; it must be >= 0");
          }
      }

    private:
      const std::string                            expression;
      std::unique_ptr<dealii::FunctionParser<dim>> function;
    };
  } // namespace

  /** @brief Registration (called by register_closure_models()). */
  void
  register_prescribed_closure()
  {
    register_dim_module<ClosureModel, PrescribedClosure>("prescribed",
                                                         ModuleKind::classical,
                                                         "nu_t(x, t) from a function expression");
  }
} // namespace hyfe
