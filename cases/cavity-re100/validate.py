#!/usr/bin/env python3
"""Lid-driven cavity: centre-line velocities of the last step against a reference table.

usage: validate.py [output folder] [--re 100|400|1000]
Re 100: every point of Ghia et al. (1982), Tables I and II (shared/refdata), within 0.01.
Re 400 and 1000: the extrema of the centre-line profiles against Ghia et al. (Re 400, within 0.01,
the accuracy of their 129 x 129 finite differences) and Botella & Peyret (1998, Re 1000, spectral,
within 0.002), as listed in the case READMEs.
Also: the flow is steady (kinetic energy changed by less than 1e-4, relative, over the last 10 %).
"""
import glob
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from hyfe_validate import REFDATA, Checks, command_line, interpolate, read_csv  # noqa: E402

folder, options = command_line(__file__, {"--re": 100})
re_number = options["--re"]


def last_profile(index):
    files = glob.glob(os.path.join(folder, "profile_%d_*.csv" % index))
    if not files:
        raise SystemExit("validate: no profile_%d_*.csv in %s" % (index, folder))
    return read_csv(max(files, key=lambda f: int(re.findall(r"_(\d+)\.csv$", f)[0])))


stats = read_csv(os.path.join(folder, "stats.csv"))
u_line, v_line = last_profile(0), last_profile(1)
ys, us = [r["y"] for r in u_line], [r["u"] for r in u_line]
xs, vs = [r["x"] for r in v_line], [r["v"] for r in v_line]
checks = Checks("lid-driven cavity, Re = %d, t = %g" % (re_number, stats[-1]["time"]))
window = [r for r in stats if r["time"] >= 0.9 * stats[-1]["time"]]
drift = abs(window[0]["kinetic_energy"] - stats[-1]["kinetic_energy"]) / stats[-1]["kinetic_energy"]
checks.check("steady (energy drift, last 10 %)", drift, drift < 1e-4, "(tolerance 1e-4)")

if re_number == 100:
    worst_u = max(abs(interpolate(ys, us, r["y"]) - r["u"]) for r in read_csv(os.path.join(REFDATA, "ghia_re100_u.csv")))
    worst_v = max(abs(interpolate(xs, vs, r["x"]) - r["v"]) for r in read_csv(os.path.join(REFDATA, "ghia_re100_v.csv")))
    checks.check("u(0.5, y): max deviation from Ghia", worst_u, worst_u <= 0.01, "(17 points, tolerance 0.01)")
    checks.check("v(x, 0.5): max deviation from Ghia", worst_v, worst_v <= 0.01, "(17 points, tolerance 0.01)")
else:
    # extrema of the centre-line profiles
    reference = {400: {"u_min": -0.32726, "v_max": 0.30203, "v_min": -0.44993},     # Ghia et al. 1982
                 1000: {"u_min": -0.3885698, "v_max": 0.3769447, "v_min": -0.5270771}}  # Botella & Peyret 1998
    ref = reference[re_number]
    tolerance = {400: 0.01, 1000: 0.002}[re_number]
    checks.within("min u(0.5, y)", min(us), ref["u_min"], tolerance, relative=False)
    checks.within("max v(x, 0.5)", max(vs), ref["v_max"], tolerance, relative=False)
    checks.within("min v(x, 0.5)", min(vs), ref["v_min"], tolerance, relative=False)
checks.finish()
