#include "solver/physics/simulation.h"

#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/quadrature_lib.h>
#include <deal.II/base/revision.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/fe/fe_q.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/fe/mapping.h>

#include <petscversion.h>

#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>

#include "solver/core/checkpoint.h"
#include "solver/core/exceptions.h"
#include "solver/core/mesh.h"
#include "solver/core/module_archive.h"
#include "solver/core/output.h"
#include "solver/core/parameters.h"
#include "solver/core/registry.templates.h"
#include "solver/core/sha256.h"
#include "solver/modules/closure_model.h"
#include "solver/modules/mesh_mover.h"
#include "solver/physics/advection_diffusion.h"
#include "solver/physics/navier_stokes.h"

namespace hyfe
{
  using namespace dealii;

  namespace
  {
    /** @p v with up to 12 significant digits, in scientific notation where that is shorter. */
    std::string
    format_number(const double v)
    {
      std::ostringstream s;
      s << std::setprecision(12) << v;
      return s.str();
    }

    /** The signal (SIGTERM, SIGINT) received during a run, 0 if none; set by the handler. */
    volatile std::sig_atomic_t interrupt_signal = 0;

    extern "C" void
    on_interrupt(const int signal)
    {
      interrupt_signal = signal;
    }
  } // namespace

  void
  declare_all_parameters(ParameterHandler &prm)
  {
    prm.declare_entry("dimension", "2", Patterns::Integer(2, 3), "Space dimension: 2 or 3. Unitless.");
    prm.declare_entry("physics",
                      "advection-diffusion",
                      Patterns::Selection("advection-diffusion|navier-stokes"),
                      "The equations to solve; each has its own subsection. Unitless.");
    prm.enter_subsection("time");
    prm.declare_entry("start time", "0", Patterns::Double(), "Initial time t0. Time units of the case.");
    prm.declare_entry("end time",
                      "1",
                      Patterns::Double(),
                      "Final time; (end - start) must be a multiple of "
                      "the time step. Time units of the case.");
    prm.declare_entry("time step",
                      "0.01",
                      Patterns::Double(0.),
                      "Fixed time step, > 0. Time units of the case.");
    prm.declare_entry("scheme",
                      "bdf2",
                      Patterns::Selection("bdf1|bdf2|crank-nicolson|steady"),
                      "Time discretisation: BDF1 (implicit Euler), BDF2 (first step BDF1), "
                      "Crank-Nicolson, or steady (stationary solves, 'steady solves' of them, the last "
                      "with the coefficients at the end time; the time step is ignored). Unitless.");
    prm.declare_entry("steady solves",
                      "1",
                      Patterns::Integer(1, 1000),
                      "Stationary solves of the steady scheme, at times evenly spaced up to the end "
                      "time; with a mesh mover, the mesh moves before each (a fixed point between the "
                      "solution and the mesh). Count, in [1, 1000].");
    prm.leave_subsection();
    MeshParameters::declare_parameters(prm);
    AdaptivityParameters::declare_parameters(prm);
    OutputParameters::declare_parameters(prm);
    CheckpointParameters::declare_parameters(prm);
    prm.enter_subsection("mesh mover");
    MeshMover<2>::declare_system(prm);
    prm.leave_subsection();
    prm.enter_subsection("closure model");
    ClosureModel<2>::declare_system(prm);
    prm.leave_subsection();
    advection_diffusion::declare_parameters(prm);
    navier_stokes::declare_parameters(prm);
  }

