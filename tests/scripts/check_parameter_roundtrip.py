#!/usr/bin/python3
"""Round trip of the parameter reference: what `hyfe --print-parameters [prm|json]` prints is a
parameter file that hyfe reads back. The defaults leave the boundary conditions empty (the default
mesh has ids 0..3), so the test sets `dirichlet ids = 0, 1, 2, 3` and then requires
`hyfe --validate` to accept both the prm and the json reference (exit 0).
"""

import json
import os
import re

import hyfetest as ht


def main():
    args = ht.arguments(__doc__)
    checker = ht.Checker("parameter reference round trip")

    r = ht.run(args.mpirun, args.hyfe, ["--print-parameters", "prm"], np=1, cwd=args.work, timeout=60)
    checker.run_ok(r, "--print-parameters prm")
    text, n = re.subn(r"(?m)^(\s*set dirichlet ids\s*=).*$", r"\1 0, 1, 2, 3", r.stdout)
    checker.check(n == 1, "prm reference: one 'set dirichlet ids' entry (found %d)" % n)
    with open(os.path.join(args.work, "reference.prm"), "w") as f:
        f.write(text)
    r = ht.run(args.mpirun, args.hyfe, ["--validate", "reference.prm"], np=1, cwd=args.work, timeout=60)
    checker.check(r.returncode == 0, "prm reference (with dirichlet ids set) passes --validate", r.describe())

    r = ht.run(args.mpirun, args.hyfe, ["--print-parameters", "json"], np=1, cwd=args.work, timeout=60)
    checker.run_ok(r, "--print-parameters json")
    tree = json.loads(r.stdout)
    tree["advection diffusion"]["boundary conditions"]["dirichlet ids"]["value"] = "0, 1, 2, 3"
    with open(os.path.join(args.work, "reference.json"), "w") as f:
        json.dump(tree, f, indent=2)
    r = ht.run(args.mpirun, args.hyfe, ["--validate", "reference.json"], np=1, cwd=args.work, timeout=60)
    checker.check(r.returncode == 0, "json reference (with dirichlet ids set) passes --validate", r.describe())
    checker.finish()


if __name__ == "__main__":
    main()
