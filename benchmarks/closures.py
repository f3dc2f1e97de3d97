#!/usr/bin/env python3
"""Closure-model benchmark of issue 11: the Taylor-Green vortex at Re = 1600 (cases/taylor-green-3d),
judged a posteriori against the 512^3 spectral DNS, for every closure model at every resolution.

For each resolution (LEVELS, global refinements of the box: 3 is 8^3 Q2 cells, 4 is 16^3) and each model
(MODELS: none = under-resolved DNS, the classical models and, when its model file exists, the learned
one), the case runs to t = 20 on NP ranks with the case's own parameters otherwise, and validate.py gives
the relative L2 error of -dE/dt over [0, 20], the error of E, and the peak of -dE/dt with its time.
The cost per step is the median wall time of the assembly and the two solves; the closure's share is
the median of closure_time over it. Fallbacks are the learned model's guard's points.

Writes the raw JSON of each run into benchmarks/closures/ and the table of all of them (this run's and
earlier ones) into benchmarks/closures.md.

  LEVELS=3 /usr/bin/python3 benchmarks/closures.py            (about 15 minutes on 2 cores)
  LEVELS="3 4" /usr/bin/python3 benchmarks/closures.py        (level 4: about 30 minutes per model)
  GRAD_DIV=G ... sets the grad-div stabilisation (navier stokes/grad-div; the case's default 1) of every
  run; rows with gamma > 0 are kept apart (files L<level>-gd<gamma>-<model>.json; GRAD_DIV=0 writes the
  files L<level>-<model>.json of the runs without it)
"""
import json
import os
import platform
import subprocess
import sys
import time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
build = os.environ.get("BUILD", os.path.join(root, "build"))
hyfe = os.path.join(build, "hyfe")
levels = [int(v) for v in os.environ.get("LEVELS", "3").split()]
np_ranks = int(os.environ.get("NP", "2"))
end_time = float(os.environ.get("END_TIME", "20"))
grad_div = float(os.environ.get("GRAD_DIV", "1"))
tag = "gd%g-" % grad_div if grad_div > 0 else ""
models = os.environ.get("MODELS", "none smagorinsky wale vreman sigma dynamic-smagorinsky "
                                  "learned-eddy-viscosity").split()
learned_model = os.path.join(root, "learned", "models", "learned-eddy-viscosity.pt")
work = os.environ.get("WORK", "/tmp/hyfe-closures")
case = os.path.join(root, "cases", "taylor-green-3d")
env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMP_NUM_THREADS="1")
raw = os.path.join(root, "benchmarks", "closures")
os.makedirs(raw, exist_ok=True)

rows = []
for level in levels:
    for model in models:
        if model.startswith("learned") and not os.path.exists(learned_model):
            print("skipping %s: no model file %s" % (model, learned_model))
            continue
        out = os.path.join(work, "L%d-%s%s" % (level, tag, model))
        prm = os.path.join(work, "L%d-%s%s.prm" % (level, tag, model))
        os.makedirs(work, exist_ok=True)
        text = open(os.path.join(case, "case.prm")).read()
        for old in ("set global refinements  = 4", "set end time  = 20", "  set type = smagorinsky",
                    "  set grad-div         = 1"):
            assert old in text, "cases/taylor-green-3d/case.prm lacks '%s'" % old
        text = text.replace("set global refinements  = 4", "set global refinements  = %d" % level)
        text = text.replace("set end time  = 20", "set end time  = %g" % end_time)
        text = text.replace("set directory         = output", "set directory         = %s" % out)
        text = text.replace("  set type = smagorinsky", "  set type = %s" % model)
        text = text.replace("  set grad-div         = 1", "  set grad-div         = %g" % grad_div)
        open(prm, "w").write(text)
        start = time.time()
        subprocess.run(["mpirun", "-np", str(np_ranks), hyfe, prm], check=True, env=env,
                       stdout=subprocess.DEVNULL)
        wall = time.time() - start
        result_file = os.path.join(raw, "L%d-%s%s.json" % (level, tag, model))
        # validate.py's exit status is its verdict on the default tolerance (1): the JSON is the report
        subprocess.run([sys.executable, os.path.join(case, "validate.py"), out, "--json", result_file], env=env)
        r = json.load(open(result_file))
        r.update(level=level, model=model, wall=wall, ranks=np_ranks, grad_div=grad_div)
        json.dump(r, open(result_file, "w"))
        rows.append(r)
        print("L%d %-22s eps L2 %.3f  peak %.4e at %.2f  %.3f s/step  %.0f s" %
              (level, model, r["dissipation_l2_error"], r["peak"], r["peak_time"], r["median_step_time"], wall))

# the table holds every result in benchmarks/closures/ (earlier runs of other levels or models too)
order = ["none", "smagorinsky", "wale", "vreman", "sigma", "dynamic-smagorinsky", "learned-eddy-viscosity"]
rows = [json.load(open(os.path.join(raw, f))) for f in sorted(os.listdir(raw)) if f.endswith(".json")]
rows.sort(key=lambda r: (r.get("grad_div", 0), r["level"], order.index(r["model"]) if r["model"] in order else len(order)))
lines = ["# Closure models on the Taylor-Green vortex, Re = 1600",
         "",
         "Written by `benchmarks/closures.py` (%s, %d MPI ranks, %s, hyfe %s). Reference: the 512^3 spectral "
         "DNS (peak -dE/dt 1.28575e-2 at t = 8.97). Error: relative L2 of -dE/dt over t in [0, %g]. Cost: "
         "median wall time per step (assembly and solves); closure share: median closure time over it. "
         "grad-div: the stabilisation gamma (div u, div v) of the run (0: none)."
         % (time.strftime("%Y-%m-%d"), np_ranks, platform.processor() or platform.machine(),
            subprocess.run([hyfe, "--version"], capture_output=True, text=True).stdout.split("\n")[0],
            end_time),
         "",
         "| cells | velocity DoFs | grad-div | model | L2 error of -dE/dt | L2 error of E | peak -dE/dt | at t | s/step | "
         "closure share | fallback points | run (s) |",
         "|---|---|---|---|---|---|---|---|---|---|---|---|"]
for r in rows:
    share = r["median_closure_time"] / r["median_step_time"] if r["median_step_time"] > 0 else 0
    lines.append("| %d^3 Q2 | %d | %g | %s | %.3f | %.4f | %.4e | %.2f | %.3f | %.1f %% | %d | %.0f |"
                 % (2 ** r["level"], r["velocity_dofs"], r.get("grad_div", 0), r["model"], r["dissipation_l2_error"],
                    r["energy_l2_error"], r["peak"], r["peak_time"], r["median_step_time"], 100 * share,
                    r["fallback_points"], r["wall"]))
notes = ["- %d^3, grad-div %g, %s: %s" % (2 ** r["level"], r.get("grad_div", 0), r["model"], r["note"])
         for r in rows if r.get("note")]
if notes:
    lines += ["", "Notes (the `note` of a run's JSON file):", ""] + notes
open(os.path.join(root, "benchmarks", "closures.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
