#!/usr/bin/env python3
"""Preconditioner benchmark of issue 4: learned-ic against the classical preconditioners.

Part 1, single systems: hyfe-solve (app/solve.cc) solves each system from x = 0 with plain CG to a
relative residual of 1e-8 (unpreconditioned norm), with jacobi, ssor, block-icc, boomeramg, gamg and
learned-ic, on 1 and 2 MPI ranks, REPEATS times each (medians). Set-up includes learned-ic's
inference. The systems, all dumped by hyfe (learned/training/generate_data.py):
  dfg-2d-2-ref2/3/4   the pressure Poisson matrix of cases/dfg-2d-2 at 2, 3 and 4 global refinements
                      (ref2 was among the training matrices, ref3 and ref4 were not)
  cavity-ref6         the lid-driven cavity's pressure matrix (another geometry, not trained on)
  varcoef-ref8        -div(kappa grad c) with kappa = exp(2 sin(2 pi x) cos(3 pi y)), Q1, 66k DoFs
                      (a variable-coefficient matrix, not trained on)
Part 2, whole runs: cases/dfg-2d-2 (1 refinement, STEPS fixed steps, no output) on 2 ranks with
block-icc, boomeramg and learned-ic on the pressure solve: wall time per step and pressure
iterations per step.

Writes the tables to benchmarks/preconditioners.md. Needs a Release build (BUILD, default build).

  /usr/bin/python3 benchmarks/preconditioners.py            (about 10 minutes on 2 cores)
  REPEATS=1 STEPS=50 /usr/bin/python3 benchmarks/preconditioners.py
"""
import csv
import io
import os
import platform
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.environ.get("BUILD", os.path.join(ROOT, "build"))
REPEATS = int(os.environ.get("REPEATS", "3"))
STEPS = int(os.environ.get("STEPS", "200"))
DATA = os.environ.get("DATA", os.path.join(ROOT, "learned", "training", "data"))
REPORT = os.path.join(ROOT, "benchmarks", "preconditioners.md")
SYSTEMS = ["dfg-2d-2-ref2", "dfg-2d-2-ref3", "dfg-2d-2-ref4", "cavity-ref6", "varcoef-ref8"]
METHODS = ["jacobi", "ssor", "block-icc", "boomeramg", "gamg", "learned-ic"]
RANKS = [1, 2]
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMP_NUM_THREADS="1",
           OMPI_MCA_btl_vader_single_copy_mechanism="none")


def say(text):
    print("preconditioners: " + text, file=sys.stderr, flush=True)


def run(command, cwd=ROOT):
    result = subprocess.run(command, cwd=cwd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(command), result.stdout[-3000:]))
    return result.stdout


def single_systems():
    rows = []
    for name in SYSTEMS:
        path = os.path.join(DATA, name + ".petsc")
        for ranks in RANKS:
            say("%s on %d rank(s)" % (name, ranks))
            out = run(["mpirun", "-np", str(ranks), os.path.join(BUILD, "hyfe-solve"), path, "--repeat", str(REPEATS)]
                      + METHODS)
            lines = [l for l in out.splitlines() if l.count(",") >= 9]
            for row in csv.DictReader(io.StringIO("\n".join(lines))):
                row["system"] = name
                rows.append(row)
    return rows


def case_prm(preconditioner, folder):
    text = open(os.path.join(ROOT, "cases", "dfg-2d-2", "case.prm")).read()
    text = text.replace("../../meshes/", os.path.join(ROOT, "meshes") + "/")
    text = re.sub(r"set end time  = [0-9.e-]+", "set end time  = %g" % (STEPS * 0.002), text)
    text = re.sub(r"set time step = [0-9.e-]+", "set time step = 0.002", text)
    text = text.replace("set adaptive time step = true", "set adaptive time step = false")
    text = text.replace("set directory         = output", "set directory = " + folder)
    text = text.replace("set interval          = 100", "set interval = 0\n  set write fields = false")
    text = text.replace("  subsection pressure solver\n",
                        "  subsection pressure solver\n    subsection preconditioner\n      set type = %s\n    end\n"
                        % preconditioner)
    return text


