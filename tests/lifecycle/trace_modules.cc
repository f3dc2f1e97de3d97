/**
 * @file
 * @brief Test-only modules that record every lifecycle hook they receive (tests/README.md, test
 * `module_lifecycle`), and `hyfe-trace`, hyfe with these modules registered.
 *
 * Each module appends one line per hook to `$HYFE_TRACE.<rank>`: "<label> <hook> <step> [detail]".
 * The mesh mover also carries a Q1 field f = 1 + x + 2y (+ 3z) on the mesh through adaptation,
 * repartitioning and checkpoints, and records its largest error after each of them: a linear field
 * survives interpolation to refined and coarsened cells exactly, so the error shows whether the vector
 * followed the mesh. Every update also records the fields of the state view and the domain's volume
 * from the mapping-aware cell sizes.
 */
#include <deal.II/base/function.h>
#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/distributed/solution_transfer.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/fe/fe_q.h>
#include <deal.II/fe/mapping_q.h>
#include <deal.II/lac/affine_constraints.h>
#include <deal.II/lac/petsc_vector.h>
#include <deal.II/numerics/vector_tools.h>

#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <memory>
#include <sstream>

#include "learned/learned.h"
#include "solver/core/module_archive.h"
#include "solver/core/module_state.h"
#include "solver/core/registry.h"
#include "solver/modules/closure_model.h"
#include "solver/modules/mesh_mover.h"
#include "solver/modules/preconditioner.h"
#include "solver/physics/simulation.h"

namespace hyfe
{
  namespace
  {
    /** Appends @p line to this rank's trace file. */
    void
    trace(const std::string &line)
    {
      const char *base = std::getenv("HYFE_TRACE");
      if (!base)
        return;
      std::ofstream out(std::string(base) + "." +
                          std::to_string(dealii::Utilities::MPI::this_mpi_process(MPI_COMM_WORLD)),
                        std::ios::app);
      out << line << "\n";
    }

    /** The records of every traced module: label, hook, step, and a detail. */
    struct Tracer
    {
      std::string  label;
      unsigned int step = 0;

      void
      record(const std::string &hook, const std::string &detail = "") const
      {
        trace(label + " " + hook + " " + std::to_string(step) + (detail.empty() ? "" : " " + detail));
      }

      /** The fields of the view and the domain's volume from its cell sizes (collective). */
      template <int dim>
      static std::string
      describe(const SimulationState<dim> &state)
      {
        std::string names;
        for (const auto &f : state.fields)
          names += (names.empty() ? "" : ",") + f.name + (f.current && f.previous ? "+previous" : "");
        double volume = 0.;
        for (const double h : state.cell_sizes)
          volume += std::pow(h, dim);
        std::ostringstream s;
        s << "fields=" << names << " volume=" << std::setprecision(10)
          << dealii::Utilities::MPI::sum(volume, state.comm) << " mapping=" << (state.mapping ? "yes" : "no");
        return s.str();
      }
    };

    void
    declare_label(dealii::ParameterHandler &prm, const std::string &label)
    {
      prm.declare_entry("label", label, dealii::Patterns::Anything(), "Name in the trace file. Unitless.");
    }

    /** A mesh mover that does not move the mesh but reports a motion every `motion interval` steps. */
    template <int dim>
    class TraceMeshMover : public MeshMover<dim>
    {
    public:
      static void
      declare_parameters(dealii::ParameterHandler &prm)
      {
        declare_label(prm, "mesh_mover");
        prm.declare_entry("motion interval",
                          "0",
                          dealii::Patterns::Integer(0),
                          "Report a (zero) motion every this many steps; 0: never. Steps.");
      }

      explicit TraceMeshMover(dealii::ParameterHandler &prm)
          : motion_interval(prm.get_integer("motion interval"))
          , fe(1)
      {
        tracer.label = prm.get("label");
      }

      void
      setup(const dealii::Triangulation<dim, dim> &triangulation,
            const unsigned int                     degree,
            double,
            bool) override
      {
        tria = dynamic_cast<const dealii::parallel::distributed::Triangulation<dim> *>(&triangulation);
        if (!mapping_)
          mapping_ = std::make_unique<dealii::MappingQ<dim>>(degree);
        tracer.record("setup");
      }

      const dealii::Mapping<dim, dim> &
      mapping() const override
      {
        return *mapping_;
      }

      void
      reinit(const StateView &state) override
      {
        if (!dof_handler)
          {
            distribute();
            dealii::VectorTools::interpolate(*dof_handler, Linear(), owned);
            field = owned;
          }
        tracer.record("reinit", Tracer::describe(state.get<dim>()));
      }

