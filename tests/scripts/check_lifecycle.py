#!/usr/bin/python3
"""The module lifecycle (issue 10): every module gets every hook from the Simulation, in the documented order.

`hyfe_trace` is hyfe with test modules named `trace` in all three systems (tests/lifecycle/trace_modules.cc):
each appends one line per hook it receives to a per-rank trace file. From the case's parameters this script
derives the documented sequence (solver/core/module.h, ModuleBase) and compares it line by line:
  - advection-diffusion with AMR (initial cycle, adaptation every 4 steps), output every 3 steps, a reported
    mesh motion every 2 steps and a checkpoint every 5 steps, on 2 ranks; then resumed on 1 rank from the
    checkpoint after step 5 with a later end time (reinit, then load_checkpoint, before step 6);
  - Navier-Stokes with the velocity and the pressure preconditioner both traced (labels velocity, pressure).
It also checks what the hooks carry: the mover's Q1 field f = 1 + x + 2y follows the mesh through every
adaptation and through the checkpoint onto another number of ranks (max error < 1e-12); the state view
holds the physics' fields and cell sizes whose |K| sum to the domain's area; the module counters come back
from the checkpoint; the closure's cell field reaches the vtu files with its prefix; module columns reach
stats.csv.
"""

import glob
import os
import re

import hyfetest as ht

AD = {
    "dimension": 2,
    "time": {"end time": 0.10, "time step": 0.01, "scheme": "bdf2"},
    "mesh": {"source": "generator", "generator": "hyper_cube", "generator arguments": "-1 : 1 : false",
             "global refinements": 3},
    "adaptivity": {"interval": 4, "initial refinement cycles": 1, "refine fraction": 0.3,
                   "coarsen fraction": 0.1, "minimum level": 2, "maximum level": 5},
    "output": {"directory": "output", "interval": 3, "progress interval": 100},
    "checkpoint": {"interval": 5},
    "mesh mover": {"type": "trace", "trace": {"motion interval": 2}},
    "closure model": {"type": "trace"},
    "advection diffusion": {
        "finite element degree": 2,
        "advection velocity": "-2*pi*y; 2*pi*x",
        "diffusivity": "1e-3",
        "initial condition": "exp(-40*((x-0.5)^2+y^2))",
        "boundary conditions": {"dirichlet ids": "0", "dirichlet value": "0"},
        "linear solver": {"preconditioner": {"type": "trace"}},
    },
}

NS = {
    "dimension": 2,
    "physics": "navier-stokes",
    "time": {"end time": 0.06, "time step": 0.01, "scheme": "bdf2"},
    "mesh": {"source": "generator", "generator": "hyper_cube", "generator arguments": "0 : 1 : true",
             "global refinements": 3},
    "adaptivity": {"interval": 2, "refine fraction": 0.2, "coarsen fraction": 0.0, "maximum level": 4},
    "output": {"directory": "output", "interval": 4, "progress interval": 100},
    "mesh mover": {"type": "trace"},
    "closure model": {"type": "trace"},
    "navier stokes": {
        "viscosity": 0.01,
        "boundary conditions": {"velocity ids": "3", "velocity value": "1; 0", "no-slip ids": "0, 1, 2"},
        "velocity solver": {"preconditioner": {"type": "trace", "trace": {"label": "velocity"}}},
        "pressure solver": {"preconditioner": {"type": "trace", "trace": {"label": "pressure"}}},
    },
}


def expected(labels, first_step, last_step, cycles, adapt, output, motion, checkpoint, resumed):
    """The documented sequence of (label, hook, step) for one run."""
    seq = []

    def each(hook, step):
        for label in labels:
            seq.append((label, hook, step))

    def adaptation(step):
        each("before_adaptation", step)
        seq.append((labels[0], "setup", step))  # the mover's mapping, before anything else
        each("after_adaptation", step)
        each("reinit", step)

    seq.append((labels[0], "setup", 0))
    if resumed:
        each("reinit", 0)
        each("load_checkpoint", 0)
    else:
        each("reinit", 0)
        for _ in range(cycles):
            adaptation(0)
        each("add_output_fields", 0)
    each("description", 0)
    for step in range(first_step, last_step + 1):
        last = step == last_step
        each("update", step)
        if motion and step % motion == 0:
            each("after_mesh_motion", step)
        if step % output == 0 or last:
            each("add_output_fields", step)
        if adapt and step % adapt == 0 and not last:
            adaptation(step)
        each("statistics", step)
        if checkpoint and step % checkpoint == 0 and not last:
            each("save_checkpoint", step)
    return seq


def read_trace(path):
    rows = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            rows.append((parts[0], parts[1], int(parts[2]), " ".join(parts[3:])))
    return rows


def compare(checker, what, trace, seq, rank0):
    got = [(l, h, s) for (l, h, s, _) in trace]
    # rank 0 alone prints the description and the summary
    want = [x for x in seq if rank0 or x[1] != "description"]
    if rank0:
        want = want + [(l, "summary", seq[-1][2]) for l in dict.fromkeys(x[0] for x in seq)]
    first = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), None)
    if first is None and len(got) != len(want):
        first = min(len(got), len(want))
    checker.check(first is None, "%s: the %d hooks come in the documented order" % (what, len(want)),
                  "first difference at hook %s: got %s, expected %s" % (
                      first, got[first:first + 4] if first is not None else "",
                      want[first:first + 4] if first is not None else ""))


