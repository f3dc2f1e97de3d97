#!/usr/bin/env python3
"""Scaling report of issue 14 on this machine: strong scaling 1 -> 2 ranks of a 2-D and a 3-D
Navier-Stokes case, and weak scaling 1 -> 2 ranks at fixed DoFs per rank; the time per step and its parts.

Runs (each on 1 and 2 ranks, `mpirun -np N build/hyfe`, one thread per rank):
  strong-2d   cases/dfg-2d-2 (2 048 Q2/Q1 cells, 19 152 DoFs) to t = 0.5 (about 420 steps), one output
  strong-3d   cases/taylor-green-3d (16^3 Q2/Q1 cells, 112 724 DoFs) for 10 steps, one output
  weak-2d     the 2-D Taylor-Green vortex (periodic), 64 x 64 Q2/Q1 cells per rank: [0, 2 pi]^2 on 1 rank,
              [0, 4 pi] x [0, 2 pi] with 128 x 64 cells on 2 ranks, 40 steps, one output
The parts are the sums over the steps of stats.csv's columns (assembly, the velocity solve with the set-up of
its preconditioner, the pressure solve, output); "other" is the wall time of the run (hyfe's own 'done in',
set-up included, with the pressure preconditioner's set-up once per mesh) minus those. Parallel efficiency: strong T1 / (2 T2), weak T1 / T2. Writes benchmarks/scaling.md and
the raw figures in benchmarks/scaling/.

  /usr/bin/python3 benchmarks/scaling.py          (3 runs of each, medians; about 5 minutes on 2 cores)
  REPORT_ONLY=1 /usr/bin/python3 benchmarks/scaling.py   (the table from benchmarks/scaling/*.json)
"""
import csv
import json
import os
import platform
import re
import statistics
import subprocess
import time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
hyfe = os.path.join(os.environ.get("BUILD", os.path.join(root, "build")), "hyfe")
work = os.environ.get("WORK", "/tmp/hyfe-scaling")
raw = os.path.join(root, "benchmarks", "scaling")
os.makedirs(raw, exist_ok=True)
env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMP_NUM_THREADS="1")
PARTS = [("assembly", ["assembly_time"]), ("velocity solve (with its preconditioner set-up)", ["velocity_solve_time"]),
         ("pressure solve", ["pressure_solve_time"]), ("output", ["output_time"])]
# a part of the velocity solve (its preconditioner is set up every step; the pressure's once per mesh, in
# 'other')
SUBPART = ("of which the velocity preconditioner's set-up", "velocity_preconditioner_setup_time")


def case(name):
    text = open(os.path.join(root, "cases", name, "case.prm")).read()
    return text.replace("../../meshes/", os.path.join(root, "meshes") + "/")


def strong_2d(np_):
    text = case("dfg-2d-2")
    text = re.sub(r"set end time\s*=\s*[\d.]+", "set end time  = 0.5", text)
    return re.sub(r"set interval\s*=\s*\d+", "set interval          = 100000", text)


def strong_3d(np_):
    text = case("taylor-green-3d")
    return re.sub(r"set end time\s*=\s*[\d.]+", "set end time  = 0.5", text)


def weak_2d(np_):
    text = case("taylor-green-2d")
    length = 6.283185307179586
    mesh = ("  set generator           = subdivided_hyper_rectangle\n"
            "  set generator arguments = %d, 64 : 0, 0 : %.15f, %.15f : true\n"
            "  set global refinements  = 0" % (64 * np_, length * np_, length))
    text = re.sub(r"  set generator\s*=\s*hyper_cube\n  set generator arguments\s*=.*\n  set global refinements\s*=\s*\d+",
                  mesh, text)
    text = re.sub(r"set end time\s*=\s*[\d.]+", "set end time  = 0.4", text)
    return re.sub(r"set interval\s*=\s*\d+", "set interval          = 100000", text)


RUNS = {"strong-2d": ("DFG 2D-2, t <= 0.5", strong_2d), "strong-3d": ("3-D Taylor-Green, 16^3 Q2, 10 steps", strong_3d),
        "weak-2d": ("2-D Taylor-Green, 64 x 64 Q2 cells per rank, 40 steps", weak_2d)}