def whole_runs(work):
    results = {}
    for preconditioner in ["block-icc", "boomeramg", "learned-ic"]:
        walls, its, solves, fallbacks = [], [], [], 0
        for r in range(REPEATS):
            folder = os.path.join(work, "%s-%d" % (preconditioner, r))
            os.makedirs(folder, exist_ok=True)
            prm = os.path.join(folder, "case.prm")
            open(prm, "w").write(case_prm(preconditioner, os.path.join(folder, "output")))
            say("dfg-2d-2 whole run with %s (%d/%d)" % (preconditioner, r + 1, REPEATS))
            out = run(["mpirun", "-np", "2", os.path.join(BUILD, "hyfe"), prm], cwd=folder)
            wall = float(re.search(r"\(([0-9.e+-]+) s wall\)", out).group(1))
            with open(os.path.join(folder, "output", "stats.csv")) as f:
                stats = list(csv.DictReader(f))
            walls.append(wall / len(stats))
            its.append(statistics.mean(float(s["pressure_iterations"]) for s in stats))
            solves.append(statistics.mean(float(s["pressure_solve_time"]) for s in stats))
            fallbacks += sum(float(s["pressure_fallbacks"]) for s in stats)
        results[preconditioner] = (statistics.median(walls), statistics.median(its), fallbacks,
                                   statistics.median(solves))
    return results


