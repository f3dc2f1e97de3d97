#!/usr/bin/python3
"""Checkpoint and restart (issue 10): a killed run resumes and continues the same series.

An advection-diffusion run with AMR (Q2, BDF2, a rotating hill with an exact solution, checkpoints every
8 steps) is run uninterrupted on 2 ranks, then again and killed with SIGKILL once its first checkpoint is
complete, then resumed with `resume = auto`:
  - every row of stats.csv equals the uninterrupted run's (cells and DoFs exactly, the norms and errors to
    1e-10 relative; timing columns aside), with no duplicated or missing step, and the pvd lists the same
    records, each of which exists and is valid XML;
  - the same from the killed run's folder resumed on 1 rank (2 -> 1) and from a 1-rank run's checkpoint on
    2 ranks (1 -> 2);
  - bad restarts: a changed degree (exit 1 naming the entry), a corrupt state file and a truncated mesh file
    of the newest slot (auto falls back to the older slot and says so), resume = yes without any checkpoint
    (exit 1 naming the folder); no hang.
Navier-Stokes (a pulsating channel flow with AMR, CFL-adaptive steps, forces and probes) killed after its first
checkpoint and resumed on 2 ranks: stats.csv and forces.csv within 1e-10 of the uninterrupted run's (the
iteration counts within 3, the divergence's norm within 1e-8, the residuals aside: round-off), the same pvd and summary line; a changed velocity degree is refused (exit 1 naming the entry).
"""

import os
import re
import shutil
import signal
import subprocess
import time
import xml.etree.ElementTree as ET

import hyfetest as ht

CASE = {
    "dimension": 2,
    "time": {"end time": 0.48, "time step": 0.01, "scheme": "bdf2"},
    "mesh": {"source": "generator", "generator": "hyper_cube", "generator arguments": "-1 : 1 : false",
             "global refinements": 3},
    "adaptivity": {"interval": 4, "initial refinement cycles": 1, "refine fraction": 0.3,
                   "coarsen fraction": 0.1, "minimum level": 2, "maximum level": 5},
    "output": {"directory": "output", "interval": 6, "progress interval": 100},
    "checkpoint": {"interval": 8},
    "advection diffusion": {
        "finite element degree": 2,
        "advection velocity": "-2*pi*y; 2*pi*x",
        "diffusivity": "1e-3",
        "initial condition": "exp(-40*((x-0.5)^2+y^2))",
        "exact solution": "exp(-40*((x-0.5*cos(2*pi*t))^2+(y-0.5*sin(2*pi*t))^2))",
        "boundary conditions": {"dirichlet ids": "0", "dirichlet value": "0"},
        "linear solver": {"relative tolerance": 1e-13, "preconditioner": {"type": "boomeramg"}},
    },
}

# a channel flow (parabolic inflow, do-nothing outflow: the pressure is determined, not only up to a
# constant) with AMR every 3 steps, CFL-adaptive steps, the forces on the bottom wall and a pressure probe
# pair: every piece of Navier-Stokes state that a restart must carry
NS_CASE = {
    "dimension": 2,
    "physics": "navier-stokes",
    "time": {"end time": 0.6, "time step": 0.02, "scheme": "bdf2"},
    "mesh": {"source": "generator", "generator": "hyper_rectangle", "generator arguments": "0, 0 : 2, 1 : true",
             "global refinements": 3},
    "adaptivity": {"interval": 3, "refine fraction": 0.3, "coarsen fraction": 0.1, "minimum level": 2,
                   "maximum level": 5},
    "output": {"directory": "output", "interval": 10, "progress interval": 100},
    "checkpoint": {"interval": 7},
    "navier stokes": {
        "viscosity": 0.01, "adaptive time step": "true", "max cfl": 0.5,
        "initial velocity": "4*y*(1-y); 0",
        "boundary conditions": {"velocity ids": "0", "velocity value": "4*y*(1-y)*(1+0.5*sin(10*t)); 0",
                                "no-slip ids": "2, 3", "do-nothing ids": "1"},
        "forces": {"boundary ids": "2", "pressure points": "0.5, 0.5; 1.5, 0.5"},
        "velocity solver": {"relative tolerance": 1e-12},
        "pressure solver": {"relative tolerance": 1e-12},
    },
}

