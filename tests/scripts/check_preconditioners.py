#!/usr/bin/python3
"""Preconditioners agree: every classical preconditioner solves the same SPD system to the same
solution, in a plausible number of iterations.

The system: steady diffusion -div(kappa grad c) = 1 on the unit square, kappa = 1 + 0.5 sin(2 pi x)
sin(2 pi y), c = 0 on the boundary, Q2 on a 64 x 64 mesh (16641 DoFs), CG with relative tolerance
1e-12 (absolute tolerance 0). `exact solution = 0` makes stats.csv's l2_error and h1_error the
L2 norm and H1 seminorm of c_h.

Default mode: the 7 preconditioners with default options. Checked against `direct`:
  - c_l2_norm (Euclidean norm of the DoF vector) to 1e-8 relative,
  - ||c_h||_L2 and |c_h|_H1 to 1e-6 relative (hyfe accumulates these in single precision),
  - final_residual <= 1e-12,
  - iterations: direct <= 2; boomeramg <= 20; gamg <= 40; jacobi <= 1000 and >= 5x boomeramg;
    ssor, block-icc, block-ilu fewer than jacobi and more than boomeramg.
--options: the modules' documented options (jacobi row-max, ssor omega/sweeps, ILU/ICC fill
levels and shift, BoomerAMG W-cycle/PMIS, GAMG smoothers, MUMPS orderings) must give the same
solution to the same tolerances; ILU(2) needs fewer iterations than ILU(0).
"""

import os

import hyfetest as ht

BASE = {
    "dimension": 2,
    "time": {"end time": 1, "scheme": "steady"},
    "mesh": {"generator": "hyper_cube", "generator arguments": "0 : 1 : false", "global refinements": 6},
    "output": {"directory": "output", "write fields": False, "progress interval": 1000},
    "advection diffusion": {
        "finite element degree": 2,
        "diffusivity": "1 + 0.5*sin(2*pi*x)*sin(2*pi*y)",
        "source": "1",
        "exact solution": "0",
        "boundary conditions": {"dirichlet ids": "0", "dirichlet value": "0"},
        "linear solver": {"krylov method": "auto", "relative tolerance": 1e-12, "absolute tolerance": 0,
                          "max iterations": 5000, "preconditioner": {"type": "direct"}},
    },
}

DEFAULTS = [("direct", {}), ("jacobi", {}), ("ssor", {}), ("block-icc", {}), ("block-ilu", {}),
            ("boomeramg", {}), ("gamg", {})]
OPTIONS = [
    ("direct", {}),
    ("block-ilu", {}),
    ("jacobi", {"diagonal": "row-max"}),
    ("ssor", {"omega": 1.5, "sweeps": 2}),
    ("block-ilu", {"fill levels": 2}),
    ("block-icc", {"fill levels": 1, "diagonal shift": True}),
    ("boomeramg", {"cycle": "W", "coarsening": "PMIS", "strong threshold": 0.25}),
    ("gamg", {"smoother": "sor"}),
    ("gamg", {"smoother": "jacobi", "threshold": 0.0}),
    ("direct", {"ordering": "amd"}),
    ("direct", {"ordering": "metis"}),
]


def label(name, options):
    return name + ("" if not options else " (" + ", ".join("%s=%s" % kv for kv in options.items()) + ")")


def main():
    def extra(parser):
        parser.add_argument("--np", type=int, default=1)
        parser.add_argument("--options", action="store_true", help="check the modules' options")

    args = ht.arguments(__doc__, extra)
    variants = OPTIONS if args.options else DEFAULTS
    checker = ht.Checker("preconditioners%s on %d rank(s)" % (" (options)" if args.options else "", args.np))

    results = {}
    for i, (name, options) in enumerate(variants):
        folder = os.path.join(args.work, "%02d_%s" % (i, name))
        os.makedirs(folder)
        settings = ht.merge(BASE, {"advection diffusion": {"linear solver": {"preconditioner": {
            "type": name, name: options}}}} if options else
            {"advection diffusion": {"linear solver": {"preconditioner": {"type": name}}}})
        ht.write_prm(os.path.join(folder, "case.prm"), settings)
        r = ht.run(args.mpirun, args.hyfe, ["case.prm"], np=args.np, cwd=folder, timeout=120)
        what = label(name, options)
        if not checker.run_ok(r, what):
            continue
        rows = ht.read_stats(os.path.join(folder, "output", "stats.csv"))
        if checker.check(len(rows) == 1, "%s: one row in stats.csv (steady)" % what):
            results[i] = rows[0]

    if 0 not in results:
        checker.check(False, "the reference run (direct) succeeded")
        checker.finish()
    ref = results[0]
    checker.check(ref["dofs"] == 16641, "the system has 16641 DoFs (got %d)" % ref["dofs"])
    for i, (name, options) in enumerate(variants):
        if i not in results:
            continue
        row, what = results[i], label(name, options)
        checker.relative(row["c_l2_norm"], ref["c_l2_norm"], 1e-8, "%s: c_l2_norm vs direct" % what)
        checker.relative(row["l2_error"], ref["l2_error"], 1e-6, "%s: ||c_h||_L2 vs direct" % what)
        checker.relative(row["h1_error"], ref["h1_error"], 1e-6, "%s: |c_h|_H1 vs direct" % what)
        checker.check(row["final_residual"] <= 1e-12, "%s: final relative residual %.2e <= 1e-12" %
                      (what, row["final_residual"]))
        print("      %s: %d iterations" % (what, row["linear_iterations"]))

    its = {label(n, o): results[i]["linear_iterations"] for i, (n, o) in enumerate(variants) if i in results}
    if not args.options:
        def within(name, low, high):
            if name in its:
                checker.check(low <= its[name] <= high, "%s: %d iterations in [%g, %g]" % (name, its[name], low, high))
        within("direct", 1, 2)
        within("boomeramg", 1, 20)
        within("gamg", 1, 40)
        if "jacobi" in its and "boomeramg" in its:
            within("jacobi", 5 * its["boomeramg"], 1000)
            for name in ("ssor", "block-icc", "block-ilu"):
                within(name, its["boomeramg"] + 1, its["jacobi"] - 1)
    else:
        ilu0, ilu2 = its.get("block-ilu"), its.get(label("block-ilu", {"fill levels": 2}))
        if ilu0 is not None and ilu2 is not None:
            checker.check(ilu2 < ilu0, "ILU(2) takes fewer iterations (%d) than ILU(0) (%d)" % (ilu2, ilu0))
        for name, options in OPTIONS:
            if name == "direct" and label(name, options) in its:
                checker.check(its[label(name, options)] <= 2, "%s: at most 2 iterations" % label(name, options))
    checker.finish()


if __name__ == "__main__":
    main()