def run(name, np_):
    folder = os.path.join(work, "%s-np%d" % (name, np_))
    os.makedirs(folder, exist_ok=True)
    open(os.path.join(folder, "case.prm"), "w").write(RUNS[name][1](np_))
    start = time.time()
    r = subprocess.run(["mpirun", "-np", str(np_), hyfe, "case.prm"], cwd=folder, env=env, capture_output=True,
                       text=True)
    if r.returncode != 0:
        raise SystemExit("%s np %d failed:\n%s\n%s" % (name, np_, r.stdout[-2000:], r.stderr[-2000:]))
    wall = float(re.search(r"done in .*\(([\d.]+) s wall\)", r.stdout).group(1))
    with open(os.path.join(folder, "output", "stats.csv")) as f:
        rows = [{k: float(v) for k, v in row.items() if v not in ("", None)} for row in csv.DictReader(f)]
    parts = {label: sum(row.get(c, 0.0) for row in rows for c in columns) for label, columns in PARTS}
    subpart = sum(row.get(SUBPART[1], 0.0) for row in rows)
    result = {"run": name, "np": np_, "steps": len(rows), "wall_s": wall, "elapsed_s": time.time() - start,
              "dofs": rows[-1].get("velocity_dofs", 0) + rows[-1].get("pressure_dofs", 0), "parts_s": parts,
              "other_s": wall - sum(parts.values()), "subpart_s": subpart, "date": time.strftime("%Y-%m-%d"),
              "machine": "%s, %d cores" % (platform.machine(), os.cpu_count())}
    print("%-10s np %d  %d steps  %d DoFs  wall %.2f s" % (name, np_, result["steps"], result["dofs"], wall), flush=True)
    return result


REPEATS = int(os.environ.get("REPEATS", "3"))


def median_run(name, np_):
    """The median of REPEATS runs, part by part (timings on this machine are noisy)."""
    runs = [run(name, np_) for _ in range(REPEATS)]
    out = dict(runs[0])
    for key in ("wall_s", "other_s", "subpart_s"):
        out[key] = statistics.median(r[key] for r in runs)
    out["parts_s"] = {p: statistics.median(r["parts_s"][p] for r in runs) for p in runs[0]["parts_s"]}
    out["walls_s"] = [r["wall_s"] for r in runs]
    json.dump(out, open(os.path.join(raw, "%s-np%d.json" % (name, np_)), "w"), indent=1)
    return out


# interleaved (1, 2, 1, 2, ...) would spread drifts of the machine over both; runs of a case stay together
if os.environ.get("REPORT_ONLY"):  # the table from the committed raw figures, without running
    results = {(name, np_): json.load(open(os.path.join(raw, "%s-np%d.json" % (name, np_))))
               for name in RUNS for np_ in (1, 2)}
else:
    results = {(name, np_): median_run(name, np_) for name in RUNS for np_ in (1, 2)}
lines = ["# Scaling on this machine (issue 14)", "",
         "Written by `benchmarks/scaling.py` (raw figures in `benchmarks/scaling/`), %s, %s, one thread per rank. "
         "Medians of %d runs, part by part. Times per step in milliseconds: the parts are the sums of stats.csv's columns over the steps; "
         "*other* is the rest of hyfe's wall time (set-up, the forces and statistics, and whatever the columns "
         "do not time). **Efficiency**: strong T1 / (2 T2), weak T1 / T2. **Overhead**: 2 T2 - T1 (strong) or "
         "T2 - T1 (weak), the time that the second rank adds, communication and load imbalance together (they "
         "are not timed apart)." % (results[("strong-2d", 1)]["date"], results[("strong-2d", 1)]["machine"], REPEATS), ""]
for name, (label, _) in RUNS.items():
    one, two = results[(name, 1)], results[(name, 2)]
    weak = name.startswith("weak")
    lines += ["## %s: %s" % ("Weak" if weak else "Strong", label), "",
              "| part | 1 rank (ms/step) | 2 ranks (ms/step) | efficiency | overhead (ms/step) |", "|---|---|---|---|---|"]
    entries = [(p, one["parts_s"][p], two["parts_s"][p]) for p, _ in PARTS[:2]]
    entries += [("  " + SUBPART[0], one["subpart_s"], two["subpart_s"])]
    entries += [(p, one["parts_s"][p], two["parts_s"][p]) for p, _ in PARTS[2:]]
    entries += [("other", one["other_s"], two["other_s"]), ("**total (wall)**", one["wall_s"], two["wall_s"])]
    for part, t1, t2 in entries:
        per1, per2 = 1e3 * t1 / one["steps"], 1e3 * t2 / two["steps"]
        eff = (per1 / per2 if weak else per1 / (2 * per2)) if per2 > 0 else float("nan")
        over = per2 - per1 if weak else 2 * per2 - per1
        lines.append("| %s | %.2f | %.2f | %.2f | %.2f |" % (part, per1, per2, eff, over))
    lines += ["", "%d and %d steps, %d and %d DoFs; the wall times of the runs: %s s (1 rank), %s s (2 ranks)." % (
        one["steps"], two["steps"], one["dofs"], two["dofs"], ", ".join("%.1f" % w for w in one["walls_s"]),
        ", ".join("%.1f" % w for w in two["walls_s"])), ""]
