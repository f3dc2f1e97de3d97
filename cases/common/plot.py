#!/usr/bin/env python3
"""Plots for the case READMEs, from a run's real output (developers only: needs python3-matplotlib).

usage: /usr/bin/python3 plot.py KIND OUTPUT_FOLDER PNG [GRAD_DIV]
KIND: dfg-steady (C_D, delta_p against time with the reference), dfg-periodic (C_D and C_L against
time, the last 2 time units: the start-up transient clipped), dfg-3 (C_D and C_L of DFG 2D-3 with
John's maxima), cavity (centre-line velocities with Ghia's points, Re 100), cavity-400 and cavity-1000 (the profiles
with the reference extrema), taylor-green (energy against the
exact decay), taylor-green-3d (-dE/dt of the closure benchmark's runs with grad-div GRAD_DIV, default 0,
against the DNS).
"""
import glob
import math
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hyfe_validate import REFDATA, read_csv  # noqa: E402

kind, folder, png = sys.argv[1:4]
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
if kind == "dfg-steady":
    forces = read_csv(os.path.join(folder, "forces.csv"))
    ref = {r["quantity"]: r for r in read_csv(os.path.join(REFDATA, "dfg_2d1.csv"))}
    t = [r["time"] for r in forces]
    for ax, q in zip(axes, ("C_D", "delta_p")):
        ax.plot(t, [r[q] for r in forces], label="hyfe")
        ax.axhline(ref[q]["value"], color="k", lw=0.8, label="reference %.6g" % ref[q]["value"])
        ax.axhspan(ref[q]["interval_lower"], ref[q]["interval_upper"], color="g", alpha=0.15, label="1996 interval")
        ax.set_ylim(ref[q]["value"] * 0.98, ref[q]["value"] * 1.02)
        ax.set_xlabel("t")
        ax.set_ylabel(q)
        ax.legend()
elif kind == "dfg-periodic":
    # the periodic part only: the last 2 time units (about 6 shedding periods), so that the start-up
    # transient does not set the scale
    forces = read_csv(os.path.join(folder, "forces.csv"))
    forces = [r for r in forces if r["time"] >= forces[-1]["time"] - 2.0]
    t = [r["time"] for r in forces]
    for ax, q in zip(axes, ("C_D", "C_L")):
        ax.plot(t, [r[q] for r in forces])
        ax.set_xlabel("t")
        ax.set_ylabel(q)
        ax.set_title("%s, t >= %.1f (periodic part)" % (q, t[0]))
        ax.grid(alpha=0.3)
elif kind == "dfg-3":
    # DFG 2D-3: the whole run, with the maxima of John (2004) marked
    forces = read_csv(os.path.join(folder, "forces.csv"))
    t = [r["time"] for r in forces]
    for ax, q, (t_ref, ref) in zip(axes, ("C_D", "C_L"), ((3.93625, 2.950921575), (5.693125, 0.47795))):
        ax.plot(t, [r[q] for r in forces], label="hyfe")
        ax.plot([t_ref], [ref], "o", mfc="none", color="k", label="maximum, John (2004)")
        ax.set_xlabel("t")
        ax.set_ylabel(q)
        ax.legend()
        ax.grid(alpha=0.3)
elif kind == "cavity":
    def last(index):
        files = glob.glob(os.path.join(folder, "profile_%d_*.csv" % index))
        return read_csv(max(files, key=lambda f: int(re.findall(r"_(\d+)\.csv$", f)[0])))
    u, v = last(0), last(1)
    gu = read_csv(os.path.join(REFDATA, "ghia_re100_u.csv"))
    gv = read_csv(os.path.join(REFDATA, "ghia_re100_v.csv"))
    axes[0].plot([r["u"] for r in u], [r["y"] for r in u], label="hyfe")
    axes[0].plot([r["u"] for r in gu], [r["y"] for r in gu], "o", mfc="none", label="Ghia et al. 1982")
    axes[0].set_xlabel("u(0.5, y)")
    axes[0].set_ylabel("y")
    axes[1].plot([r["x"] for r in v], [r["v"] for r in v], label="hyfe")
    axes[1].plot([r["x"] for r in gv], [r["v"] for r in gv], "o", mfc="none", label="Ghia et al. 1982")
    axes[1].set_xlabel("x")
    axes[1].set_ylabel("v(x, 0.5)")
    for ax in axes:
        ax.legend()
        ax.grid(alpha=0.3)
