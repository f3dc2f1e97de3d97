#!/usr/bin/env python3
"""DFG 2D-3 (U_m(t) = 1.5 sin(pi t / 8) on [0, 8]): C_D max, C_L max, their times and delta_p(8)
against the reference values of V. John, "Reference values for drag and lift of a two-dimensional
time-dependent flow around a cylinder", Int. J. Numer. Meth. Fluids 44 (2004) 777-788:
C_D max = 2.950921575 at t = 3.93625, C_L max = 0.47795 at t = 5.693125, delta_p(8) = -0.1116.

C_D max must also lie inside the interval [2.93, 2.97] of Schaefer & Turek (1996).

usage: validate.py [output folder] [--tolerance T]
  T: the relative tolerance of C_D max (default 0.005); C_L max gets 6 T (default 0.03)
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from hyfe_validate import Checks, command_line, read_csv  # noqa: E402

folder, options = command_line(__file__, {"--tolerance": 0.005})
tolerance = options["--tolerance"]
forces = read_csv(os.path.join(folder, "forces.csv"))
checks = Checks("DFG 2D-3")
checks.check("run reaches t = 8", forces[-1]["time"], abs(forces[-1]["time"] - 8) < 1e-9)
cd = max(forces, key=lambda r: r["C_D"])
cl = max(forces, key=lambda r: r["C_L"])
checks.within("C_D max", cd["C_D"], 2.950921575, tolerance)
checks.within("time of C_D max", cd["time"], 3.93625, 0.05, relative=False)
checks.interval("C_D max", cd["C_D"], 2.93, 2.97)
checks.within("C_L max", cl["C_L"], 0.47795, 6 * tolerance)
checks.within("time of C_L max", cl["time"], 5.693125, 0.05, relative=False)
checks.within("delta_p(8)", forces[-1]["delta_p"], -0.1116, 0.01, relative=False)
checks.finish()
