#!/usr/bin/env python3
"""Helmholtz bump: runs the case three ways and checks the Monge-Ampere mover's gain.

  uniform    the 20 x 20 mesh as it is ('mesh mover/type = none');
  exact      case.prm: monge-ampere with the monitor of the exact Hessian of u;
  recovered  monge-ampere with the recovered Hessian of u_h ('field = c'), 6 steady solves: solve,
             move on u_h, solve again, ...

Checks: each moved mesh has at least 40 % less L2 error than the uniform one, no fallback, no inverted
cell. Writes the table (L2 errors, reduction, iterations, mover time, equidistribution) to
results.md and the picture of both moved meshes to helmholtz-bump.png, beside this script (or into
--report DIR).

usage: validate.py [work folder] [--hyfe PATH] [--np N] [--report DIR]
       (defaults: output/, ../../build/hyfe, 1, this folder)
"""
import math
import os
import re
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "common"))
from hyfe_validate import Checks, command_line, read_csv  # noqa: E402

folder, options = command_line(__file__, {"--hyfe": os.path.join(here, "..", "..", "build", "hyfe"), "--np": 1,
                                          "--report": here})
report = options["--report"]
os.environ.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
os.environ.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
case = open(os.path.join(here, "case.prm")).read()
variants = {
    "uniform": case.replace("set type = monge-ampere", "set type = none"),
    "exact": case,
    "recovered": case.replace("set field              = expression", "set field              = c")
                     .replace("set steady solves = 1", "set steady solves = 6"),
}
results = {}
for name, text in variants.items():
    work = os.path.join(folder, name)
    os.makedirs(work, exist_ok=True)
    open(os.path.join(work, "case.prm"), "w").write(text)
    run = subprocess.run(["mpirun", "-np", str(options["--np"]), os.path.abspath(options["--hyfe"]), "case.prm"],
                         cwd=work, capture_output=True, text=True)
    if run.returncode != 0:
        print(run.stdout[-3000:], run.stderr[-3000:])
        raise SystemExit("validate: the %s run failed (status %d)" % (name, run.returncode))
    rows = read_csv(os.path.join(work, "output", "stats.csv"))
    summary = dict(re.findall(r"mesh_mover_(\w[\w ()]*): ([-\d.e+]+)", run.stdout))
    results[name] = {"rows": rows, "summary": summary, "work": work}

def uniform_equidistribution(n=20, a=0.51, b=0.65, e=0.1, alpha=5.0):
    """The coefficient of variation of m |K| over the uniform cells, m the exact-Hessian monitor (2 x 2 Gauss
    points per cell)."""
    def norm(x, y):
        s = ((x - a) ** 2 + (y - b) ** 2) / e ** 2
        return math.exp(-s) / e ** 2 * math.sqrt(16 * s * s - 16 * s + 8)
    g = [0.5 - 0.5 / math.sqrt(3), 0.5 + 0.5 / math.sqrt(3)]
    largest = math.sqrt(8) / e ** 2
    values = []
    for i in range(n):
        for j in range(n):
            values.append(sum(1 + alpha * norm((i + u) / n, (j + v) / n) / largest for u in g for v in g) / 4 / n ** 2)
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)) / mean


checks = Checks("helmholtz bump, 20 x 20 Q1 cells, %d rank(s)" % options["--np"])
e0 = results["uniform"]["rows"][-1]["l2_error"]
lines = ["| mesh | L2 error | reduction | relaxation iterations | mover time (s) | equidistribution |",
         "|---|---|---|---|---|---|",
         "| uniform | %.4e | | | | %.4f |" % (e0, uniform_equidistribution())]
for name in ("exact", "recovered"):
    rows, summary = results[name]["rows"], results[name]["summary"]
    e = rows[-1]["l2_error"]
    checks.check("%s Hessian: L2 error %.4e at least 40 %% below the uniform mesh's %.4e" % (name, e, e0), e / e0,
                 e <= 0.6 * e0)
    checks.check("%s Hessian: no fallback, no inverted cell" % name, summary.get("fallbacks"),
                 float(summary.get("fallbacks", 1)) == 0 and max(r["mesh_mover_inverted_cells"] for r in rows) == 0)
    lines.append("| monge-ampere, %s Hessian | %.4e | %.0f %% | %s | %.3f | %.4f |" % (
        name, e, 100 * (1 - e / e0), summary.get("iterations"), float(summary.get("time (s)", "nan")),
        rows[-1]["mesh_mover_equidistribution"]))
open(os.path.join(report, "results.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection
    from vtu import mesh_segments, read_vtu

    fig, axes = plt.subplots(1, 2, figsize=(10, 5))
    for ax, name in zip(axes, ("exact", "recovered")):
        out = os.path.join(results[name]["work"], "output")
        last = sorted(f for f in os.listdir(out) if f.endswith(".vtu"))[-1]
        record = read_vtu(os.path.join(out, last))
        xs = [p[0] for p in record["points"]]
        ys = [p[1] for p in record["points"]]
        ax.tricontourf(xs, ys, record["fields"]["c"], levels=20, cmap="viridis")
        ax.add_collection(LineCollection(mesh_segments([record]), colors="white", linewidths=0.5))
        ax.set_aspect("equal")
        ax.set_title("%s Hessian: L2 error %.2e (uniform %.2e)" % (name, results[name]["rows"][-1]["l2_error"], e0),
                     fontsize=10)
    fig.tight_layout()
    fig.savefig(os.path.join(report, "helmholtz-bump.png"), dpi=110)
    print("wrote helmholtz-bump.png")
except ImportError as error:
    print("no picture (%s)" % error)
checks.finish()