SKIP = re.compile(r"_time$|^wall")


def read_rows(path):
    return ht.read_stats(path)


def compare(checker, what, reference, rows, tolerance, skip=("linear_iterations", "final_residual")):
    checker.check([r["step"] for r in rows] == [r["step"] for r in reference],
                  "%s: stats.csv has the same steps, none duplicated or missing (%d rows)" % (what, len(rows)),
                  "steps %s vs %s" % ([r["step"] for r in rows][:40], [r["step"] for r in reference][:40]))
    worst, where = 0.0, ""
    exact_ok = True
    for a, b in zip(reference, rows):
        for key in a:
            if SKIP.search(key) or key in skip:
                continue
            if key in ("cells", "dofs", "step"):
                exact_ok = exact_ok and a[key] == b[key]
                continue
            d = ht.relative_difference(a[key], b[key])
            if d > worst:
                worst, where = d, "%s at step %d" % (key, a["step"])
    checker.check(exact_ok, "%s: cells and DoFs equal in every row" % what)
    checker.check(worst <= tolerance, "%s: every value within %.0e (largest difference %.2e, %s)" %
                  (what, tolerance, worst, where or "-"))


def check_pvd(checker, what, folder, reference_folder):
    def records(f):
        root = ET.parse(os.path.join(f, "output", "solution.pvd")).getroot()
        return [(d.get("timestep"), d.get("file")) for d in root.iter("DataSet")]
    try:
        mine, theirs = records(folder), records(reference_folder)
    except ET.ParseError as e:
        checker.check(False, "%s: solution.pvd is valid XML" % what, str(e))
        return
    checker.check(mine == theirs, "%s: solution.pvd lists the same %d records" % (what, len(theirs)),
                  "%s\nvs\n%s" % (mine, theirs))
    valid = True
    for _, name in mine:
        try:
            ET.parse(os.path.join(folder, "output", name))
        except (ET.ParseError, OSError):
            valid = False
    checker.check(valid, "%s: every listed record exists and is valid XML" % what)