  namespace
  {
    /** Everything of one run, for one dimension. */
    template <int dim>
    class Simulation
    {
    public:
      Simulation(ParameterHandler &prm, const std::string &file, MPI_Comm comm)
          : comm(comm)
          , triangulation(comm,
                          // only the 2:1 balance: deal.II's other smoothing flags act on each rank's cells
                          // alone, which makes adapted meshes depend on the number of ranks
                          Triangulation<dim>::limit_level_difference_at_vertices)
          , parameter_file(file)
      {
        mesh.parse_parameters(prm, folder_of(file));
        mesh.check_files();
        adaptivity.parse_parameters(prm);
        output.parse_parameters(prm);
        output.check();
        checkpoint.parse_parameters(prm, output.directory);
        prm.enter_subsection("time");
        start_time    = prm.get_double("start time");
        end_time      = prm.get_double("end time");
        time_step     = prm.get_double("time step");
        scheme        = prm.get("scheme");
        steady_solves = prm.get_integer("steady solves");
        prm.leave_subsection();
        const auto number = format_number;
        if (!(time_step > 0.))
          throw InputError("entry 'time/time step' must be > 0, not " + number(time_step));
        if (scheme == "steady")
          {
            if (end_time <= start_time)
              throw InputError(
                "entry 'time/end time' must exceed 'time/start time' (also for the steady scheme)");
            time_step = (end_time - start_time) / steady_solves;
          }
        const double steps = scheme == "steady" ? steady_solves : (end_time - start_time) / time_step;
        if (steps > max_steps)
          throw InputError("entries 'time/end time' = " + number(end_time) + ", 'time/start time' = " +
                           number(start_time) + " and 'time/time step' = " + number(time_step) + " make " +
                           number(steps) + " time steps, more than the " + number(max_steps) +
                           " that hyfe allows in one run: check the units of the times and the step");
        n_steps = static_cast<unsigned int>(std::llround(steps));
        if (steps < 0.5 || std::abs(steps - n_steps) > 1e-8 * std::max(1., steps))
          throw InputError("entries 'time/end time' - 'time/start time' (" + number(end_time - start_time) +
                           ") must be a positive multiple of 'time/time step' (" + number(time_step) +
                           "); it is " + number(steps) + " steps");

        prm.enter_subsection("mesh mover");
        mesh_mover = MeshMover<dim>::create(prm);
        prm.leave_subsection();
        const std::string physics_name = prm.get("physics");
        prm.enter_subsection("closure model");
        closure = ClosureModel<dim>::create(prm);
        if (closure->is_active() && physics_name != "navier-stokes")
          throw InputError("entry 'closure model/type' = '" + prm.get("type") +
                           "': closure models act on the momentum equation, which the physics '" +
                           physics_name + "' does not have; choose 'none' (or physics = navier-stokes)");
        prm.leave_subsection();

        const SimulationContext<dim> context{
          comm, triangulation, *mesh_mover, *closure, adaptivity, scheme, time_step, output.directory};
        physics = prm.get("physics") == "navier-stokes" ? navier_stokes::create<dim>(prm, context)
                                                        : advection_diffusion::create<dim>(prm, context);
        modules = {{"mesh_mover_", mesh_mover.get(), "mesh"}, {"closure_", closure.get(), ""}};
        for (const auto &m : physics->modules())
          modules.push_back(m);
        module_state.comm          = comm;
        module_state.triangulation = &triangulation;
        module_state.time_scheme   = scheme;
        if (mesh_mover->displacement_dof_handler() != nullptr && scheme == "crank-nicolson")
          throw InputError(
            "entry 'time/scheme' = 'crank-nicolson': on a moving mesh (entry 'mesh mover/type' = '" +
            prm.get({"mesh mover"}, "type") + "') hyfe integrates with bdf1 or bdf2 only");
        if (checkpoint.enabled() && !physics->supports_checkpoints())
          throw InputError("entries 'checkpoint/interval' and 'checkpoint/wall interval': the physics '" +
                           prm.get("physics") + "' cannot write checkpoints; set both to 0");
        // what a resumed run must keep; only needed (and the mesh file only hashed) with checkpoints
        if (checkpoint.enabled() || checkpoint.resume == "yes")
          {
            invariants = {{"dimension", std::to_string(dim)},
                          {"physics", prm.get("physics")},
                          {"mesh/source", mesh.source},
                          {"mesh/generator", mesh.source == "generator" ? mesh.generator : ""},
                          {"mesh/generator arguments",
                           mesh.source == "generator" ? mesh.generator_arguments : ""},
                          {"mesh/file", mesh.source == "file" ? sha256_of_file(mesh.file) : ""},
                          {"mesh/circle manifold", mesh.circle_manifold},
                          {"time/scheme", scheme},
                          {"time/time step", format_number(time_step)}};
            for (const auto &i : physics->restart_invariants())
              invariants.push_back(i);
            for (const auto &slot : modules)
              for (const auto &[name, value] : slot.module->restart_invariants())
                invariants.emplace_back("module " + slot.prefix + name, value);
          }
      }

