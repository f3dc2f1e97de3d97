#!/usr/bin/env python3
"""`dump matrices at steps` writes the system in PETSc's binary format, which
learned/training/petsc_binary.py reads back: a steady Poisson problem (Q1, 16 x 16 cells, Dirichlet)
dumped on 1 and 2 ranks. Checks: the size equals the DoFs of stats.csv, the matrix is symmetric
(1e-12), its diagonal is positive, and the 1- and 2-rank dumps hold the same matrix up to the DoF
numbering (same sorted diagonal and the same sum of all entries and of the right-hand side, 1e-12)."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "learned", "training"))
from hyfetest import Checker, arguments, read_stats, run, write_prm  # noqa: E402
from petsc_binary import read_system  # noqa: E402

args = arguments(__doc__)
checker = Checker("matrix dump")
systems = {}
for np in (1, 2):
    folder = os.path.join(args.work, "np%d" % np)
    prm = write_prm(os.path.join(args.work, "np%d.prm" % np), {
        "time": {"scheme": "steady"},
        "mesh": {"generator arguments": "0 : 1 : false", "global refinements": 4},
        "output": {"directory": folder, "write fields": False},
        "advection diffusion": {"diffusivity": "1+x*y", "source": "1",
                                "boundary conditions": {"dirichlet ids": "0"},
                                "linear solver": {"dump matrices at steps": "1"}}})
    checker.run_ok(run(args.mpirun, args.hyfe, [prm], np=np, cwd=args.work), "%d rank(s)" % np)
    n, pointers, columns, values, rhs = read_system(os.path.join(folder, "c_step1.petsc"))
    dofs = int(read_stats(os.path.join(folder, "stats.csv"))[-1]["dofs"])
    checker.check(n == dofs, "%d rank(s): the dump has %d rows, stats.csv %d DoFs" % (np, n, dofs))
    entries = {}
    for i in range(n):
        for k in range(pointers[i], pointers[i + 1]):
            entries[(i, columns[k])] = values[k]
    asymmetry = max(abs(v - entries.get((j, i), 0.0)) for (i, j), v in entries.items())
    checker.check(asymmetry <= 1e-12, "%d rank(s): symmetric (max |a_ij - a_ji| = %.1e)" % (np, asymmetry))
    diagonal = sorted(entries[(i, i)] for i in range(n))
    checker.check(diagonal[0] > 0, "%d rank(s): positive diagonal (min %.3g)" % (np, diagonal[0]))
    systems[np] = (diagonal, sum(values), sum(rhs))
for k, name in ((1, "sum of the entries"), (2, "sum of the right-hand side")):
    checker.relative(systems[1][k], systems[2][k], 1e-12, "%s, 1 vs 2 ranks" % name)
worst = max(abs(a - b) for a, b in zip(systems[1][0], systems[2][0]))
checker.check(worst <= 1e-12 * max(systems[1][0]), "sorted diagonals agree on 1 and 2 ranks (%.1e)" % worst)
checker.finish()
