#!/usr/bin/env python3
"""Oscillating cylinder (DFG 2D channel, Re = 100, cylinder moved transversely by A sin(2 pi f t) through the
`elasticity` mesh mover): lock-in and the mesh-quality history.

Checks: the run reaches t = 8; over t in [4, 8] the lift oscillates at the forcing frequency f (lock-in: the
mean period of the lift's upward crossings of its mean is 1/f within 2 %); the moved mesh never failed the
guard (no fallback), its smallest cell quality stays above 0.5 and no cell was inverted. Reports C_D mean and
max, the C_L amplitude, the smallest quality and the cylinder's largest displacement.

usage: validate.py [output folder] [--frequency F] [--amplitude A]   (the case's f = 3, A = 0.02)
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from hyfe_validate import Checks, command_line, read_csv  # noqa: E402

folder, options = command_line(__file__, {"--frequency": 3.0, "--amplitude": 0.02})
f, amplitude = options["--frequency"], options["--amplitude"]
forces = read_csv(os.path.join(folder, "forces.csv"))
stats = read_csv(os.path.join(folder, "stats.csv"))
checks = Checks("oscillating cylinder, A = %g, f = %g" % (amplitude, f))
checks.check("run reaches t >= 8", forces[-1]["time"], forces[-1]["time"] >= 8 - 1e-9)

window = [r for r in forces if r["time"] >= 4.0]
mean = sum(r["C_L"] for r in window) / len(window)
crossings = []
for a, b in zip(window, window[1:]):
    if a["C_L"] < mean <= b["C_L"]:
        crossings.append(a["time"] + (mean - a["C_L"]) / (b["C_L"] - a["C_L"]) * (b["time"] - a["time"]))
period = (crossings[-1] - crossings[0]) / (len(crossings) - 1) if len(crossings) > 1 else float("nan")
checks.interval("lift frequency / forcing frequency", 1.0 / (period * f), 0.98, 1.02)
checks.mesh_guard(stats, 0.5)
largest = max(r["mesh_mover_max_displacement"] for r in stats)
checks.check("the cylinder moves by the amplitude (largest displacement within 1 % of A)", largest,
             abs(largest - amplitude) <= 0.01 * amplitude)
print("C_D mean %.4f, C_D max %.4f, C_L amplitude %.4f (t in [4, 8])" %
      (sum(r["C_D"] for r in window) / len(window), max(r["C_D"] for r in window),
       0.5 * (max(r["C_L"] for r in window) - min(r["C_L"] for r in window))))
checks.finish()
