#!/usr/bin/env python3
"""Draws the moved mesh and c of a run of this case at t = 0.2, 0.5 and 1 (the records of output
interval 50) into a PNG, from the run's .vtu files.

usage: plot.py [output folder] [picture]   (defaults: output, swirl.png)
"""
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from vtu import mesh_segments, read_vtu  # noqa: E402

folder = sys.argv[1] if len(sys.argv) > 1 else "output"
picture = sys.argv[2] if len(sys.argv) > 2 else "swirl.png"
pvd = open(os.path.join(folder, "solution.pvd")).read()
records = re.findall(r'timestep="([^"]+)"[^>]*file="([^"]+)"', pvd)
wanted = [0.2, 0.5, 1.0]
fig, axes = plt.subplots(1, len(wanted), figsize=(15, 5))
for ax, t in zip(axes, wanted):
    time, pvtu = min(records, key=lambda r: abs(float(r[0]) - t))
    pieces = re.findall(r'Source="([^"]+)"', open(os.path.join(folder, pvtu)).read())
    data = [read_vtu(os.path.join(folder, p)) for p in pieces]
    for d in data:
        ax.tricontourf([p[0] for p in d["points"]], [p[1] for p in d["points"]], d["fields"]["c"],
                       levels=20, cmap="viridis", vmin=0, vmax=1)
    ax.add_collection(LineCollection(mesh_segments(data), colors="white", linewidths=0.3))
    ax.set_aspect("equal")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title("t = %.2f" % float(time))
fig.tight_layout()
fig.savefig(picture, dpi=100)
print("wrote", picture)
