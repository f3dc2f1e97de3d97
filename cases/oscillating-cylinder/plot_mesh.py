#!/usr/bin/env python3
"""Draws the moved mesh around the cylinder with the vorticity, at the two records of a run where the
cylinder is highest and lowest, from the run's .vtu files.

usage: plot_mesh.py [output folder] [picture]   (defaults: output, oscillating-cylinder-mesh.png)
"""
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.tri import Triangulation  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from vtu import mesh_segments, read_vtu  # noqa: E402

folder = sys.argv[1] if len(sys.argv) > 1 else "output"
picture = sys.argv[2] if len(sys.argv) > 2 else "oscillating-cylinder-mesh.png"
records = re.findall(r'timestep="([^"]+)"[^>]*file="([^"]+)"', open(os.path.join(folder, "solution.pvd")).read())


def load(pvtu):
    pieces = re.findall(r'Source="([^"]+)"', open(os.path.join(folder, pvtu)).read())
    return [read_vtu(os.path.join(folder, p)) for p in pieces]


def cylinder_shift(data):
    """The y-displacement of the points on the cylinder (distance 0.05 from (0.2, 0.2) before the move)."""
    shifts = []
    for d in data:
        for point, disp in zip(d["points"], d["fields"]["mesh_mover_displacement"]):
            x, y = point[0] - disp[0], point[1] - disp[1]
            if abs(((x - 0.2) ** 2 + (y - 0.2) ** 2) ** 0.5 - 0.05) < 1e-6:
                shifts.append(disp[1])
    return sum(shifts) / len(shifts) if shifts else 0.0


late = [r for r in records if float(r[0]) >= 7.0]
shifts = [(cylinder_shift(load(pvtu)), float(t), pvtu) for t, pvtu in late]
chosen = [max(shifts), min(shifts)]
fig, axes = plt.subplots(1, 2, figsize=(12, 5.2))
for ax, (shift, time, pvtu) in zip(axes, chosen):
    data = load(pvtu)
    for d in data:
        tri = Triangulation([p[0] for p in d["points"]], [p[1] for p in d["points"]])
        # no triangles across the (moved) cylinder
        tri.set_mask([((sum(tri.x[v] for v in t) / 3 - 0.2) ** 2 + (sum(tri.y[v] for v in t) / 3 - 0.2 - shift) ** 2)
                      < 0.05 ** 2 for t in tri.triangles])
        ax.tricontourf(tri, d["fields"]["vorticity"], levels=[-60 + 4 * i for i in range(31)], cmap="RdBu_r",
                       extend="both")
    ax.add_collection(LineCollection(mesh_segments(data), colors="k", linewidths=0.3))
    ax.set_xlim(0.05, 0.45)
    ax.set_ylim(0.05, 0.35)
    ax.set_aspect("equal")
    ax.set_title("t = %.3f: cylinder displaced by %+.4f" % (time, shift))
fig.tight_layout()
fig.savefig(picture, dpi=110)
print("wrote", picture)
