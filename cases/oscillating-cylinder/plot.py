#!/usr/bin/env python3
"""Plots C_D, C_L (from t = 1, after the start-up) and the mesh quality of every move of a run of this case
into a PNG.

usage: plot.py [output folder] [picture]   (defaults: output, oscillating-cylinder.png)
"""
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from hyfe_validate import read_csv  # noqa: E402

folder = sys.argv[1] if len(sys.argv) > 1 else "output"
picture = sys.argv[2] if len(sys.argv) > 2 else "oscillating-cylinder.png"
forces = [r for r in read_csv(os.path.join(folder, "forces.csv")) if r["time"] >= 1.0]
stats = read_csv(os.path.join(folder, "stats.csv"))
fig, axes = plt.subplots(3, 1, figsize=(8, 7), sharex=True)
axes[0].plot([r["time"] for r in forces], [r["C_D"] for r in forces], lw=1)
axes[0].set_ylabel("C_D")
axes[1].plot([r["time"] for r in forces], [r["C_L"] for r in forces], lw=1)
axes[1].set_ylabel("C_L")
axes[2].plot([r["time"] for r in stats], [r["mesh_mover_min_quality"] for r in stats], lw=1, label="smallest quality")
axes[2].set_ylabel("mesh quality")
axes[2].set_xlabel("t")
axes[2].set_xlim(0, stats[-1]["time"])
axes[0].set_title("cylinder oscillating transversely, A = 0.2 D, f = 3 (Re = 100)")
fig.tight_layout()
fig.savefig(picture, dpi=100)
print("wrote", picture)
