#!/usr/bin/python3
"""Output read back with VTK: runs a small hyfe case on 2 ranks with field output and hands the
output folder to the C++ checker (tests/vtk/check_vtk_output.cc, linked with VTK), which reads the
.pvd and every .pvtu with vtkXMLPUnstructuredGridReader and checks them against stats.csv.

The case: c = exp(-d pi^2 kappa t) prod sin(pi (x_i - b_i t)) (a solution of c_t + b.grad c =
kappa lap c) on the unit square (cube), 8 x 8 (x 8) cells, 7 steps of 0.01 with output every 3 steps:
records at steps 0, 3, 6 and 7 (the end). Cases:
  q1_groups1, q1_groups2, q2_groups1, q2_groups2: 2D, degree 1 or 2, `output/groups` 1 or 2;
  q2_3d: 3D, degree 2, groups 2;
  q1_amr: 2D, degree 1, adaptivity every 3 steps (so steps 3 and 6 adapt and write output) and one
          initial refinement cycle: the record of a step must show the mesh of that step, i.e. its
          cell count must be stats.csv's `cells` of the same step.
"""

import os
import subprocess

import hyfetest as ht

CASES = {
    "q1_groups1": dict(dim=2, degree=1, groups=1, amr=False),
    "q1_groups2": dict(dim=2, degree=1, groups=2, amr=False),
    "q2_groups1": dict(dim=2, degree=2, groups=1, amr=False),
    "q2_groups2": dict(dim=2, degree=2, groups=2, amr=False),
    "q2_3d": dict(dim=3, degree=2, groups=2, amr=False),
    "q1_amr": dict(dim=2, degree=1, groups=1, amr=True),
}
STEPS, DT, INTERVAL, REFINEMENTS = 7, 0.01, 3, 3


def settings(dim, degree, groups, amr):
    if dim == 2:
        exact = "exp(-2*pi^2*kappa*t)*sin(pi*(x-bx*t))*sin(pi*(y-by*t))"
        constants = "kappa=0.05, bx=1, by=0.5"
        velocity = "bx; by"
    else:
        exact = "exp(-3*pi^2*kappa*t)*sin(pi*(x-bx*t))*sin(pi*(y-by*t))*sin(pi*(z-bz*t))"
        constants = "kappa=0.05, bx=1, by=0.5, bz=0.25"
        velocity = "bx; by; bz"
    s = {
        "dimension": dim,
        "time": {"end time": STEPS * DT, "time step": DT, "scheme": "bdf2"},
        "mesh": {"generator": "hyper_cube", "generator arguments": "0 : 1 : false",
                 "global refinements": REFINEMENTS if dim == 2 else 2},
        "output": {"directory": "output", "base name": "solution", "interval": INTERVAL, "groups": groups,
                   "progress interval": 1000},
        "advection diffusion": {
            "finite element degree": degree,
            "function constants": constants,
            "advection velocity": velocity,
            "diffusivity": "kappa",
            "initial condition": exact,
            "exact solution": exact,
            "boundary conditions": {"dirichlet ids": "0", "dirichlet value": exact},
            "linear solver": {"relative tolerance": 1e-12, "preconditioner": {"type": "boomeramg"}},
        },
    }
    if amr:
        s["adaptivity"] = {"interval": INTERVAL, "strategy": "fixed-number", "refine fraction": 0.3,
                           "coarsen fraction": 0.1, "minimum level": 2, "maximum level": 5,
                           "initial refinement cycles": 1}
    return s, exact, constants


def main():
    def extra(parser):
        parser.add_argument("--checker", required=True, help="the check_vtk_output executable")
        parser.add_argument("--case", required=True, choices=sorted(CASES))

    args = ht.arguments(__doc__, extra)
    case = CASES[args.case]
    checker = ht.Checker("VTK output, case %s" % args.case)
    np = 2

    prm, exact, constants = settings(**case)
    ht.write_prm(os.path.join(args.work, "case.prm"), prm)
    r = ht.run(args.mpirun, args.hyfe, ["case.prm"], np=np, cwd=args.work, timeout=240)
    if not checker.run_ok(r, "hyfe run (%d ranks)" % np):
        checker.finish()

    steps = sorted(set(list(range(0, STEPS + 1, INTERVAL)) + [STEPS]))
    command = [args.checker, "--dir", os.path.join(args.work, "output"), "--degree", str(case["degree"]),
               "--dim", str(case["dim"]), "--ranks", str(np), "--groups", str(case["groups"]),
               "--steps", ",".join(str(s) for s in steps), "--start", "0", "--dt", repr(DT),
               "--exact", exact, "--constants", constants]
    if not case["amr"]:
        command += ["--level", str(REFINEMENTS if case["dim"] == 2 else 2)]
    print("running: " + " ".join("'%s'" % c if " " in c else c for c in command), flush=True)
    result = subprocess.run(command, capture_output=True, text=True, timeout=240)
    print(result.stdout + result.stderr, flush=True)
    checker.check(result.returncode == 0, "check_vtk_output passes (exit status %d)" % result.returncode)
    checker.finish()


if __name__ == "__main__":
    main()