      void
      update(const StepInfo &step, const StateView &state) override
      {
        tracer.step = step.step;
        tracer.record("update", Tracer::describe(state.get<dim>()));
      }

      bool
      move_mesh(const StepInfo &step, const StateView &) override
      {
        return motion_interval > 0 && step.step % motion_interval == 0;
      }

      void
      after_mesh_motion(const StateView &) override
      {
        tracer.record("after_mesh_motion");
      }

      void
      before_adaptation(const StateView &) override
      {
        transfer =
          std::make_unique<dealii::parallel::distributed::SolutionTransfer<dim, Vector_t>>(*dof_handler);
        transfer->prepare_for_coarsening_and_refinement(field);
        tracer.record("before_adaptation");
      }

      void
      after_adaptation(const StateView &state) override
      {
        distribute();
        transfer->interpolate(owned);
        transfer.reset();
        hanging.distribute(owned);
        field = owned;
        tracer.record("after_adaptation",
                      "error=" + error() + " fields=" + std::to_string(state.get<dim>().fields.size()));
      }

      void
      save_checkpoint(ModuleArchive &archive) const override
      {
        archive.save_vector<dim>("linear field", *dof_handler, field);
        archive.set("label", tracer.label);
        tracer.record("save_checkpoint");
      }

      void
      load_checkpoint(ModuleArchive &archive) override
      {
        owned = 0.;
        archive.load_vector<dim>("linear field", *dof_handler, owned);
        hanging.distribute(owned);
        field = owned;
        tracer.record("load_checkpoint", "error=" + error() + " label=" + archive.get("label"));
      }

      void
      add_output_fields(OutputFields &) const override
      {
        tracer.record("add_output_fields");
      }

      std::vector<std::pair<std::string, double>>
      statistics() const override
      {
        tracer.record("statistics");
        return {{"trace", tracer.step}};
      }

      std::vector<std::string>
      description() const override
      {
        tracer.record("description");
        return {};
      }

      std::vector<std::pair<std::string, double>>
      summary() const override
      {
        tracer.record("summary");
        return {};
      }

    private:
      using Vector_t = dealii::PETScWrappers::MPI::Vector;

      /** f = 1 + x + 2y + 3z. */
      class Linear : public dealii::Function<dim>
      {
      public:
        double
        value(const dealii::Point<dim> &p, const unsigned int) const override
        {
          double v = 1.;
          for (unsigned int d = 0; d < dim; ++d)
            v += (d + 1.) * p[d];
          return v;
        }
      };

      void
      distribute()
      {
        if (!dof_handler)
          dof_handler = std::make_unique<dealii::DoFHandler<dim>>(*tria);
        dof_handler->distribute_dofs(fe);
        const dealii::IndexSet owned_dofs = dof_handler->locally_owned_dofs();
        dealii::IndexSet       relevant;
        dealii::DoFTools::extract_locally_relevant_dofs(*dof_handler, relevant);
        hanging.clear();
        hanging.reinit(relevant);
        dealii::DoFTools::make_hanging_node_constraints(*dof_handler, hanging);
        hanging.close();
        owned.reinit(owned_dofs, tria->get_communicator());
        field.reinit(owned_dofs, relevant, tria->get_communicator());
      }

      /** The largest |field - f| over the DoFs (collective). */
      std::string
      error() const
      {
        Vector_t exact(owned);
        dealii::VectorTools::interpolate(*dof_handler, Linear(), exact);
        exact -= owned;
        std::ostringstream s;
        s << std::setprecision(3) << exact.linfty_norm();
        return s.str();
      }

      const unsigned int                                                              motion_interval;
      Tracer                                                                          tracer;
      const dealii::parallel::distributed::Triangulation<dim>                        *tria = nullptr;
      std::unique_ptr<dealii::MappingQ<dim>>                                          mapping_;
      dealii::FE_Q<dim>                                                               fe;
      std::unique_ptr<dealii::DoFHandler<dim>>                                        dof_handler;
      dealii::AffineConstraints<double>                                               hanging;
      Vector_t                                                                        owned, field;
      std::unique_ptr<dealii::parallel::distributed::SolutionTransfer<dim, Vector_t>> transfer;
    };

    /** The hooks every traced module records in the same way. */
    template <typename Base>
    class Traced : public Base
    {
    public:
      using Base::Base;

