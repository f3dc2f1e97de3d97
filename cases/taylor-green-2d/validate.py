#!/usr/bin/env python3
"""Taylor-Green vortices: errors and energy decay of a run against the exact solution.

usage: validate.py [output folder] [--u-tolerance E] [--p-tolerance E]
Checks at the last step: the L2 errors of u and of p (zero mean) are below the tolerances (defaults:
the values for the case's default mesh, level 4, with a margin of 20 %), and the kinetic energy
follows the exact decay E(t) = pi^2 exp(-4 nu t) (nu = 0.1) within 0.1 % at every step.
"""
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from hyfe_validate import Checks, command_line, read_csv  # noqa: E402

folder, options = command_line(__file__, {"--u-tolerance": 7.5e-3, "--p-tolerance": 3.2e-2, "--nu": 0.1})
stats = read_csv(os.path.join(folder, "stats.csv"))
last = stats[-1]
nu = options["--nu"]
checks = Checks("Taylor-Green 2D at t = %g, %d cells" % (last["time"], last["cells"]))
checks.check("L2 error of u", last["u_l2_error"], last["u_l2_error"] <= options["--u-tolerance"],
             "(tolerance %g)" % options["--u-tolerance"])
checks.check("L2 error of p (zero mean)", last["p_l2_error"], last["p_l2_error"] <= options["--p-tolerance"],
             "(tolerance %g)" % options["--p-tolerance"])
worst = max(abs(r["kinetic_energy"] / (math.pi ** 2 * math.exp(-4 * nu * r["time"])) - 1) for r in stats)
checks.check("energy vs pi^2 exp(-4 nu t)", worst, worst <= 1e-3, "(max relative deviation, tolerance 1e-3)")
checks.finish()
