#!/usr/bin/env python3
"""DFG 3D-1Z (Schaefer & Turek 1996, steady, Re = 20): C_D, C_L and delta_p of the last step against the
1996 intervals (the benchmark paper's Table 4 for test case 3D-1Z).

usage: validate.py [output folder]
Also: the flow is steady (C_D and delta_p changed by less than 1e-3, relative, over the last 5 % of the run).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from hyfe_validate import Checks, read_csv  # noqa: E402

# Schaefer & Turek (1996), "Benchmark computations of laminar flow around a cylinder", test case 3D-1Z
INTERVALS = {"C_D": (6.05, 6.25), "C_L": (0.008, 0.010), "delta_p": (0.165, 0.175)}

args = [a for a in sys.argv[1:] if not a.startswith("--")]
folder = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "output")
forces = read_csv(os.path.join(folder, "forces.csv"))
last = forces[-1]
checks = Checks("DFG 3D-1Z at t = %g (step %d)" % (last["time"], last["step"]))
window = [r for r in forces if r["time"] >= 0.95 * last["time"]]
drift = max(abs(window[0][q] - last[q]) / abs(last[q]) for q in ("C_D", "delta_p"))
checks.check("steady (drift over last 5 %)", drift, drift < 1e-3, "(tolerance 1e-3)")
for q, (lower, upper) in INTERVALS.items():
    checks.interval(q + " in 1996 interval", last[q], lower, upper)
checks.finish()
