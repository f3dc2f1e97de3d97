#!/usr/bin/python3
"""MPI consistency: the same run on 1 and on 2 ranks gives the same stats.csv.

The case: the rotating Gaussian hill of cases/rotating-hill (Q2, BDF2, SUPG, exact solution known),
shortened to 40 steps of 0.0025 on a 16 x 16 mesh, solved with the `direct` preconditioner (MUMPS),
so that the solver tolerance plays no role. Without --amr the mesh is fixed; with --amr it is adapted
every 5 steps after 2 initial adaptive refinement cycles (fixed-number, refine 0.3, coarsen 0.1,
levels 2..6).

For every step: `cells` and `dofs` must be equal, and `l2_error`, `h1_error` and `c_l2_norm` equal
to 1e-10 relative (stats.csv has 12 significant digits).

--tiny: a 2 x 2 mesh (Q1, steady diffusion with an exact solution) on 1 and 2 ranks: both runs must
finish within 20 s with exit status 0 and give the same c_l2_norm (1e-10); the errors are compared
to 1e-6 only (single-precision sums, see mpi_consistency).
"""

import os

import hyfetest as ht

HILL = ("s0^2/(s0^2+2*kappa*t) * exp(-((x-r0*cos(omega*t))^2 + (y-r0*sin(omega*t))^2)"
        "/(2*(s0^2+2*kappa*t)))")

BASE = {
    "dimension": 2,
    "time": {"end time": 0.1, "time step": 0.0025, "scheme": "bdf2"},
    "mesh": {"generator": "hyper_cube", "generator arguments": "-1 : 1 : false", "global refinements": 4},
    "adaptivity": {"interval": 0},
    "output": {"directory": "output", "write fields": False, "progress interval": 1000},
    "advection diffusion": {
        "finite element degree": 2,
        "function constants": "omega=3.14159265358979, kappa=1e-3, s0=0.1, r0=0.5",
        "advection velocity": "-omega*y; omega*x",
        "diffusivity": "kappa",
        "initial condition": "exp(-((x-r0)^2 + y^2)/(2*s0^2))",
        "exact solution": HILL,
        "supg": True,
        "boundary conditions": {"dirichlet ids": "0", "dirichlet value": HILL},
        "linear solver": {"relative tolerance": 1e-13, "preconditioner": {"type": "direct"}},
    },
}
AMR = {
    "mesh": {"global refinements": 3},
    "adaptivity": {"interval": 5, "strategy": "fixed-number", "refine fraction": 0.3, "coarsen fraction": 0.1,
                   "minimum level": 2, "maximum level": 6, "initial refinement cycles": 2},
}
TOLERANCE = 1e-10

TINY = {
    "dimension": 2,
    "time": {"end time": 1, "scheme": "steady"},
    "mesh": {"generator": "hyper_cube", "generator arguments": "0 : 1 : false", "global refinements": 1},
    "output": {"directory": "output", "write fields": False},
    "advection diffusion": {
        "finite element degree": 1,
        "source": "2*pi^2*sin(pi*x)*sin(pi*y)",
        "exact solution": "sin(pi*x)*sin(pi*y)",
        "boundary conditions": {"dirichlet ids": "0", "dirichlet value": "0"},
        "linear solver": {"preconditioner": {"type": "jacobi"}},
    },
}


def tiny(args):
    checker = ht.Checker("small mesh on 1 and 2 ranks")
    stats = {}
    for np in (1, 2):
        folder = os.path.join(args.work, "np%d" % np)
        os.makedirs(folder)
        ht.write_prm(os.path.join(folder, "case.prm"), TINY)
        r = ht.run(args.mpirun, args.hyfe, ["case.prm"], np=np, cwd=folder, timeout=20)
        checker.check(not r.timed_out, "4 cells on %d rank(s): finishes within 20 s (no hang)" % np, r.describe())
        if checker.run_ok(r, "4 cells on %d rank(s)" % np):
            stats[np] = ht.read_stats(os.path.join(folder, "output", "stats.csv"))[-1]
    if len(stats) == 2:
        checker.check(stats[1]["cells"] == stats[2]["cells"] == 4, "4 cells on both")
        checker.relative(stats[2]["c_l2_norm"], stats[1]["c_l2_norm"], TOLERANCE, "c_l2_norm, 2 vs 1 rank(s)")
        checker.relative(stats[2]["l2_error"], stats[1]["l2_error"], 1e-6, "l2_error, 2 vs 1 rank(s)")
    checker.finish()


def main():
    def extra(parser):
        parser.add_argument("--amr", action="store_true")
        parser.add_argument("--tiny", action="store_true")

    args = ht.arguments(__doc__, extra)
    if args.tiny:
        tiny(args)
    checker = ht.Checker("MPI consistency%s" % (" with AMR" if args.amr else ""))
    settings = ht.merge(BASE, AMR) if args.amr else BASE

    stats = {}
    for np in (1, 2):
        folder = os.path.join(args.work, "np%d" % np)
        os.makedirs(folder)
        ht.write_prm(os.path.join(folder, "case.prm"), settings)
        r = ht.run(args.mpirun, args.hyfe, ["case.prm"], np=np, cwd=folder, timeout=240)
        if checker.run_ok(r, "run on %d rank(s)" % np):
            stats[np] = ht.read_stats(os.path.join(folder, "output", "stats.csv"))
    if len(stats) < 2:
        checker.finish()

    one, two = stats[1], stats[2]
    checker.check(len(one) == len(two) == 40, "40 steps on both (%d, %d)" % (len(one), len(two)))
    if args.amr:
        checker.check(len(set(row["cells"] for row in one)) > 2, "the mesh changes during the AMR run (cells %s)" %
                      sorted(set(int(row["cells"]) for row in one)))
    for column in ("cells", "dofs"):
        differ = [(int(a["step"]), int(a[column]), int(b[column])) for a, b in zip(one, two) if a[column] != b[column]]
        checker.check(not differ, "%s equal on 1 and 2 ranks in every step%s" %
                      (column, "" if not differ else "; first differences (step, 1 rank, 2 ranks): %s" % differ[:5]))
    for column in ("c_l2_norm", "l2_error", "h1_error"):
        worst = max(zip(one, two), key=lambda ab: ht.relative_difference(ab[0][column], ab[1][column]))
        d = ht.relative_difference(worst[0][column], worst[1][column])
        checker.check(d <= TOLERANCE, "%s equal to %.0e on 1 and 2 ranks: largest relative difference %.2e "
                      "(step %d: %.12g vs %.12g)" % (column, TOLERANCE, d, worst[0]["step"], worst[0][column],
                                                     worst[1][column]))
    checker.finish()


if __name__ == "__main__":
    main()