      /**
       * @brief Builds the coarse mesh and checks its boundary ids (collective). It is cheap, so
       * --validate checks the mesh too. Kept out of the constructor, which only does each rank's
       * own work: an input error that some ranks find and others do not (a model or mesh file on a
       * node-local disk) then stops every rank in run_dim()'s collective check, instead of leaving
       * the others waiting in the mesh's collective calls.
       */
      void
      build_coarse_mesh()
      {
        create_coarse_mesh(triangulation, mesh);
        physics->check_boundary_ids(global_boundary_ids(triangulation));
        physics->prepare_coarse_mesh();
        check_problem_size(static_cast<double>(triangulation.n_global_active_cells()) *
                             std::pow(2., dim * mesh.global_refinements),
                           physics->dofs_per_cell(),
                           mesh.global_refinements,
                           comm);
        check_data_on_mesh(triangulation, physics->data_expressions(), data_times(), false);
      }

      /**
       * @brief Refines the mesh globally and evaluates the data expressions at its vertices
       * (collective): a data expression that is not finite somewhere is an input error, found
       * before any computation.
       */
      void
      refine_and_check()
      {
        const bool root = Utilities::MPI::this_mpi_process(comm) == 0;
        // only a run that writes checkpoints (or asks for a resume) looks for them: rerunning a case
        // without checkpoints never continues an older run's state
        if (checkpoint.resume == "yes" || (checkpoint.resume == "auto" && checkpoint.enabled()))
          {
            std::vector<std::string> problems;
            resume_from = CheckpointStore(checkpoint, comm).find_last_good(problems);
            if (root)
              for (const auto &p : problems)
                std::cout << "hyfe: checkpoint: " << p << std::endl;
            if (!resume_from && checkpoint.resume == "yes")
              throw InputError("entry 'checkpoint/resume' is 'yes', but the folder '" + checkpoint.directory +
                               "' holds no complete checkpoint" +
                               (problems.empty() ? std::string() : " (" + problems.front() + ")"));
          }
        if (resume_from)
          {
            const auto &state = resume_from->state;
            for (const auto &[entry, value] : invariants)
              if (state.get("invariant/" + entry) != value)
                throw InputError("entry '" + entry + "' differs from the checkpoint '" + resume_from->folder +
                                 "' (" + (entry == "mesh/file" ? "the mesh file's SHA-256 " : "") + "'" +
                                 state.get("invariant/" + entry) + "' there, '" + value +
                                 "' now); a run resumes only with the same " + entry +
                                 ": set 'checkpoint/resume' to 'no' to start afresh");
            if (root && state.get("version/hyfe") != HYFE_VERSION)
              std::cout << "hyfe: checkpoint: written by hyfe " << state.get("version/hyfe") << ", this is "
                        << HYFE_VERSION << std::endl;
            try
              {
                triangulation.load(resume_from->folder + "/mesh");
              }
            catch (const std::exception &e)
              {
                throw InputError("cannot read the mesh of the checkpoint '" + resume_from->folder +
                                 "': " + exception_message(e));
              }
          }
        else
          triangulation.refine_global(mesh.global_refinements);
        check_data_on_mesh(triangulation, physics->data_expressions(), data_times(), true);
      }

      /**
       * @brief Writes checkpoint @p number after step @p step at @p time (collective): the mesh with
       * the physics' history vectors, and the scalar state of the time loop, the physics, the modules
       * and the output files.
       */
      void
      write_checkpoint(const unsigned int number,
                       const unsigned int step,
                       const double       time,
                       const VtuWriter   &writer,
                       const CsvWriter   &stats)
      {
        CheckpointStore   store(checkpoint, comm);
        const std::string folder = store.begin(number);
        CheckpointState   state;
        for (const auto &[entry, value] : invariants)
          state.set("invariant/" + entry, value);
        state.set("version/hyfe", HYFE_VERSION);
        state.set("version/deal.II", DEAL_II_PACKAGE_VERSION);
        state.set("version/PETSc",
                  std::to_string(PETSC_VERSION_MAJOR) + "." + std::to_string(PETSC_VERSION_MINOR) + "." +
                    std::to_string(PETSC_VERSION_SUBMINOR));
        for (const auto &[library, version] : library_versions())
          state.set("version/" + library, version);
        state.set("time/step", std::to_string(step));
        state.set_number("time/time", time);
        state.set("output/records", writer.save_records());
        state.set("output/stats.csv bytes",
                  std::to_string(Utilities::MPI::broadcast(comm, stats.bytes(), 0)));
        // the physics' vectors first, then the modules' in the list's order: load reads them so
        physics->prepare_checkpoint(state);
        {
          std::vector<std::unique_ptr<ModuleArchive>> archives;
          for (const auto &slot : modules)
            {
              archives.push_back(std::make_unique<ModuleArchive>(state, slot_name(slot)));
              slot.module->save_checkpoint(*archives.back());
            }
          triangulation.save(folder + "/mesh");
        }
        physics->finish_checkpoint();
        store.commit(folder, number, state);
      }

