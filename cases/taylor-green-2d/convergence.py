#!/usr/bin/env python3
"""Convergence orders of hyfe's Navier-Stokes solver on the Taylor-Green vortices.

usage: convergence.py HYFE [--quick] [--np N] [--out FOLDER] [--write-table FILE]
Space: Q2/Q1 on levels 3, 4, 5 (quick: 3, 4) with a small time step; expected orders 3 for u
(L2) and 2 for p (L2); asserted >= 2.7 and >= 1.8.
Time: BDF2 with dt = 0.2, 0.1, 0.05 on level 5 (quick: dt = 0.2, 0.1) to t = 2 (quick: 1);
expected order 2 for u; asserted >= 1.8.
Exits non-zero if an order is below its bound.
"""
import math
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from hyfe_validate import read_csv  # noqa: E402

args = sys.argv[1:]
hyfe = os.path.abspath(args[0])
quick = "--quick" in args
np_ranks = int(args[args.index("--np") + 1]) if "--np" in args else 1
out = os.path.abspath(args[args.index("--out") + 1]) if "--out" in args else os.path.abspath("convergence-output")
table_file = args[args.index("--write-table") + 1] if "--write-table" in args else None
case = os.path.join(os.path.dirname(os.path.abspath(__file__)), "case.prm")
os.makedirs(out, exist_ok=True)


def run(level, dt, end):
    name = "L%d-dt%g-T%g" % (level, dt, end)
    prm = os.path.join(out, name + ".prm")
    text = open(case).read()
    text = text.replace("set global refinements  = 4", "set global refinements = %d" % level)
    text = text.replace("set time step = 0.01", "set time step = %g" % dt)
    text = text.replace("set end time  = 1", "set end time = %g" % end)
    text = text.replace("set directory         = output", "set directory = %s" % os.path.join(out, name))
    text = text.replace("set interval          = 20", "set interval = 0\n  set write fields = false")
    open(prm, "w").write(text)
    command = ["mpirun", "-np", str(np_ranks), hyfe, prm] if np_ranks > 1 else [hyfe, prm]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=out)
    last = read_csv(os.path.join(out, name, "stats.csv"))[-1]
    return last["u_l2_error"], last["p_l2_error"], int(last["cells"])


lines = []
ok = True


levels = [3, 4] if quick else [3, 4, 5]
space = []
for level in levels:
    eu, ep, cells = run(level, 0.002, 0.2 if quick else 1.0)
    space.append((2 * math.pi / 2 ** level, eu, ep))
lines.append("Space (dt = 0.002, t = %g): expected orders 3 (u) and 2 (p); asserted >= 2.7 and >= 1.8." % (0.2 if quick else 1.0))
lines.append("")
rows = space
lines.append("| h | u L2 error | order | p L2 error | order |")
lines.append("|---:|---:|---:|---:|---:|")
for i, (h, eu, ep) in enumerate(rows):
    if i == 0:
        lines.append("| %.4f | %.3e | | %.3e | |" % (h, eu, ep))
        continue
    ou = math.log(rows[i - 1][1] / eu) / math.log(rows[i - 1][0] / h)
    op = math.log(rows[i - 1][2] / ep) / math.log(rows[i - 1][0] / h)
    lines.append("| %.4f | %.3e | %.2f | %.3e | %.2f |" % (h, eu, ou, ep, op))
    ok = ok and ou >= 2.7 and op >= 1.8
lines.append("")

level = 5
steps = [0.2, 0.1] if quick else [0.2, 0.1, 0.05]
end = 1.0 if quick else 2.0
time_rows = [(dt,) + run(level, dt, end)[:2] for dt in steps]
lines.append("Time (level %d, t = %g, BDF2): expected order 2 (u); asserted >= 1.8." % (level, end))
lines.append("")
lines.append("| dt | u L2 error | order | p L2 error | order |")
lines.append("|---:|---:|---:|---:|---:|")
for i, (dt, eu, ep) in enumerate(time_rows):
    if i == 0:
        lines.append("| %g | %.3e | | %.3e | |" % (dt, eu, ep))
        continue
    ou = math.log(time_rows[i - 1][1] / eu) / math.log(time_rows[i - 1][0] / dt)
    op = math.log(time_rows[i - 1][2] / ep) / math.log(time_rows[i - 1][0] / dt)
    lines.append("| %g | %.3e | %.2f | %.3e | %.2f |" % (dt, eu, ou, ep, op))
    ok = ok and ou >= 1.8
lines.append("")
text = "\n".join(lines)
print(text)
if table_file:
    open(table_file, "w").write(text + "\n")
print("convergence orders %s" % ("as expected" if ok else "BELOW the bounds"))
sys.exit(0 if ok else 1)