def run_ad(args, checker):
    folder = os.path.join(args.work, "ad")
    os.makedirs(folder)
    ht.write_prm(os.path.join(folder, "case.prm"), AD)
    os.environ["HYFE_TRACE"] = os.path.join(folder, "trace")
    checker.run_ok(ht.run(args.mpirun, args.trace_hyfe, ["case.prm"], np=2, cwd=folder, timeout=120),
                   "advection-diffusion on 2 ranks")
    labels = ["mesh_mover", "closure", "preconditioner"]
    seq = expected(labels, 1, 10, 1, 4, 3, 2, 5, False)
    for rank in (0, 1):
        trace = read_trace(os.path.join(folder, "trace.%d" % rank))
        compare(checker, "advection-diffusion, rank %d" % rank, trace, seq, rank == 0)
    trace = read_trace(os.path.join(folder, "trace.0"))
    errors = [float(re.search(r"error=(\S+)", d).group(1)) for (_, h, _, d) in trace if "error=" in d]
    checker.check(len(errors) == 3 and max(errors) < 1e-12,
                  "the mover's Q1 field follows the mesh through %d adaptations (max error %.1e)"
                  % (len(errors), max(errors or [0])))
    views = [d for (l, h, _, d) in trace if l == "mesh_mover" and h in ("update", "reinit")]
    bad = [v for v in views if not re.fullmatch(r"fields=c\+previous volume=4(\.0+\d?)? mapping=yes", v)]
    checker.check(views and not bad,
                  "every view holds the field c with its previous value, the mapping, and cell sizes whose "
                  "|K| sum to the area 4 (%d views)" % len(views), str(bad[:3]))
    vtus = sorted(glob.glob(os.path.join(folder, "output", "*.vtu")))
    with_field = [v for v in vtus if "closure_trace_level" in open(v, errors="replace").read()]
    checker.check(vtus and len(with_field) == len(vtus),
                  "the closure's cell field 'closure_trace_level' is in all %d vtu files" % len(vtus))
    rows = ht.read_stats(os.path.join(folder, "output", "stats.csv"))
    checker.check(all(r.get("closure_updates") == r["step"] and r.get("updates") ==
                      r["step"] and r.get("mesh_mover_trace") == r["step"] for r in rows),
                  "stats.csv has every module's column with its prefix (closure_updates = step; the preconditioner of advection-diffusion has none)")

    # resume on 1 rank (repartitioned) from the checkpoint after step 5, with a later end time
    resumed = ht.merge(AD, {"time": {"end time": 0.14}, "checkpoint": {"resume": "yes"}})
    ht.write_prm(os.path.join(folder, "resume.prm"), resumed)
    for f in glob.glob(os.path.join(folder, "trace.*")):
        os.remove(f)
    checker.run_ok(ht.run(args.mpirun, args.trace_hyfe, ["resume.prm"], np=1, cwd=folder, timeout=120),
                   "the resume on 1 rank")
    trace = read_trace(os.path.join(folder, "trace.0"))
    compare(checker, "advection-diffusion resumed 2 -> 1 ranks", trace,
            expected(labels, 6, 14, 1, 4, 3, 2, 5, True), True)
    loads = {l: d for (l, h, _, d) in trace if h == "load_checkpoint"}
    m = re.search(r"error=(\S+) label=(\S+)", loads.get("mesh_mover", ""))
    checker.check(m and float(m.group(1)) < 1e-12 and m.group(2) == "mesh_mover",
                  "the mover's field and keyed value come back from the checkpoint on 1 rank (%s)"
                  % loads.get("mesh_mover"))
    checker.check(loads.get("closure") == "updates=5" and loads.get("preconditioner") == "updates=5",
                  "the closure's and the preconditioner's counters come back (%s, %s)"
                  % (loads.get("closure"), loads.get("preconditioner")))
    rows = ht.read_stats(os.path.join(folder, "output", "stats.csv"))
    checker.check([r["step"] for r in rows] == list(range(1, 15)) and
                  all(r["closure_updates"] == r["step"] for r in rows),
                  "stats.csv continues the series with the restored counters (steps 1..14)")


def run_ns(args, checker):
    folder = os.path.join(args.work, "ns")
    os.makedirs(folder)
    ht.write_prm(os.path.join(folder, "case.prm"), NS)
    os.environ["HYFE_TRACE"] = os.path.join(folder, "trace")
    checker.run_ok(ht.run(args.mpirun, args.trace_hyfe, ["case.prm"], np=2, cwd=folder, timeout=120),
                   "navier-stokes on 2 ranks")
    labels = ["mesh_mover", "closure", "velocity", "pressure"]
    seq = expected(labels, 1, 6, 0, 2, 4, 0, 0, False)
    for rank in (0, 1):
        compare(checker, "navier-stokes, rank %d" % rank, read_trace(os.path.join(folder, "trace.%d" % rank)),
                seq, rank == 0)
    trace = read_trace(os.path.join(folder, "trace.0"))
    views = {d for (l, h, _, d) in trace if l == "mesh_mover" and h == "update"}
    checker.check(views and all(v.startswith("fields=velocity+previous,pressure volume=1") for v in views),
                  "the view holds velocity (with its previous value) and pressure, area 1: %s" % sorted(views)[:2])


def main():
    args = ht.arguments(__doc__, lambda p: p.add_argument("--trace-hyfe", required=True))
    checker = ht.Checker("module_lifecycle")
    run_ad(args, checker)
    run_ns(args, checker)
    checker.finish()


if __name__ == "__main__":
    main()