      /** @brief Runs the time loop; returns the exit status (0, or 128 + the signal that interrupted it). */
      int
      run(ParameterHandler &prm)
      {
        const bool root = Utilities::MPI::this_mpi_process(comm) == 0;
        create_output_directory(output.directory, comm);
        if (root)
          {
            std::ofstream expanded(output.directory + "/parameters.prm");
            expanded << "# Every parameter of this run, as used (from " << parameter_file
                     << "); the mesh file is given with its absolute path, so that this file runs as it is\n";
            if (!mesh.file.empty())
              {
                prm.enter_subsection("mesh");
                prm.set("file", std::filesystem::absolute(mesh.file).lexically_normal().string());
                prm.leave_subsection();
              }
            prm.print_parameters(expanded, ParameterHandler::PRM);
          }
        const CheckpointState *resumed = resume_from ? &resume_from->state : nullptr;
        if (!resumed && checkpoint.enabled())
          CheckpointStore(checkpoint, comm).clear();
        mesh_mover->setup(triangulation,
                          physics->mapping_degree(),
                          resumed ? resumed->get_number("time/time") : start_time,
                          resumed != nullptr);
        if (resumed)
          {
            physics->load_checkpoint(*resumed);
            refresh_state();
            for (const auto &slot : modules)
              slot.module->reinit(view());
            for (const auto &slot : modules)
              {
                ModuleArchive archive(*resumed, slot_name(slot));
                slot.module->load_checkpoint(archive);
              }
            // the mover's displacement was read last: the geometry of the physics follows it
            if (mesh_mover->displacement_dof_handler() != nullptr)
              {
                refresh_state();
                physics->after_mesh_motion();
                for (const auto &slot : modules)
                  slot.module->after_mesh_motion(view());
              }
          }
        else
          {
            physics->setup(start_time);
            refresh_state();
            for (const auto &slot : modules)
              slot.module->reinit(view());
            for (unsigned int cycle = 0; cycle < adaptivity.initial_cycles; ++cycle)
              {
                adapt();
                physics->set_initial_condition(start_time);
              }
            // a mover adapted to the initial field: the mesh, then the initial condition on it
            for (unsigned int move = 0; move < mesh_mover->initial_moves(); ++move)
              {
                if (!mesh_mover->move_initial_mesh(view()))
                  break; // refused or unchanged: a further move would give the same
                refresh_state();
                physics->after_mesh_motion();
                for (const auto &slot : modules)
                  slot.module->after_mesh_motion(view());
                physics->set_initial_condition(start_time);
              }
          }

        VtuWriter      writer(output, comm);
        CsvWriter      stats(output.directory + "/stats.csv",
                        comm,
                        resumed ? std::stol(resumed->get("output/stats.csv bytes")) : -1);
        const double   first_time = resumed ? resumed->get_number("time/time") : start_time;
        Progress       progress(first_time, end_time, comm);
        unsigned int   n_checkpoints   = resume_from ? resume_from->number : 0;
        double         last_checkpoint = 0.;
        const unsigned first_step      = resumed ? std::stoul(resumed->get("time/step")) + 1 : 1;
        if (resumed)
          {
            writer.restore_records(resumed->get("output/records"));
            if (root)
              std::cout << "hyfe: resuming from the checkpoint '" << resume_from->folder << "' after step "
                        << first_step - 1 << " (t = " << first_time << ")" << std::endl;
          }

        double output_time = 0.;
        auto   write       = [&](const double time) {
          if (!output.write_fields)
            return;
          const double t0 = progress.elapsed();
          OutputFields fields;
          for (const auto &slot : modules)
            {
              OutputFields own;
              slot.module->add_output_fields(own);
              for (auto f : own.dof_vectors)
                {
                  f.name = slot.prefix + f.name;
                  if (f.field.empty())
                    f.field = slot.field;
                  fields.dof_vectors.push_back(f);
                }
              for (const auto &[name, v] : own.cell_vectors)
                fields.cell_vectors.emplace_back(slot.prefix + name, v);
            }
          physics->write_output(writer, time, fields);
          output_time = progress.elapsed() - t0;
        };
        if (!resumed)
          write(start_time);
        if (root)
          std::cout << "hyfe: t = " << first_time << " to " << end_time << ", "
                    << (physics->propose_time_step(time_step) == time_step
                          ? std::to_string(n_steps) + " steps of " + format_number(time_step)
                          : "CFL-adaptive steps of at most " + format_number(time_step))
                    << ", " << Utilities::MPI::n_mpi_processes(comm) << " rank(s), output in '"
                    << output.directory << "/'" << std::endl;

        if (root)
          {
            // what each module is, as set up (e.g. a model file and its SHA-256): log and output folder
            std::ofstream described(output.directory + "/modules.txt");
            for (const auto &slot : modules)
              for (const auto &line : slot.module->description())
                {
                  std::cout << "  " << slot.prefix << ": " << line << std::endl;
                  described << slot.prefix << ": " << line << "\n";
                }
          }

        double time = first_time;
        bool   last = time >= end_time;
        for (unsigned int step = first_step; !last; ++step)
          {
            // the physics may shorten the step (CFL); the last step ends exactly at the end time
            double dt = physics->propose_time_step(time_step);
            if (end_time - time <= dt * (1. + 1e-8))
              {
                dt   = end_time - time;
                last = true;
              }
            else if (end_time - time < 1.5 * dt)
              dt = 0.5 * (end_time - time); // no tiny last step
            const StepInfo info{step, last ? end_time : time + dt, dt};
            time              = info.time;
            module_state.step = info;
            for (const auto &slot : modules)
              slot.module->update(info, view());
            if (mesh_mover->move_mesh(info, view()))
              {
                refresh_state();
                physics->after_mesh_motion();
                for (const auto &slot : modules)
                  slot.module->after_mesh_motion(view());
              }
            StatisticsRow row{{"step", step}, {"time", info.time}, {"dt", dt}};
            physics->advance(info, row);
            physics->postprocess(info, last, row);

            // output first, so that the record shows the mesh and solution of this step's row
            output_time = 0.;
            if ((output.interval > 0 && step % output.interval == 0) || last)
              write(info.time);
            double adapt_time = 0.;
            if (adaptivity.interval > 0 && step % adaptivity.interval == 0 && !last)
              {
                const double t0 = progress.elapsed();
                adapt();
                adapt_time = progress.elapsed() - t0;
              }
            row.emplace_back("adapt_time", adapt_time);
            row.emplace_back("output_time", output_time);
            for (const auto &slot : modules)
              for (const auto &[name, value] : slot.module->statistics())
                row.emplace_back(slot.prefix + name, value);
            stats.write_row(row);
            if (step % output.progress_interval == 0 || last)
              progress.print(step, info.time, physics->progress_text());

            // a SIGTERM or SIGINT on any rank (a scheduler's wall-time limit, Ctrl-C) stops every
            // rank here, at the end of a step whose rows and records are complete on disk
            const int signal = Utilities::MPI::max(static_cast<int>(interrupt_signal), comm);
            // a checkpoint by steps, by wall time (rank 0's clock decides), or before an interruption
            const double wall =
              checkpoint.wall_minutes > 0 ? Utilities::MPI::broadcast(comm, progress.elapsed(), 0) : 0.;
            if (checkpoint.enabled() && !last &&
                ((checkpoint.interval > 0 && step % checkpoint.interval == 0) ||
                 (checkpoint.wall_minutes > 0 && wall - last_checkpoint >= 60. * checkpoint.wall_minutes) ||
                 signal != 0))
              {
                write_checkpoint(++n_checkpoints, step, info.time, writer, stats);
                last_checkpoint = wall;
                if (root)
                  std::cout << "hyfe: checkpoint " << n_checkpoints << " after step " << step << " in '"
                            << checkpoint.directory << "'" << std::endl;
              }
            if (signal != 0 && !last)
              {
                if (root)
                  std::cout << "hyfe: interrupted by " << (signal == SIGINT ? "SIGINT" : "SIGTERM")
                            << " after step " << step << " (t = " << info.time << "); stats.csv and "
                            << output.base_name << ".pvd are complete up to that step" << std::endl;
                return 128 + signal;
              }
          }

        if (root)
          {
            std::cout << "hyfe: done in " << format_duration(progress.elapsed()) << " (" << progress.elapsed()
                      << " s wall)" << std::endl;
            for (const auto &line : physics->summary())
              std::cout << "  " << line << std::endl;
            for (const auto &slot : modules)
              for (const auto &[name, value] : slot.module->summary())
                std::cout << "  " << slot.prefix << name << ": " << value << std::endl;
            std::cout << "  output: " << output.directory << "/" << output.base_name << ".pvd ("
                      << writer.n_records() << " records), " << output.directory << "/stats.csv" << std::endl;
          }
        return 0;
      }