def last_good(folder):
    try:
        with open(os.path.join(folder, "output", "checkpoints", "last-good")) as f:
            return int(f.read().split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def kill_after_checkpoint(args, folder, np, timeout=120):
    """Starts the run and SIGKILLs its process group once the first checkpoint is complete."""
    command = [args.mpirun, "-np", str(np), args.hyfe, "case.prm"]
    process = subprocess.Popen(command, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True)
    start = time.time()
    while process.poll() is None and last_good(folder) < 1 and time.time() - start < timeout:
        time.sleep(0.02)
    finished = process.poll() is not None
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate()
    return not finished


def main():
    args = ht.arguments(__doc__)
    checker = ht.Checker("checkpoint and restart")
    timeout = 180

    def folder_with(name, settings):
        folder = os.path.join(args.work, name)
        os.makedirs(folder)
        ht.write_prm(os.path.join(folder, "case.prm"), settings)
        return folder

    def run(folder, np, extra=()):
        return ht.run(args.mpirun, args.hyfe, list(extra) + ["case.prm"], np=np, cwd=folder, timeout=timeout)

    # the uninterrupted runs on 2 and on 1 rank
    full = folder_with("full", CASE)
    checker.run_ok(run(full, 2), "uninterrupted run, 2 ranks")
    reference = read_rows(os.path.join(full, "output", "stats.csv"))
    full1 = folder_with("full_np1", CASE)
    checker.run_ok(run(full1, 1), "uninterrupted run, 1 rank")
    reference1 = read_rows(os.path.join(full1, "output", "stats.csv"))

    # killed after the first checkpoint, resumed on 2 ranks
    killed = folder_with("killed", CASE)
    checker.check(kill_after_checkpoint(args, killed, 2), "the run was killed after its first checkpoint, "
                  "before its end")
    partial = os.path.join(args.work, "killed_copy")
    shutil.copytree(killed, partial)
    r = run(killed, 2)
    checker.run_ok(r, "resumed run, 2 ranks")
    checker.check(len([l for l in r.stdout.splitlines() if l.startswith("hyfe: resuming from")]) == 1,
                  "resumed run says once where it resumes from", r.describe())
    compare(checker, "2 -> 2 ranks", reference, read_rows(os.path.join(killed, "output", "stats.csv")), 1e-10)
    check_pvd(checker, "2 -> 2 ranks", killed, full)

    # the killed run resumed on 1 rank
    to_one = os.path.join(args.work, "resumed_np1")
    shutil.copytree(partial, to_one)
    checker.run_ok(run(to_one, 1), "resumed run, 2 -> 1 rank")
    compare(checker, "2 -> 1 rank", reference, read_rows(os.path.join(to_one, "output", "stats.csv")), 1e-10)
    check_pvd(checker, "2 -> 1 rank", to_one, full)

    # a 1-rank run killed and resumed on 2 ranks
    killed1 = folder_with("killed_np1", CASE)
    checker.check(kill_after_checkpoint(args, killed1, 1), "the 1-rank run was killed after its first checkpoint")
    checker.run_ok(run(killed1, 2), "resumed run, 1 -> 2 ranks")
    compare(checker, "1 -> 2 ranks", reference1, read_rows(os.path.join(killed1, "output", "stats.csv")), 1e-10)

    # bad restarts, each from a copy of the finished uninterrupted run (slots of checkpoints 4 and 5)
    def copy_of(name, settings=None):
        folder = os.path.join(args.work, name)
        shutil.copytree(full, folder)
        if settings is not None:
            ht.write_prm(os.path.join(folder, "case.prm"), settings)
        return folder

    for np in (1, 2):
        degree = copy_of("degree_np%d" % np, ht.merge(CASE, {"advection diffusion": {"finite element degree": 1}}))
        r = run(degree, np)
        checker.check(not r.timed_out and r.returncode == 1 and "finite element degree" in r.stderr and
                      r.stderr.count("hyfe:") == 1,
                      "changed degree, %d rank(s): exit 1, once, naming the entry" % np, r.describe())

    slots = os.path.join(full, "output", "checkpoints")
    newest = open(os.path.join(slots, "last-good")).read().split()[0]
    for damage in ("corrupt_state", "truncated_mesh", "missing_slot"):
        folder = copy_of(damage)
        slot = os.path.join(folder, "output", "checkpoints", newest)
        if damage == "corrupt_state":
            path = os.path.join(slot, "state.txt")
            data = bytearray(open(path, "rb").read())
            data[len(data) // 2] ^= 0x01
            open(path, "wb").write(bytes(data))
        elif damage == "truncated_mesh":
            path = os.path.join(slot, "mesh_fixed.data")
            os.truncate(path, os.path.getsize(path) // 2)
        else:
            shutil.rmtree(slot)
        r = run(folder, 2)
        checker.check(not r.timed_out and r.returncode == 0, "%s: the run exits 0" % damage, r.describe())
        checker.check(re.search(r"falling back to 'slot_\d'", r.stdout) is not None and
                      "resuming from" in r.stdout, "%s: auto falls back to the older slot and says so" % damage,
                      r.describe())
        compare(checker, damage, reference, read_rows(os.path.join(folder, "output", "stats.csv")), 1e-10)

    for np in (1, 2):
        none = folder_with("resume_yes_np%d" % np, ht.merge(CASE, {"checkpoint": {"resume": "yes"}}))
        r = run(none, np)
        checker.check(not r.timed_out and r.returncode == 1 and "checkpoint/resume" in r.stderr and
                      "checkpoints" in r.stderr, "resume = yes without a checkpoint, %d rank(s): exit 1 naming "
                      "the entry and the folder" % np, r.describe())

    # Navier-Stokes: AMR, CFL-adaptive steps, forces and probes; killed and resumed on 2 ranks, every row of
    # stats.csv and forces.csv and the summary as in the uninterrupted run
    ns_full = folder_with("ns_full", NS_CASE)
    r = run(ns_full, 2)
    checker.run_ok(r, "navier-stokes: uninterrupted run, 2 ranks")
    ns_summary = [l for l in r.stdout.splitlines() if "final: C_D" in l]
    ns_killed = folder_with("ns_killed", NS_CASE)
    checker.check(kill_after_checkpoint(args, ns_killed, 2), "navier-stokes: the run was killed after its first "
                  "checkpoint, before its end")
    r = run(ns_killed, 2)
    checker.run_ok(r, "navier-stokes: resumed run, 2 ranks")
    # the solver's round-off (residuals near the 1e-12 tolerance) may move an iteration count by one
    # and the divergence's L2 norm, a quantity near zero, by more than 1e-10 of itself
    ns_skip = ("velocity_iterations", "pressure_iterations", "velocity_residual", "pressure_residual",
               "divergence_l2")
    ns_reference = read_rows(os.path.join(ns_full, "output", "stats.csv"))
    ns_rows = read_rows(os.path.join(ns_killed, "output", "stats.csv"))
    compare(checker, "navier-stokes stats.csv, 2 -> 2 ranks", ns_reference, ns_rows, 1e-10, ns_skip)
    compare(checker, "navier-stokes forces.csv, 2 -> 2 ranks", read_rows(os.path.join(ns_full, "output", "forces.csv")),
            read_rows(os.path.join(ns_killed, "output", "forces.csv")), 1e-10)
    worst = max((abs(a[k] - b[k]) for a, b in zip(ns_reference, ns_rows) for k in ns_skip[:2]), default=0)
    checker.check(worst <= 3, "navier-stokes: iteration counts within 3 of the uninterrupted run's in every step "
                  "(largest difference %d)" % worst)
    worst = max(ht.relative_difference(a["divergence_l2"], b["divergence_l2"]) for a, b in zip(ns_reference, ns_rows))
    checker.check(worst <= 1e-8, "navier-stokes: divergence_l2 within 1e-8 in every step (largest difference %.2e)"
                  % worst)
    final = [l for l in r.stdout.splitlines() if "final: C_D" in l]
    checker.check(len(final) == 1 and final == [l for l in ns_summary if "final: C_D" in l],
                  "navier-stokes: the resumed run's summary line (final C_D, C_L, delta_p) equals the "
                  "uninterrupted run's", "%s vs %s" % (final, ns_summary))
    check_pvd(checker, "navier-stokes 2 -> 2 ranks", ns_killed, ns_full)
    # the same flow on a fixed mesh: the load rebuilds the mesh in the same order, so the continuation is
    # bit-identical (every column, iterations and residuals included, to 1e-12)
    ns_fixed_case = ht.merge(NS_CASE, {"adaptivity": {"interval": 0}, "mesh": {"global refinements": 4}})
    ns_fixed = folder_with("ns_fixed_full", ns_fixed_case)
    checker.run_ok(run(ns_fixed, 2), "navier-stokes, fixed mesh: uninterrupted run, 2 ranks")
    ns_fixed_killed = folder_with("ns_fixed_killed", ns_fixed_case)
    checker.check(kill_after_checkpoint(args, ns_fixed_killed, 2), "navier-stokes, fixed mesh: killed after its "
                  "first checkpoint, before its end")
    checker.run_ok(run(ns_fixed_killed, 2), "navier-stokes, fixed mesh: resumed run, 2 ranks")
    for name in ("stats.csv", "forces.csv"):
        compare(checker, "navier-stokes, fixed mesh, %s" % name, read_rows(os.path.join(ns_fixed, "output", name)),
                read_rows(os.path.join(ns_fixed_killed, "output", name)), 1e-12, skip=())
    ns_degree = os.path.join(args.work, "ns_degree")
    shutil.copytree(ns_full, ns_degree)
    ht.write_prm(os.path.join(ns_degree, "case.prm"), ht.merge(NS_CASE, {"navier stokes": {"velocity degree": 3}}))
    r = run(ns_degree, 2)
    checker.check(not r.timed_out and r.returncode == 1 and "velocity degree" in r.stderr,
                  "navier-stokes: changed velocity degree, exit 1 naming the entry", r.describe())
    checker.finish()


if __name__ == "__main__":
    main()
