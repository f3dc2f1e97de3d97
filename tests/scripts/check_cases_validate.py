#!/usr/bin/python3
"""Cases validate: every cases/*/case.prm passes `hyfe --validate case.prm` run from its own folder
(exit status 0, "is valid"), and --validate writes nothing into the case folder.
"""

import glob
import os

import hyfetest as ht


def snapshot(folder):
    return sorted(os.path.relpath(os.path.join(root, n), folder) for root, _, names in os.walk(folder) for n in names)


def main():
    args = ht.arguments(__doc__, lambda p: p.add_argument("--cases", required=True, help="the cases/ folder"))
    checker = ht.Checker("cases validate")
    files = sorted(glob.glob(os.path.join(args.cases, "*", "case.prm")))
    checker.check(len(files) > 0, "found %d case(s) in %s" % (len(files), args.cases))
    for f in files:
        folder = os.path.dirname(f)
        name = os.path.basename(folder)
        before = snapshot(folder)
        r = ht.run(args.mpirun, args.hyfe, ["--validate", "case.prm"], np=1, cwd=folder, timeout=120)
        checker.check(r.returncode == 0 and "is valid" in r.stdout, "%s: --validate case.prm exits 0" % name,
                      r.describe())
        checker.check(snapshot(folder) == before, "%s: --validate writes nothing into the case folder" % name)
    checker.finish()


if __name__ == "__main__":
    main()
