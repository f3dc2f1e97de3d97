#!/usr/bin/env python3
"""Mesh-mover benchmark of issues 12 and 13: every mover on its cases, against the mesh that does not
move (the reference program of this benchmark: the same hyfe case with `mesh mover/type = none`, run in
the same script), and the learned mover against its classical twin `monge-ampere`.

Runs (RUNS, names below) on NP ranks, each from the case's own case.prm with one change:
  helmholtz-bump   uniform (none); monge-ampere on the exact Hessian; on the recovered Hessian (6 solves)
  swirl            uniform (none); AMR (fixed-number 0.15 / 0.6 every 5 steps from the same 64 x 64 mesh,
                   about the same cell count); monge-ampere every step (the case) and every 5 steps;
                   hr (AMR and monge-ampere every step)
  oscillating      the oscillating cylinder to t = 0.5: none (the fixed DFG 2D-2 mesh) and elasticity
  lamb-oseen       a Lamb-Oseen vortex carried across the unit square (Navier-Stokes, an exact solution;
                   benchmarks/mesh-movers/lamb-oseen.prm, 24 x 24 Q2/Q1): uniform; monge-ampere every step
                   on the recovered velocity gradient
  *-learned        learned-monge-ampere (the shipped model) with the same entries as the monge-ampere run
The second table puts each learned run beside its monge-ampere twin: the error reductions, the share of
monge-ampere's that the learned mover keeps, the mean cost per move (the mover's total time over its
moves, the initial move included) and their ratio, the tangled candidates that the guard caught.
For each: the L2 error at the end against the exact solution and its ratio to the uniform run's, the
cells at the end, the cost of a move (the median of mesh_mover_time over the steps that moved) as a ratio
to the median physics step of the same run (assembly + solve + preconditioner set-up), the relaxation
iterations per move (median and largest), the smallest det J and cell quality of all moves, the
fallbacks, and the wall time.

Writes the raw JSON of each run into benchmarks/mesh-movers/ (NP in the name) and the table of all of
them into benchmarks/mesh-movers.md.

  /usr/bin/python3 benchmarks/mesh-movers.py                       (NP=1; about 15 minutes on 2 cores)
  NP=2 /usr/bin/python3 benchmarks/mesh-movers.py
  RUNS="helmholtz-uniform helmholtz-exact" NP=2 /usr/bin/python3 benchmarks/mesh-movers.py
"""
import json
import os
import platform
import re
import statistics
import subprocess
import time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
build = os.environ.get("BUILD", os.path.join(root, "build"))
hyfe = os.path.join(build, "hyfe")
np_ranks = int(os.environ.get("NP", "1"))
work = os.environ.get("WORK", "/tmp/hyfe-mesh-movers")
env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMP_NUM_THREADS="1")
raw = os.path.join(root, "benchmarks", "mesh-movers")
os.makedirs(raw, exist_ok=True)

AMR = """subsection adaptivity
  set interval                  = 5
  set strategy                  = fixed-number
  set refine fraction           = 0.15
  set coarsen fraction          = 0.6
  set minimum level             = 4
  set maximum level             = 8
  set initial refinement cycles = 2
end"""


def case_text(name):
    path = os.path.join(root, "cases", name, "case.prm")
    if not os.path.exists(path):  # a run of this benchmark's own (benchmarks/mesh-movers/<name>.prm)
        path = os.path.join(raw, name + ".prm")
    text = open(path).read()
    return text.replace("../../meshes/", os.path.join(root, "meshes") + "/")


def none(text):
    return re.sub(r"(subsection mesh mover\n\s*set type\s*=\s*)[\w-]+", r"\1none", text)


def amr(text):
    return text.replace("subsection adaptivity\n  set interval = 0\nend", AMR)


def every_fifth(text):
    return re.sub(r"set move interval\s*=\s*\d+", "set move interval    = 5", text)