    private:
      /** The name of a module's part of a checkpoint: its prefix, or the system for an empty one. */
      static std::string
      slot_name(const ModuleSlot &slot)
      {
        return slot.prefix.empty() ? "preconditioner_" : slot.prefix;
      }

      /** The modules' view of the run. */
      StateView
      view() const
      {
        return StateView(module_state);
      }

      /**
       * Refreshes the modules' view after a set-up, an adaptation or a mesh motion: the mapping, the
       * fields and the mapping-aware cell sizes (|K|^(1/dim), |K| integrated through the mapping).
       */
      void
      refresh_state()
      {
        module_state.mapping        = &mesh_mover->mapping();
        module_state.mapping_degree = physics->mapping_degree();
        module_state.fields         = physics->fields();
        module_state.cell_sizes.assign(triangulation.n_active_cells(), 0.);
        const FE_Q<dim>   fe(1);
        const QGauss<dim> quadrature(module_state.mapping_degree + 1);
        FEValues<dim>     fe_values(*module_state.mapping, fe, quadrature, update_JxW_values);
        for (const auto &cell : triangulation.active_cell_iterators())
          if (cell->is_locally_owned())
            {
              fe_values.reinit(cell);
              double volume = 0.;
              for (unsigned int q = 0; q < quadrature.size(); ++q)
                volume += fe_values.JxW(q);
              module_state.cell_sizes[cell->active_cell_index()] = std::pow(volume, 1. / dim);
            }
      }

