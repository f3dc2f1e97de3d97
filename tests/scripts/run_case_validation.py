#!/usr/bin/env python3
"""Runs a case (its case.prm, on 2 ranks, output into the work folder) and then its validate.py on
that output; exits with validate.py's status. For the `long` label."""
import argparse
import os
import shutil
import subprocess
import sys

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--hyfe", required=True)
parser.add_argument("--mpirun", default="mpirun")
parser.add_argument("--case", required=True, help="the case folder")
parser.add_argument("--work", required=True)
parser.add_argument("--np", type=int, default=2)
args = parser.parse_args()
os.environ.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
os.environ.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
if os.path.isdir(args.work):
    shutil.rmtree(args.work)
os.makedirs(args.work)
text = open(os.path.join(args.case, "case.prm")).read()
text = text.replace("../../meshes/", os.path.join(os.path.dirname(os.path.abspath(args.case)), "..", "meshes") + "/")
output = os.path.join(args.work, "output")
prm = os.path.join(args.work, "case.prm")
open(prm, "w").write(text.replace("set directory         = output", "set directory = " + output))
status = subprocess.call([args.mpirun, "-np", str(args.np), args.hyfe, prm], cwd=args.work)
if status != 0:
    print("hyfe exited with status %d" % status)
    sys.exit(1)
sys.exit(subprocess.call([sys.executable, os.path.join(args.case, "validate.py"), output]))
