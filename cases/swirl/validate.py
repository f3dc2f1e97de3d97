#!/usr/bin/env python3
"""Swirl: the ring advected by the reversing swirl is back at its start at t = 1; checks the run of
case.prm (monge-ampere on the recovered Hessian of c, every step) against the uniform mesh.

Checks: the run reaches t = 1; the L2 error against u0 at t = 1 is at most 0.8 x the uniform 64 x 64
mesh's 0.0617 (measured by benchmarks/mesh-movers.py, the same case with 'mesh mover/type = none', which
--uniform overrides); no fallback and no inverted cell; the smallest cell quality above 0.2. Reports the
mover's share of the run.

usage: validate.py [output folder] [--uniform E]
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from hyfe_validate import Checks, command_line, read_csv  # noqa: E402

folder, options = command_line(__file__, {"--uniform": 0.0617})
stats = read_csv(os.path.join(folder, "stats.csv"))
checks = Checks("swirl, %d cells" % stats[-1]["cells"])
checks.check("run reaches t = 1", stats[-1]["time"], abs(stats[-1]["time"] - 1.0) < 1e-9)
error = stats[-1]["l2_error"]
checks.check("L2 error at t = 1 <= 0.8 x the uniform mesh's %.4f" % options["--uniform"], error,
             error <= 0.8 * options["--uniform"], "ratio %.3f" % (error / options["--uniform"]))
checks.mesh_guard(stats, 0.2)
mover = sum(r["mesh_mover_time"] for r in stats)
physics = sum(r["assembly_time"] + r["solve_time"] for r in stats)
print("  mover %.1f s, physics (assembly + solves) %.1f s; relaxation iterations per move: median %g" % (
    mover, physics, sorted(r["mesh_mover_iterations"] for r in stats)[len(stats) // 2]))
checks.finish()