def learned(text):
    """The learned twin of a monge-ampere run: the same entries, the shipped model."""
    text = re.sub(r"(subsection mesh mover\n\s*set type\s*=\s*)monge-ampere", r"\1learned-monge-ampere", text)
    return text.replace("subsection monge-ampere", "subsection learned-monge-ampere")


def short(text):
    return re.sub(r"set end time\s*=\s*[\d.]+", "set end time  = 0.5", text)


RUNS = {
    "helmholtz-uniform": ("helmholtz-bump", "uniform", None, lambda t: none(t)),
    "helmholtz-exact": ("helmholtz-bump", "monge-ampere, exact Hessian", "helmholtz-uniform", lambda t: t),
    "helmholtz-recovered": ("helmholtz-bump", "monge-ampere, recovered Hessian, 6 solves", "helmholtz-uniform",
                            lambda t: t.replace("set field              = expression", "set field = c")
                            .replace("set steady solves = 1", "set steady solves = 6")),
    "swirl-uniform": ("swirl", "uniform 64 x 64", None, lambda t: none(t)),
    "swirl-amr": ("swirl", "AMR", "swirl-uniform", lambda t: amr(none(t))),
    "swirl-ma1": ("swirl", "monge-ampere every step (the case)", "swirl-uniform", lambda t: t),
    "swirl-ma5": ("swirl", "monge-ampere every 5 steps", "swirl-uniform", lambda t: every_fifth(t)),
    "swirl-hr": ("swirl", "hr: AMR + monge-ampere every step", "swirl-uniform", lambda t: amr(t)),
    "helmholtz-learned": ("helmholtz-bump", "learned-monge-ampere, exact Hessian", "helmholtz-uniform",
                          lambda t: learned(t)),
    "helmholtz-learned-recovered": ("helmholtz-bump", "learned-monge-ampere, recovered Hessian, 6 solves",
                                    "helmholtz-uniform",
                                    lambda t: learned(t.replace("set field              = expression",
                                                                "set field = c")
                                                      .replace("set steady solves = 1", "set steady solves = 6"))),
    "swirl-learned": ("swirl", "learned-monge-ampere every step", "swirl-uniform", lambda t: learned(t)),
    "lamb-oseen-uniform": ("lamb-oseen", "uniform 24 x 24 (Navier-Stokes)", None, lambda t: none(t)),
    "lamb-oseen-ma": ("lamb-oseen", "monge-ampere every step", "lamb-oseen-uniform", lambda t: t),
    "lamb-oseen-learned": ("lamb-oseen", "learned-monge-ampere every step", "lamb-oseen-uniform",
                           lambda t: learned(t)),
    "oscillating-fixed": ("oscillating-cylinder", "fixed mesh (none), t <= 0.5", None, lambda t: short(none(t))),
    "oscillating-elasticity": ("oscillating-cylinder", "elasticity, t <= 0.5", "oscillating-fixed",
                               lambda t: short(t)),
}
selected = os.environ.get("RUNS", " ".join(RUNS)).split()


def read_stats(path):
    import csv
    rows = []
    with open(path) as f:
        for row in csv.DictReader(f):
            rows.append({k: float(v) for k, v in row.items() if v not in ("", None)})
    return rows


