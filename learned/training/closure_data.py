#!/usr/bin/python3
"""Training data of the learned closure from hyfe's own resolved runs (issue 11).

Runs the 3-D Taylor-Green vortex with the `training-data` closure (nu_t = 0) on 16^3 Q2 cells (32^3
velocity nodes per direction) at lower Reynolds numbers than the LES it serves (Re = 1600 is held out:
its DNS curves judge the model and are never training data), and box-filters the recorded cell
integrals onto boxes of 2 x 2 x 2 and of single fine cells (filter widths 2 pi/8 and 2 pi/16):
  bar(u), bar(u u), bar(g) = volume averages over the box, tau = bar(u u) - bar(u) bar(u),
  S = sym(bar(g)), P = -tau^d : S (the subfilter production that an eddy viscosity must dissipate),
  Delta = the box's width, the filter width.
The coefficient C^2 = nu_t / (Delta^2 |S|) of a filter of width Delta is, in an inertial range, the same
at every width (Delta^2 |S|^3 ~ epsilon); hyfe's Delta = |K|^(1/3)/(k + 1) is taken as the width of the
LES's own filter, so the trained C^2 applies with that convention (filter width = volume/(k+1)). Two
widths teach the network the dependence on the filter-scale Reynolds number Delta^2 |S| / nu.
Writes learned/training/data/closure-<Re>[-gd<G>].npz with g [N, 3, 3], P [N], delta [N], nu, time [N].

  /usr/bin/python3 learned/training/closure_data.py [--hyfe build/hyfe] [--np 2] [--re 400 800] [--grad-div G]

Deterministic (hyfe's runs are). About 10 minutes per Reynolds number on 2 cores.
"""
import argparse
import csv
import glob
import math
import os
import subprocess
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEGREE = 2


def case_prm(nu, level, end_time, interval, start_time, grad_div):
    base = open(os.path.join(ROOT, "cases", "taylor-green-3d", "case.prm")).read()
    replace = {"set end time": "  set end time  = %g" % end_time,
               "set global refinements": "  set global refinements  = %d" % level,
               "set viscosity": "  set velocity degree  = %d\n  set viscosity        = %.12g" % (DEGREE, nu),
               "set velocity degree": None,
               # the case's grad-div stabilisation (1, with which the shipped model's data were made), or
               # none (--grad-div 0: the data of the first model, before the case had it)
               "set grad-div": "  set grad-div         = %g" % grad_div if grad_div > 0 else None,
               "set type = smagorinsky": "  set type = training-data\n  subsection training-data\n"
                                         "    set directory  = records\n    set interval   = %d\n"
                                         "    set start time = %g\n  end" % (interval, start_time)}
    lines = []
    for line in base.splitlines():
        key = next((k for k in replace if line.strip().startswith(k)), None)
        if key is None:
            lines.append(line)
        elif replace[key] is not None:
            lines.append(replace[key])
    return "\n".join(lines) + "\n"


def run(args, re_number):
    folder = os.path.join(args.work, "re%d" % re_number)
    os.makedirs(folder, exist_ok=True)
    for f in glob.glob(os.path.join(folder, "records", "*.csv")):
        os.remove(f)
    with open(os.path.join(folder, "case.prm"), "w") as f:
        f.write(case_prm(1.0 / re_number, args.level, args.end_time, args.interval, args.start_time,
                         args.grad_div))
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMP_NUM_THREADS="1")
    start = time.time()
    subprocess.run(["mpirun", "-np", str(args.np), os.path.abspath(args.hyfe), "case.prm"], cwd=folder, env=env,
                   check=True, stdout=subprocess.DEVNULL)
    print("Re = %d: hyfe ran in %.0f s" % (re_number, time.time() - start))
    return folder


def filtered(folder, boxes):
    """The box-filtered data of every record of one run, for boxes of @p boxes^3 fine cells each."""
    steps = sorted({os.path.basename(f).split(".")[0] for f in glob.glob(os.path.join(folder, "records", "*.csv"))})
    out = {"g": [], "P": [], "delta": [], "time": []}
    for step in steps:
        rows = []
        for f in sorted(glob.glob(os.path.join(folder, "records", step + ".rank-*.csv"))):
            with open(f) as fh:
                rows += [{k: float(v) for k, v in r.items()} for r in csv.DictReader(fh)]
        fine = round(len(rows) ** (1 / 3))
        cells = fine // boxes
        h = 2 * math.pi / cells
        n = cells ** 3
        vol = np.zeros(n)
        u = np.zeros((n, 3))
        uu = np.zeros((n, 3, 3))
        g = np.zeros((n, 3, 3))
        for r in rows:
            idx = [min(cells - 1, int((r[a] + math.pi) / h)) for a in "xyz"]
            c = (idx[0] * cells + idx[1]) * cells + idx[2]
            v = r["volume"]
            vol[c] += v
            for i in range(3):
                u[c, i] += v * r["u%d" % i]
                for j in range(3):
                    uu[c, i, j] += v * r["uu%d%d" % (min(i, j), max(i, j))]
                    g[c, i, j] += v * r["g%d%d" % (i, j)]
        assert np.all(vol > 0), "a box without fine cells in %s" % step
        u /= vol[:, None]
        uu /= vol[:, None, None]
        g /= vol[:, None, None]
        tau = uu - np.einsum("ni,nj->nij", u, u)
        tau_d = tau - np.einsum("n,ij->nij", np.trace(tau, axis1=1, axis2=2) / 3, np.eye(3))
        S = 0.5 * (g + g.transpose(0, 2, 1))
        S = S - np.einsum("n,ij->nij", np.trace(S, axis1=1, axis2=2) / 3, np.eye(3))
        out["g"].append(g)
        out["P"].append(-np.einsum("nij,nij->n", tau_d, S))
        out["delta"].append(np.full(n, h))
        out["time"].append(np.full(n, rows[0]["time"]))
    return {k: np.concatenate(v) for k, v in out.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hyfe", default=os.path.join(ROOT, "build", "hyfe"))
    parser.add_argument("--np", type=int, default=2)
    parser.add_argument("--re", type=int, nargs="+", default=[400, 800])
    parser.add_argument("--level", type=int, default=4, help="refinements of the resolved run (16^3 cells)")
    parser.add_argument("--end-time", type=float, default=8.0)
    parser.add_argument("--start-time", type=float, default=2.0)
    parser.add_argument("--interval", type=int, default=10, help="steps between records (dt = 0.05)")
    parser.add_argument("--work", default=os.path.join(HERE, "data", "closure-runs"))
    parser.add_argument("--grad-div", type=float, default=1.0,
                        help="navier stokes/grad-div of the resolved runs; > 0 tags the runs and files -gd<G>")
    parser.add_argument("--skip-runs", action="store_true", help="only filter existing records")
    args = parser.parse_args()
    tag = "-gd%g" % args.grad_div if args.grad_div > 0 else ""
    args.work += tag
    os.makedirs(args.work, exist_ok=True)
    for re_number in args.re:
        folder = os.path.join(args.work, "re%d" % re_number) if args.skip_runs else run(args, re_number)
        parts = [filtered(folder, boxes) for boxes in (2, 1)]
        data = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
        path = os.path.join(HERE, "data", "closure-%d%s.npz" % (re_number, tag))
        np.savez_compressed(path, nu=1.0 / re_number, **data)
        print("Re = %d: %d box samples from %d records -> %s (mean P %.3e)"
              % (re_number, len(data["P"]), len(set(data["time"])), path, data["P"].mean()))


if __name__ == "__main__":
    main()