      /**
       * One adaptation, every hook in its place: the physics marks the cells and attaches its history
       * vectors, the modules attach theirs (before_adaptation()), the mesh is refined and repartitioned,
       * the mesh mover is set up again and gets after_adaptation() first, the physics transfers its
       * fields, then every other module gets after_adaptation() and all get reinit().
       */
      void
      adapt()
      {
        physics->prepare_adaptation();
        for (const auto &slot : modules)
          slot.module->before_adaptation(view());
        triangulation.execute_coarsening_and_refinement();
        mesh_mover->setup(triangulation, physics->mapping_degree(), module_state.step.time, false);
        module_state.fields.clear();
        module_state.cell_sizes.clear();
        module_state.mapping = &mesh_mover->mapping();
        mesh_mover->after_adaptation(view());
        physics->finish_adaptation();
        refresh_state();
        for (const auto &slot : modules)
          if (slot.module != mesh_mover.get())
            slot.module->after_adaptation(view());
        for (const auto &slot : modules)
          slot.module->reinit(view());
      }

      /** The times at which the data expressions are checked: start, middle and end. */
      std::vector<double>
      data_times() const
      {
        return {start_time, 0.5 * (start_time + end_time), end_time};
      }

      MPI_Comm                                  comm;
      parallel::distributed::Triangulation<dim> triangulation;
      CheckpointParameters                      checkpoint;
      std::optional<CheckpointSlot>             resume_from;
      /** The entries that must not change on a restart, with their values in this run. */
      std::vector<std::pair<std::string, std::string>> invariants;
      std::string                                      parameter_file;
      MeshParameters                                   mesh;
      AdaptivityParameters                             adaptivity;
      OutputParameters                                 output;
      double                                           start_time = 0, end_time = 0, time_step = 0;
      unsigned int                                     n_steps = 0, steady_solves = 1;
      /** More steps than this in one run are an input error (a time step in the wrong unit). */
      static constexpr double            max_steps = 1e9;
      std::string                        scheme;
      std::unique_ptr<MeshMover<dim>>    mesh_mover;
      std::unique_ptr<ClosureModel<dim>> closure;
      std::unique_ptr<Physics<dim>>      physics;
      /** Every module of the run, in the order of their hooks: mesh mover, closure, the physics' ones. */
      std::vector<ModuleSlot> modules;
      SimulationState<dim>    module_state;
    };

