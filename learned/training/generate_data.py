#!/usr/bin/env python3
"""Produces the linear systems on which learned-ic is trained and judged, by running hyfe.

Each system is a short hyfe run (one time step) with `dump matrices at steps = 1`, which writes the
matrix and right-hand side in PETSc's binary format (read by petsc_binary.py). The sets:

  dfg-2d-2-ref<k>   pressure Poisson matrix of cases/dfg-2d-2 with k global refinements of the
                    DFG mesh (k = 0, 1, 2: training; k = 3, 4: held-out refinement levels)
  cavity-ref<k>     pressure Poisson matrix of the lid-driven cavity (unit square, k global
                    refinements): held-out geometry
  varcoef-ref<k>    steady diffusion -div(kappa grad c) = 1 with kappa = exp(2 sin(2 pi x) cos(3 pi y))
                    (a 54x contrast), Q1 on the unit square: held-out variable coefficient

Usage: generate_data.py [--hyfe build/hyfe] [--out learned/training/data] [--ranks 1] [--only NAME ...]
Standard library only; run from the repository root. About 1 minute on 2 cores.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def dfg(refinements):
    text = open(os.path.join(ROOT, "cases", "dfg-2d-2", "case.prm")).read()
    # the uniform dfg-2d mesh, whatever the case's own (graded) mesh: the shipped model's training data
    text = re.sub(r"\.\./\.\./meshes/dfg-2d[-a-z]*\.msh", os.path.join(ROOT, "meshes", "dfg-2d.msh"), text)
    text = re.sub(r"set global refinements = \d+", "set global refinements = %d" % refinements, text)
    text = re.sub(r"set end time  = [0-9.e-]+", "set end time  = 0.001", text)
    text = re.sub(r"set time step = [0-9.e-]+", "set time step = 0.001", text)
    text = text.replace("set adaptive time step = true", "set adaptive time step = false")
    text = text.replace(
        "  subsection pressure solver\n", "  subsection pressure solver\n    set dump matrices at steps = 1\n"
    )
    return text


def cavity(refinements):
    text = open(os.path.join(ROOT, "cases", "cavity-re100", "case.prm")).read()
    text = re.sub(r"set global refinements  = \d+", "set global refinements  = %d" % refinements, text)
    text = re.sub(r"set end time  = [0-9.e-]+", "set end time  = 0.001", text)
    text = re.sub(r"set time step = [0-9.e-]+", "set time step = 0.001", text)
    text = text.replace("set adaptive time step = true", "set adaptive time step = false")
    text = text.replace(
        "  subsection profiles",
        "  subsection pressure solver\n    set dump matrices at steps = 1\n  end\n  subsection profiles",
    )
    return text


def varcoef(refinements):
    return """set dimension = 2
set physics   = advection-diffusion
subsection time
  set scheme = steady
end
subsection mesh
  set source              = generator
  set generator           = hyper_cube
  set generator arguments = 0 : 1 : true
  set global refinements  = %d
end
subsection output
  set directory = output
  set interval  = 0
end
subsection advection diffusion
  set finite element degree = 1
  set advection velocity    = 0; 0
  set diffusivity           = exp(2*sin(2*pi*x)*cos(3*pi*y))
  set source                = 1
  subsection boundary conditions
    set dirichlet ids = 0, 1, 2, 3
  end
  subsection linear solver
    set dump matrices at steps = 1
  end
end
""" % refinements


SETS = {
    "dfg-2d-2-ref0": (dfg, 0, "pressure_step1.petsc"),
    "dfg-2d-2-ref1": (dfg, 1, "pressure_step1.petsc"),
    "dfg-2d-2-ref2": (dfg, 2, "pressure_step1.petsc"),
    "dfg-2d-2-ref3": (dfg, 3, "pressure_step1.petsc"),
    "dfg-2d-2-ref4": (dfg, 4, "pressure_step1.petsc"),
    "cavity-ref6": (cavity, 6, "pressure_step1.petsc"),
    "varcoef-ref7": (varcoef, 7, "c_step1.petsc"),
    "varcoef-ref8": (varcoef, 8, "c_step1.petsc"),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hyfe", default=os.path.join(ROOT, "build", "hyfe"))
    parser.add_argument("--out", default=os.path.join(ROOT, "learned", "training", "data"))
    parser.add_argument("--ranks", type=int, default=1)
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    os.makedirs(args.out, exist_ok=True)
    for name, (make, refinements, dumped) in SETS.items():
        if args.only and name not in args.only:
            continue
        work = os.path.join(args.out, "run-" + name)
        os.makedirs(work, exist_ok=True)
        with open(os.path.join(work, "case.prm"), "w") as f:
            f.write(make(refinements))
        command = ["mpirun", "-np", str(args.ranks), os.path.abspath(args.hyfe), "case.prm"]
        run = subprocess.run(command, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if run.returncode != 0:
            sys.exit("%s failed (exit %d):\n%s" % (name, run.returncode, run.stdout[-3000:]))
        source = os.path.join(work, "output", dumped)
        target = os.path.join(args.out, name + ".petsc")
        shutil.copyfile(source, target)
        print("%-16s %s (%d bytes)" % (name, os.path.relpath(target, ROOT), os.path.getsize(target)))
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