lines += [
    "## What limits scaling beyond one node", "",
    "From hyfe's measured parts above and from published figures of its components (stated as such, with their "
    "sources; nothing here was measured beyond 2 ranks):", "",
    "- **Assembly and output are local.** Both scale with the cells per rank in the tables above (assembly is "
    "the largest part of a Navier-Stokes step; output writes one grouped vtu file per group of ranks, and rank "
    "0 writes the pvtu and pvd records). Their cost per rank stays flat as long as the cells per rank do; the "
    "file system becomes the limit for output at large rank counts, which the grouped files address.",
    "- **The pressure solve is the part with the lowest efficiency already at 2 ranks** (CG with BoomerAMG: "
    "global reductions every iteration, and the AMG hierarchy's coarse levels, where each rank has few rows and "
    "messages dominate). Published: Baker, Falgout, Kolev and Yang, *Scaling hypre's multigrid solvers to "
    "100,000 cores* (High-Performance Scientific Computing, Springer 2012), report that BoomerAMG's set-up "
    "phase scales worse than its solve phase and that the coarse-grid communication and the growing operator "
    "complexity of the coarse levels are what limits it at large core counts; aggressive coarsening and "
    "interpolation truncation are the published remedies (hypre's options, reachable through PETSc).",
    "- **The set-up of the velocity preconditioner** (block ILU per rank, every step) is local and scales (the "
    "sub-row above); its quality per rank degrades as the blocks shrink, so the velocity iterations grow with "
    "the rank count (block Jacobi).",
    "- **Mesh adaptation and repartitioning** (p4est): Burstedde, Wilcox and Ghattas, *p4est: scalable "
    "algorithms for parallel adaptive mesh refinement on forests of octrees* (SIAM J. Sci. Comput. 33(3), 2011) "
    "report the forest operations (refine, coarsen, balance, partition) scaling to more than 200,000 cores with "
    "a small share of the run time; Bangerth, Burstedde, Heister and Kronbichler, *Algorithms and data "
    "structures for massively parallel generic adaptive finite element codes* (ACM TOMS 38(2), 2011), report "
    "deal.II's distributed triangulation and DoF handling on top of it scaling to 16,384 cores. So the mesh "
    "is not the first limit; hyfe's solution transfer of every time level is local work plus one repartition.",
    "- **Coarse-grid solves and global reductions** (the Krylov dot products, the CFL and the statistics "
    "reductions of every step, the forces) are latency-bound: their count per step is fixed, their latency grows "
    "with log(ranks) across nodes. At about 10^4 DoFs per rank and below, they, not the local work, set the time "
    "per step.", "",
    "## Slurm", "",
    "`cases/slurm-template.sh` is the batch template (checkpoint on SIGTERM, requeue, `--validate` before the "
    "ranks start). Tried on 2026-12-06 with Debian 12's Slurm 22.05 (`slurm-wlm`, `munge`) as a one-node cluster "
    "on this machine (slurmctld and slurmd on localhost, 2 CPUs): `sbatch --test-only slurm-template.sh` refuses "
    "the template's 32 tasks per node on a 2-CPU node (\"Requested node configuration is not available\", as "
    "it should); `sbatch --test-only --ntasks-per-node=2 slurm-template.sh` is accepted (\"to start ... using 2 "
    "processors on nodes vm in partition debug\"); and a real submission with `--ntasks-per-node=2` ran "
    "`hyfe --validate` and then the 2-D Taylor-Green case on 2 ranks through `srun --mpi=pmix` to its end. The "
    "SIGTERM, checkpoint and requeue path was not exercised under Slurm here (it is tested without Slurm by "
    "`interrupted_runs`).", ""]
open(os.path.join(root, "benchmarks", "scaling.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