for name in selected:
    case, label, _, transform = RUNS[name]
    folder = os.path.join(work, "np%d" % np_ranks, name)
    os.makedirs(folder, exist_ok=True)
    text = transform(case_text(case))
    text = re.sub(r"set directory\s*=\s*\S+", "set directory = output", text)
    open(os.path.join(folder, "case.prm"), "w").write(text)
    start = time.time()
    run = subprocess.run(["mpirun", "-np", str(np_ranks), hyfe, "case.prm"], cwd=folder, env=env,
                         capture_output=True, text=True)
    wall = time.time() - start
    if run.returncode != 0:
        print(run.stdout[-2000:], run.stderr[-2000:])
        raise SystemExit("%s failed" % name)
    stats = read_stats(os.path.join(folder, "output", "stats.csv"))
    physics = [r.get("assembly_time", 0) + r.get("solve_time", 0) + r.get("preconditioner_setup_time", 0)
               for r in stats]
    # the steps that moved; a steady case moves before its first solve only (the summary's totals)
    moved = [r for r in stats if r.get("mesh_mover_iterations", 0) > 0 or r.get("mesh_mover_inference_time", 0) > 0]
    summary = dict(re.findall(r"mesh_mover_(\w[\w ()]*): ([-\d.e+]+)", run.stdout))
    if not moved and float(summary.get("iterations", 0)) > 0:
        moved = [{"mesh_mover_time": float(summary["time (s)"]), "mesh_mover_iterations": float(summary["iterations"])}]
    result = {
        "run": name, "case": case, "label": label, "np": np_ranks, "wall_s": wall, "steps": len(stats),
        "cells": stats[-1]["cells"], "l2_error": stats[-1].get("l2_error", stats[-1].get("u_l2_error")),
        "step_s": statistics.median(physics),
        "move_s": statistics.median([r["mesh_mover_time"] for r in moved]) if moved else None,
        "moves": len(moved),
        "iterations_median": statistics.median([r["mesh_mover_iterations"] for r in moved]) if moved else None,
        "iterations_max": max(r["mesh_mover_iterations"] for r in moved) if moved else None,
        "min_det_j": min(r["mesh_mover_min_det_j"] for r in stats) if "mesh_mover_min_det_j" in stats[0] else None,
        "min_quality": min(r["mesh_mover_min_quality"] for r in stats) if "mesh_mover_min_quality" in stats[0]
        else None,
        "fallbacks": float(summary["fallbacks"]) if "fallbacks" in summary else None,
        "tangled": float(summary["tangled candidates (caught by the guard)"])
        if "tangled candidates (caught by the guard)" in summary else None,
        "twin_fallbacks": float(summary["fallbacks to monge-ampere"]) if "fallbacks to monge-ampere" in summary
        else None,
        # every move's mean cost: the mover's total time over its moves (the steps plus the initial move)
        "move_mean_s": float(summary["time (s)"]) / (float(summary["moves"]) + 1) if "moves" in summary and
        "time (s)" in summary else None,
        "mover_total_s": float(summary["time (s)"]) if "time (s)" in summary else None,
        "date": time.strftime("%Y-%m-%d"), "machine": "%s, %d cores" % (platform.machine(), os.cpu_count()),
    }
    json.dump(result, open(os.path.join(raw, "np%d-%s.json" % (np_ranks, name)), "w"), indent=1)
    print("%-24s np %d  error %s  cells %d  wall %.1f s  move %s s  step %.4f s" % (
        name, np_ranks, result["l2_error"], result["cells"], wall, result["move_s"], result["step_s"]))


def fmt(value, spec):
    return "—" if value is None else spec % value


results = {}
for f in sorted(os.listdir(raw)):
    if f.endswith(".json"):
        r = json.load(open(os.path.join(raw, f)))
        results[(r["np"], r["run"])] = r
