#!/usr/bin/env python3
"""DFG 2D-2 (Re = 100, periodic): C_D max, C_L max and the Strouhal number of the last lift period
against the intervals of Schaefer & Turek (1996): C_D max in [3.22, 3.24], C_L max in [0.99, 1.01],
St in [0.295, 0.305].

usage: validate.py [output folder] [--tolerance-factor F]
  F widens every interval about its centre (default 1: the published intervals).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from hyfe_validate import Checks, command_line, last_period, read_csv  # noqa: E402

folder, options = command_line(__file__, {"--tolerance-factor": 1.0})
factor = options["--tolerance-factor"]
forces = read_csv(os.path.join(folder, "forces.csv"))
t0, t1, period = last_period(forces)
window = [r for r in forces if t0 <= r["time"] <= t1]
checks = Checks("DFG 2D-2, last lift period [%.4f, %.4f]" % (t0, t1))
checks.check("run reaches t >= 8", forces[-1]["time"], forces[-1]["time"] >= 8 - 1e-9)


def widened(lower, upper):
    centre, half = 0.5 * (lower + upper), 0.5 * (upper - lower) * factor
    return centre - half, centre + half


checks.interval("C_D max", max(r["C_D"] for r in window), *widened(3.22, 3.24))
checks.interval("C_L max", max(r["C_L"] for r in window), *widened(0.99, 1.01))
checks.interval("St = D / (U T)", 0.1 / (1.0 * period), *widened(0.295, 0.305))
checks.finish()