def main():
    for tool in ("hyfe", "hyfe-solve"):
        if not os.path.exists(os.path.join(BUILD, tool)):
            sys.exit("%s/%s missing: build hyfe first" % (BUILD, tool))
    missing = [s for s in SYSTEMS if not os.path.exists(os.path.join(DATA, s + ".petsc"))]
    if missing:
        say("generating the systems " + ", ".join(missing))
        run([sys.executable, os.path.join(ROOT, "learned", "training", "generate_data.py"), "--out", DATA, "--only"]
            + missing)
    start = time.time()
    load_before = open("/proc/loadavg").read().split()[:3]
    rows = single_systems()
    work = os.path.join(BUILD, "bench-preconditioners")
    whole = whole_runs(work)
    load_after = open("/proc/loadavg").read().split()[:3]

    def get(system, ranks, method):
        for r in rows:
            if r["system"] == system and int(r["ranks"]) == ranks and r["preconditioner"] == method:
                return r
        return None

    out = []
    out.append("# Preconditioner benchmark: learned-ic against the classical preconditioners\n")
    out.append("Made by `benchmarks/preconditioners.py` on %s (%s, %d cores), %s; load average before %s, after %s; "
               "%d repetitions (medians), %.0f s in all.\n" % (
                   time.strftime("%Y-%m-%d %H:%M"), platform.machine(), os.cpu_count(), platform.platform(),
                   " ".join(load_before), " ".join(load_after), REPEATS, time.time() - start))
    model = os.path.join(ROOT, "learned", "models", "learned-ic.pt")
    digest = subprocess.run(["sha256sum", model], stdout=subprocess.PIPE, text=True).stdout.split()[0]
    out.append("Model: `learned/models/learned-ic.pt` (SHA-256 `%s`). CG from x = 0 to ‖b − Ax‖ ≤ 1e-8 ‖b‖; "
               "set-up includes learned-ic's inference (one LibTorch thread per rank); times in milliseconds, medians "
               "of the repetitions in one process; the first repetition is cold and the next ones are still warming up "
               "(cold starts: learned/README.md).\n" % digest)
    out.append("## 1. Single systems\n")
    out.append("| system | rows | ranks | preconditioner | iterations | set-up | solve | total | solve per iteration "
               "[µs] | fallbacks |")
    out.append("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        out.append("| %s | %s | %s | %s | %s%s | %.2f | %.2f | %.2f | %.1f | %s |" % (
            r["system"], r["rows"], r["ranks"], r["preconditioner"], r["iterations"],
            "" if r["converged"] == "1" else " (not converged)", 1e3 * float(r["setup_time"]),
            1e3 * float(r["solve_time"]), 1e3 * float(r["total_time"]),
            1e6 * float(r["solve_time"]) / max(int(r["iterations"]), 1), r["fallbacks"]))
    out.append("\n## 2. learned-ic against block-icc (same sparsity) and boomeramg\n")
    out.append("Targets: learned-ic iterations ≤ 0.7 × block-icc's, at total time ≤ 1.0 × block-icc's.\n")
    out.append("Each CG iteration applies the preconditioner once. learned-ic's triangular solves are hyfe's own "
               "(unit-diagonal factor, the coupling to the previous row kept in a register), block-icc's are PETSc's "
               "ICC(0) solves, so part of the time ratio comes from that kernel and not from the learned factor. "
               "The column *at block-icc's cost per iteration* separates the two: it is learned-ic's set-up plus its "
               "iterations times block-icc's solve time per iteration, over block-icc's total.\n")
    out.append("| system | ranks | its learned-ic / block-icc | total learned-ic / block-icc | solve per iteration "
               "learned-ic / block-icc | total at block-icc's cost per iteration / block-icc | its learned-ic / "
               "boomeramg | total learned-ic / boomeramg | inference share of learned-ic's total |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for system in SYSTEMS:
        for ranks in RANKS:
            l, i, b = get(system, ranks, "learned-ic"), get(system, ranks, "block-icc"), get(system, ranks, "boomeramg")
            if not (l and i and b):
                continue
            f = lambda r, k: float(r[k])  # noqa: E731
            per_l = f(l, "solve_time") / max(f(l, "iterations"), 1)
            per_i = f(i, "solve_time") / max(f(i, "iterations"), 1)
            out.append("| %s | %d | %.2f | %.2f | %.2f | %.2f | %.1f | %.2f | %.0f %% |" % (
                system, ranks, f(l, "iterations") / f(i, "iterations"), f(l, "total_time") / f(i, "total_time"),
                per_l / per_i, (f(l, "setup_time") + f(l, "iterations") * per_i) / f(i, "total_time"),
                f(l, "iterations") / f(b, "iterations"), f(l, "total_time") / f(b, "total_time"),
                100 * f(l, "setup_time") / f(l, "total_time")))
    out.append("\n## 3. Iterations under refinement (dfg-2d-2 pressure matrices, 1 rank)\n")
    out.append("| preconditioner | " + " | ".join(s for s in SYSTEMS if s.startswith("dfg")) + " | growth per refinement |")
    out.append("|---|" + "---:|" * (len([s for s in SYSTEMS if s.startswith("dfg")]) + 1))
    for method in METHODS:
        its = [int(get(s, 1, method)["iterations"]) for s in SYSTEMS if s.startswith("dfg")]
        growth = (its[-1] / its[0]) ** (1.0 / (len(its) - 1))
        out.append("| %s | %s | %.2f× |" % (method, " | ".join(str(i) for i in its), growth))
    out.append("\n## 4. Whole runs: cases/dfg-2d-2, 1 refinement, %d steps of 0.002, 2 ranks, no output\n" % STEPS)
    out.append("| pressure preconditioner | wall time per step [ms] | pressure iterations per step | "
               "pressure solve per step [ms] | fallbacks (all repetitions) |")
    out.append("|---|---:|---:|---:|---:|")
    for p, (wall, its, fallbacks, solve) in whole.items():
        out.append("| %s | %.2f | %.1f | %.2f | %d |" % (p, 1e3 * wall, its, 1e3 * solve, fallbacks))
    text = "\n".join(out) + "\n"
    print(text)
    open(REPORT, "w").write(text)
    say("wrote " + REPORT)


if __name__ == "__main__":
    main()
