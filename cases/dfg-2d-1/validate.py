#!/usr/bin/env python3
"""DFG 2D-1: C_D, C_L and delta_p of the last step against shared/refdata/dfg_2d1.csv.

usage: validate.py [output folder] [--accurate]
  default:     each value inside the 1996 interval of Schaefer & Turek
  --accurate:  also within 0.1 % (C_D), 1 % (C_L), 0.2 % (delta_p) of the accurate values
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from hyfe_validate import REFDATA, Checks, read_csv  # noqa: E402

args = [a for a in sys.argv[1:] if not a.startswith("--")]
folder = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "output")
forces = read_csv(os.path.join(folder, "forces.csv"))
reference = {r["quantity"]: r for r in read_csv(os.path.join(REFDATA, "dfg_2d1.csv"))}
last = forces[-1]
checks = Checks("DFG 2D-1 at t = %g (step %d)" % (last["time"], last["step"]))
# steadiness: the values changed by less than 1e-4 (relative) over the last 5 % of the run
window = [r for r in forces if r["time"] >= 0.95 * last["time"]]
drift = max(abs(window[0][q] - last[q]) / abs(last[q]) for q in ("C_D", "delta_p"))
checks.check("steady (drift over last 5 %)", drift, drift < 1e-3, "(tolerance 1e-3)")
for q in ("C_D", "C_L", "delta_p"):
    checks.interval(q + " in 1996 interval", last[q], reference[q]["interval_lower"], reference[q]["interval_upper"])
if "--accurate" in sys.argv:
    for q, tol in (("C_D", 1e-3), ("C_L", 1e-2), ("delta_p", 2e-3)):
        checks.within(q + " vs accurate value", last[q], reference[q]["value"], tol)
checks.finish()
