#!/usr/bin/env python3
"""Produces the meshes on which the learned mesh mover is trained and judged, by running hyfe's own
`monge-ampere` mover with 'training data file' set (each converged move appends its vertex graph, the
monitor at the vertices and the moved vertices: mover_data.py reads them).

Monitors are generic, after UM2N: m = 1 + sum_k a_k exp(-|R_k (x - c_k)|^2_{S_k}) (one to three
anisotropic Gaussians, amplitudes 1..8, widths 0.04..0.25) or a ring m = 1 + a exp(-((r - r0)/w)^2),
chosen at random from a fixed seed. The sets:

  train-n<N>       the unit square, N x N cells (N = 12, 16, 24, 32), a third of them with one level of
                   adaptive refinement near the monitor's features (hanging vertices)
  heldout-n<N>     mesh sizes not trained on (N = 20, 40), the same kinds of monitors (other seeds)
  heldout-dfg      the DFG 2D channel around the cylinder (meshes/dfg-2d.msh; the cylinder and the
                   corners stay), Gaussians in the wake

Usage: generate_mover_data.py [--hyfe build/hyfe] [--out learned/training/data/mover] [--seed 1]
Standard library only; run from the repository root. About 10 minutes on 2 cores.
"""
import argparse
import math
import os
import random
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def gaussians(rng, box):
    """A random sum of anisotropic Gaussians inside box = (x0, x1, y0, y1), as a muparser expression."""
    (x0, x1, y0, y1), terms = box, []
    size = max(x1 - x0, y1 - y0)
    for _ in range(rng.randint(1, 3)):
        cx, cy = rng.uniform(x0, x1), rng.uniform(y0, y1)
        sx, sy = (rng.uniform(0.04, 0.25) * size for _ in range(2))
        t = rng.uniform(0, math.pi)
        a = rng.uniform(1, 8)
        c, s = math.cos(t), math.sin(t)
        u = f"({c:.6f}*(x-{cx:.6f})+{s:.6f}*(y-{cy:.6f}))"
        v = f"(-{s:.6f}*(x-{cx:.6f})+{c:.6f}*(y-{cy:.6f}))"
        terms.append(f"{a:.4f}*exp(-({u}/{sx:.6f})^2-({v}/{sy:.6f})^2)")
    return "1+" + "+".join(terms)


def ring(rng):
    cx, cy = rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.7)
    r0, w, a = rng.uniform(0.1, 0.3), rng.uniform(0.03, 0.1), rng.uniform(1, 8)
    return f"1+{a:.4f}*exp(-((sqrt((x-{cx:.6f})^2+(y-{cy:.6f})^2)-{r0:.6f})/{w:.6f})^2)"


def parameters(mesh, monitor, data_file, hanging, output, dirichlet_ids="0"):
    adaptivity = "  set interval = 0\n"
    if hanging:
        adaptivity += (
            "  set initial refinement cycles = 1\n  set strategy = fixed-number\n"
            "  set refine fraction = 0.15\n  set coarsen fraction = 0\n  set maximum level = 1\n"
        )
    return f"""set dimension = 2
set physics   = advection-diffusion
subsection time
  set scheme        = steady
  set end time      = 1
  set steady solves = 1
end
subsection mesh
{mesh}
end
subsection adaptivity
{adaptivity}end
subsection mesh mover
  set type = monge-ampere
  subsection monge-ampere
    set monitor            = function
    set expression         = {monitor}
    set initial moves      = 0
    set pseudo time step   = 0.1
    set tolerance          = 1e-3
    set max iterations     = 2000
    set training data file = {data_file}
  end
end
subsection output
  set directory = {output}
  set interval  = 0
end
subsection advection diffusion
  set finite element degree = 1
  set advection velocity    = 0; 0
  set diffusivity           = 1
  set source                = 0
  set initial condition     = {monitor} - 1
  subsection boundary conditions
    set dirichlet ids   = {dirichlet_ids}
    set dirichlet value = 0
  end
end
"""


def square(n):
    return (
        "  set source              = generator\n  set generator           = subdivided_hyper_cube\n"
        f"  set generator arguments = {n} : 0 : 1 : false"
    )


def run(hyfe, prm_text, workdir):
    prm = os.path.join(workdir, "case.prm")
    with open(prm, "w") as f:
        f.write(prm_text)
    env = dict(os.environ, OMP_NUM_THREADS="1")
    r = subprocess.run([hyfe, prm], cwd=workdir, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit(f"hyfe failed on {prm}:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hyfe", default=os.path.join(ROOT, "build", "hyfe"))
    ap.add_argument("--out", default=os.path.join(ROOT, "learned", "training", "data", "mover"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-size", type=int, default=45, help="training samples per mesh size")
    ap.add_argument("--only", nargs="*", help="sets to make (default: all)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(args.seed)
    sets = {}
    for n in (12, 16, 24, 32):
        sets[f"train-n{n}"] = [(square(n), rng, n, i % 3 == 2) for i in range(args.per_size)]
    held = random.Random(args.seed + 1000)
    for n in (20, 40):
        sets[f"heldout-n{n}"] = [(square(n), held, n, i % 3 == 2) for i in range(12)]
    dfg_mesh = (
        "  set source = file\n  set file   = " + os.path.join(ROOT, "meshes", "dfg-2d.msh") + "\n"
        "  set global refinements = 1\n  set circle manifold = 4 : 0.2, 0.2"
    )
    sets["heldout-dfg"] = [(dfg_mesh, held, "dfg", False) for _ in range(8)]
    for name, runs in sets.items():
        if args.only and name not in args.only:
            continue
        data_file = os.path.join(args.out, name + ".bin")
        if os.path.exists(data_file):
            os.remove(data_file)
        for k, (mesh, generator, n, hanging) in enumerate(runs):
            if n == "dfg":
                monitor = gaussians(generator, (0.25, 1.2, 0.05, 0.36))
                ids = "1, 2, 3, 4"
            else:
                monitor = ring(generator) if generator.random() < 0.3 else gaussians(generator, (0.1, 0.9, 0.1, 0.9))
                ids = "0"
            with tempfile.TemporaryDirectory() as work:
                run(args.hyfe, parameters(mesh, monitor, data_file, hanging, os.path.join(work, "out"), ids), work)
            print(f"{name} {k + 1}/{len(runs)}", flush=True)
    print("data in", args.out)


if __name__ == "__main__":
    main()