lines = ["# Mesh movers (issue 12)", "",
         "Written by `benchmarks/mesh-movers.py` from the runs in `benchmarks/mesh-movers/`. Each row is one "
         "run of the case's own `case.prm` with the change named; the reference program is the same case "
         "without a mover (`none`), run by the same script. **Error ratio**: the L2 error at the end over the "
         "uniform run's (below 1: the mover helps). **Move / step**: the median wall time of a move over "
         "the median physics step (assembly, solves, preconditioner set-up) of the same run. Timings on the "
         "2-core machine; they are noisy (other jobs ran at times). The smallest det J and quality are those "
         "of the candidates, refused ones (the fallbacks) included.", "",
         "| case | run | ranks | cells at end | L2 error | error ratio | moves | move / step | iterations "
         "(median, max) | smallest det J of a candidate | smallest quality of a candidate | fallbacks | wall (s) |",
         "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
for name, (case, label, reference, _) in RUNS.items():
    for np_ in (1, 2):
        r = results.get((np_, name))
        if r is None:
            continue
        ref = results.get((np_, reference)) if reference else None
        ratio = r["l2_error"] / ref["l2_error"] if ref and r["l2_error"] and ref["l2_error"] else None
        per = r["move_s"] / r["step_s"] if r["move_s"] and r["step_s"] else None
        its = "%g, %g" % (r["iterations_median"], r["iterations_max"]) if r["iterations_median"] is not None else "—"
        lines.append("| %s | %s | %d | %d | %s | %s | %d | %s | %s | %s | %s | %s | %.1f |" % (
            case, label, np_, r["cells"], fmt(r["l2_error"], "%.4e"), fmt(ratio, "%.2f"), r["moves"],
            fmt(per, "%.1f"), its, fmt(r["min_det_j"], "%.2e"), fmt(r["min_quality"], "%.3f"),
            fmt(r["fallbacks"], "%d"), r["wall_s"]))
PAIRS = [("helmholtz-bump, exact Hessian", "helmholtz-uniform", "helmholtz-exact", "helmholtz-learned"),
         ("helmholtz-bump, recovered Hessian", "helmholtz-uniform", "helmholtz-recovered",
          "helmholtz-learned-recovered"),
         ("swirl, every step", "swirl-uniform", "swirl-ma1", "swirl-learned"),
         ("Lamb-Oseen vortex (Navier-Stokes), every step", "lamb-oseen-uniform", "lamb-oseen-ma",
          "lamb-oseen-learned")]
lines += ["", "## The learned mover against monge-ampere (issue 13)", "",
          "`learned-monge-ampere` with the shipped model (`learned/models/learned-monge-ampere.pt`) on the same "
          "monitor as `monge-ampere`. **Reduction**: 1 - the L2 error over the uniform mesh's. **Kept**: the "
          "learned reduction over monge-ampere's (target >= 0.8). **Cost per move**: the mover's total time "
          "over its moves (the initial move included), guard and monitor included, for both. **Cost ratio**: "
          "learned over monge-ampere (target <= 0.1). **Tangled**: learned candidates with an inverted cell, "
          "each caught by the guard and replaced by monge-ampere's mesh (the fallbacks).", "",
          "| case | ranks | reduction, monge-ampere | reduction, learned | kept | cost per move, monge-ampere (s) | "
          "cost per move, learned (s) | cost ratio | wall, uniform / monge-ampere / learned (s) | tangled "
          "(caught) | fallbacks |",
          "|---|---|---|---|---|---|---|---|---|---|---|"]
for label, uniform, classical, learned_run in PAIRS:
    for np_ in (1, 2):
        u, c, l_ = (results.get((np_, x)) for x in (uniform, classical, learned_run))
        if not (u and c and l_) or None in (u["l2_error"], c["l2_error"], l_["l2_error"]):
            continue
        rc, rl = 1 - c["l2_error"] / u["l2_error"], 1 - l_["l2_error"] / u["l2_error"]
        lines.append("| %s | %d | %.2f | %.2f | %.2f | %s | %s | %s | %.1f / %.1f / %.1f | %s | %s |" % (
            label, np_, rc, rl, rl / rc if rc > 0 else float("nan"), fmt(c.get("move_mean_s"), "%.4f"),
            fmt(l_.get("move_mean_s"), "%.4f"),
            fmt(l_["move_mean_s"] / c["move_mean_s"] if l_.get("move_mean_s") and c.get("move_mean_s") else None,
                "%.3f"), u["wall_s"], c["wall_s"], l_["wall_s"], fmt(l_.get("tangled"), "%d"),
            fmt(l_.get("fallbacks"), "%d")))
open(os.path.join(root, "benchmarks", "mesh-movers.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