      void
      reinit(const StateView &state) override
      {
        Base::reinit(state);
        tracer.record("reinit");
      }
      void
      update(const StepInfo &step, const StateView &state) override
      {
        Base::update(step, state);
        tracer.step = step.step;
        ++updates;
        tracer.record("update");
      }
      void
      after_mesh_motion(const StateView &state) override
      {
        Base::after_mesh_motion(state);
        tracer.record("after_mesh_motion");
      }
      void
      before_adaptation(const StateView &state) override
      {
        Base::before_adaptation(state);
        tracer.record("before_adaptation");
      }
      void
      after_adaptation(const StateView &state) override
      {
        Base::after_adaptation(state);
        tracer.record("after_adaptation");
      }
      void
      save_checkpoint(ModuleArchive &archive) const override
      {
        Base::save_checkpoint(archive);
        archive.set_number("updates", updates);
        tracer.record("save_checkpoint");
      }
      void
      load_checkpoint(ModuleArchive &archive) override
      {
        Base::load_checkpoint(archive);
        updates = static_cast<unsigned int>(archive.get_number("updates"));
        tracer.record("load_checkpoint", "updates=" + std::to_string(updates));
      }
      void
      add_output_fields(OutputFields &fields) const override
      {
        Base::add_output_fields(fields);
        tracer.record("add_output_fields");
      }
      std::vector<std::pair<std::string, double>>
      statistics() const override
      {
        tracer.record("statistics");
        auto row = Base::statistics();
        row.emplace_back("updates", updates);
        return row;
      }
      std::vector<std::string>
      description() const override
      {
        tracer.record("description");
        return Base::description();
      }
      std::vector<std::pair<std::string, double>>
      summary() const override
      {
        tracer.record("summary");
        return Base::summary();
      }

    protected:
      Tracer       tracer;
      unsigned int updates = 0;
    };

    /** nu_t = 0; adds the cell levels as an output field. */
    template <int dim>
    class TraceClosureBase : public ClosureModel<dim>
    {
    public:
      explicit TraceClosureBase(dealii::ParameterHandler &)
      {
      }
      bool
      is_active() const override
      {
        return false;
      }
      void
      reinit(const StateView &state) override
      {
        ClosureModel<dim>::reinit(state);
        const auto &s = state.get<dim>();
        levels.reinit(s.triangulation->n_active_cells());
        for (const auto &cell : s.triangulation->active_cell_iterators())
          levels(cell->active_cell_index()) = cell->level();
      }
      void
      add_output_fields(OutputFields &fields) const override
      {
        ClosureModel<dim>::add_output_fields(fields);
        fields.cell_vectors.emplace_back("trace_level", &levels);
      }

    protected:
      void
      compute(const ClosureInputs<dim> &inputs, std::vector<double> &nu_t) override
      {
        nu_t.assign(inputs.size(), 0.);
      }

    private:
      dealii::Vector<float> levels;
    };

    template <int dim>
    class TraceClosure : public Traced<TraceClosureBase<dim>>
    {
    public:
      static void
      declare_parameters(dealii::ParameterHandler &prm)
      {
        declare_label(prm, "closure");
      }
      explicit TraceClosure(dealii::ParameterHandler &prm)
          : Traced<TraceClosureBase<dim>>(prm)
      {
        this->tracer.label = prm.get("label");
      }
    };

    /** Point Jacobi, traced. */
    class TraceJacobi : public Preconditioner
    {
    public:
      explicit TraceJacobi(dealii::ParameterHandler &)
      {
      }

    protected:
      void
      configure(PC pc, const std::string &) override
      {
        petsc_check(PCSetType(pc, PCJACOBI), "PCSetType");
      }
    };

    class TracePreconditioner : public Traced<TraceJacobi>
    {
    public:
      static void
      declare_parameters(dealii::ParameterHandler &prm)
      {
        declare_label(prm, "preconditioner");
      }
      explicit TracePreconditioner(dealii::ParameterHandler &prm)
          : Traced<TraceJacobi>(prm)
      {
        tracer.label = prm.get("label");
      }
    };
  } // namespace
} // namespace hyfe

int
main(int argc, char **argv)
{
  dealii::Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  hyfe::register_classical_modules();
  hyfe::learned::register_learned_modules();
  hyfe::register_dim_module<hyfe::MeshMover, hyfe::TraceMeshMover>("trace",
                                                                   hyfe::ModuleKind::classical,
                                                                   "test: records every hook");
  hyfe::register_dim_module<hyfe::ClosureModel, hyfe::TraceClosure>("trace",
                                                                    hyfe::ModuleKind::classical,
                                                                    "test: records every hook");
  hyfe::register_module<hyfe::Preconditioner, hyfe::TracePreconditioner>("trace",
                                                                         hyfe::ModuleKind::classical,
                                                                         "test: Jacobi, records every hook");
  if (argc != 2)
    return 1;
  return hyfe::run_case(argv[1], MPI_COMM_WORLD, hyfe::RunMode::run);
}