    /**
     * Runs @p f on every rank; if it throws on any rank, every rank throws an InputError (or
     * RunError) with the message of the lowest failing rank, so that all ranks stop together.
     */
    template <typename Error>
    void
    collectively(MPI_Comm comm, const std::function<void()> &f)
    {
      std::string message;
      try
        {
          f();
        }
      catch (const InputError &e)
        {
          message = e.what();
        }
      catch (const RunError &e)
        {
          message = e.what();
        }
      catch (const std::exception &e)
        {
          message = exception_message(e);
        }
      catch (...)
        {
          message = "an unexpected error (an exception that is not a std::exception)";
        }
      const unsigned int rank = Utilities::MPI::this_mpi_process(comm);
      const unsigned int failed =
        Utilities::MPI::min(message.empty() ? Utilities::MPI::n_mpi_processes(comm) : rank, comm);
      if (failed == Utilities::MPI::n_mpi_processes(comm))
        return;
      throw Error(Utilities::MPI::broadcast(comm, message, failed));
    }
  } // namespace

  template <int dim>
  int
  run_dim(ParameterHandler &prm, const std::string &file, MPI_Comm comm, const RunMode mode)
  {
    std::unique_ptr<Simulation<dim>> simulation;
    // first what each rank does on its own (parameters, files, modules), then the collective set-up
    collectively<InputError>(comm, [&] { simulation = std::make_unique<Simulation<dim>>(prm, file, comm); });
    collectively<InputError>(comm, [&] { simulation->build_coarse_mesh(); });
    if (mode == RunMode::validate)
      {
        if (Utilities::MPI::this_mpi_process(comm) == 0)
          std::cout << "hyfe: '" << file << "' is valid (" << dim << "D)" << std::endl;
        return 0;
      }
    // a RunError or InputError is thrown by every rank together (a solve that did not converge, a
    // NaN in a global norm, an output file that rank 0 cannot create); any other error during the
    // run may have happened on this rank alone (a file that it cannot write, a failure inside a
    // library), while the other ranks go on into the next collective call: it stops the whole job
    // at once instead
    collectively<InputError>(comm, [&] { simulation->refine_and_check(); });
    int status = 0;
    std::signal(SIGTERM, on_interrupt);
    std::signal(SIGINT, on_interrupt);
    collectively<RunError>(comm, [&] {
      try
        {
          status = simulation->run(prm);
        }
      catch (const RunError &)
        {
          throw;
        }
      catch (const InputError &)
        {
          throw;
        }
      catch (const std::exception &e)
        {
          std::cerr << "hyfe: run stopped on rank " << Utilities::MPI::this_mpi_process(comm) << ": "
                    << exception_message(e) << std::endl;
          MPI_Abort(comm, 2);
        }
    });
    return status;
  }

  int
  run_case(const std::string &file, MPI_Comm comm, const RunMode mode)
  {
    const bool root = Utilities::MPI::this_mpi_process(comm) == 0;
    try
      {
        ParameterHandler prm;
        declare_all_parameters(prm);
        // rank 0 parses first: a bad file is reported once, and no rank waits for another
        std::string error;
        if (root)
          {
            try
              {
                parse_parameter_file(prm, file);
              }
            catch (const std::exception &e)
              {
                error = e.what();
              }
          }
        error = Utilities::MPI::broadcast(comm, error, 0);
        if (!error.empty())
          throw InputError(error);
        // the other ranks read their own copy (the same file, unless it lies on node-local disks)
        collectively<InputError>(comm, [&] {
          if (!root)
            parse_parameter_file(prm, file);
        });

        const int dim = prm.get_integer("dimension");
        return dim == 2 ? run_dim<2>(prm, file, comm, mode) : run_dim<3>(prm, file, comm, mode);
      }
    catch (const InputError &e)
      {
        // every input error names the parameter file, also those found after parsing
        const std::string message = e.what();
        if (root)
          std::cerr << "hyfe: "
                    << (message.find(file) == std::string::npos ? "error in '" + file + "': " : "") << message
                    << std::endl;
        return 1;
      }
    catch (const RunError &e)
      {
        if (root)
          std::cerr << "hyfe: run stopped: " << e.what() << std::endl;
        return 2;
      }
  }
} // namespace hyfe