elif kind in ("cavity-400", "cavity-1000"):
    # the reference extrema with their positions: Ghia et al. (1982) at Re 400, Botella & Peyret (1998) at Re 1000
    extrema = {"cavity-400": ((-0.32726, 0.2813), (0.30203, 0.2266), (-0.44993, 0.8594), "Ghia et al. 1982"),
               "cavity-1000": ((-0.3885698, 0.1717), (0.3769447, 0.1578), (-0.5270771, 0.9092), "Botella & Peyret 1998")}
    u_min, v_max, v_min, name = extrema[kind]

    def last(index):
        files = glob.glob(os.path.join(folder, "profile_%d_*.csv" % index))
        return read_csv(max(files, key=lambda f: int(re.findall(r"_(\d+)\.csv$", f)[0])))
    u, v = last(0), last(1)
    axes[0].plot([r["u"] for r in u], [r["y"] for r in u], label="hyfe")
    axes[0].plot([u_min[0]], [u_min[1]], "o", mfc="none", label=name + " (minimum)")
    axes[0].set_xlabel("u(0.5, y)")
    axes[0].set_ylabel("y")
    axes[1].plot([r["x"] for r in v], [r["v"] for r in v], label="hyfe")
    axes[1].plot([v_max[1], v_min[1]], [v_max[0], v_min[0]], "o", mfc="none", label=name + " (extrema)")
    axes[1].set_xlabel("x")
    axes[1].set_ylabel("v(x, 0.5)")
    for ax in axes:
        ax.legend()
        ax.grid(alpha=0.3)
elif kind == "taylor-green":
    stats = read_csv(os.path.join(folder, "stats.csv"))
    t = [r["time"] for r in stats]
    axes[0].plot(t, [r["kinetic_energy"] for r in stats], label="hyfe")
    axes[0].plot(t, [math.pi ** 2 * math.exp(-0.4 * s) for s in t], "--", label="exact")
    axes[0].set_xlabel("t")
    axes[0].set_ylabel("kinetic energy")
    axes[0].legend()
    axes[1].semilogy(t, [r["u_l2_error"] for r in stats], label="u")
    axes[1].semilogy(t, [r["p_l2_error"] for r in stats], label="p")
    axes[1].set_xlabel("t")
    axes[1].set_ylabel("L2 error")
    axes[1].legend()
elif kind == "taylor-green-3d":
    # FOLDER: benchmarks/closures (the JSON of benchmarks/closures.py): -dE/dt of every model, per level
    import json
    dns = [[float(v) for v in line.split()] for line in open(os.path.join(REFDATA, "tgv_re1600_spectral512.gdiag"))
           if line.strip() and not line.startswith("#")]
    grad_div = float(sys.argv[4]) if len(sys.argv) > 4 else 0.
    runs = [json.load(open(f)) for f in sorted(glob.glob(os.path.join(folder, "L*.json")))]
    runs = [r for r in runs if r.get("grad_div", 0) == grad_div]
    for ax, level in zip(axes, sorted({r["level"] for r in runs})[:2]):
        ax.plot([r[0] for r in dns], [r[2] for r in dns], "k", lw=2, label="DNS 512^3")
        for r in (r for r in runs if r["level"] == level):
            ax.plot(r["times"][1:], r["dissipation"][1:], lw=1, label="%s (%.2f)" % (r["model"],
                                                                                 r["dissipation_l2_error"]))
        ax.set_title("%d^3 Q2 cells, grad-div %g (L2 error of -dE/dt)" % (2 ** level, grad_div))
        ax.set_xlabel("t")
        ax.set_ylabel("-dE/dt")
        ax.set_xlim(0, 20)
        ax.legend(fontsize=7)
else:
    raise SystemExit("unknown kind " + kind)
fig.tight_layout()
fig.savefig(png, dpi=90)
print("wrote", png)
