#!/usr/bin/python3
"""LibTorch build: `hyfe --version` prints the versions of hyfe, deal.II, PETSc and LibTorch (the ones
that CMake found, where given) and a passing LibTorch self-check (`self-check: ok`), once on 2 ranks.
"""

import re

import hyfetest as ht


def main():
    def extra(parser):
        parser.add_argument("--deal-ii-version", default="")
        parser.add_argument("--petsc-version", default="")
        parser.add_argument("--torch-version", default="")

    args = ht.arguments(__doc__, extra)
    checker = ht.Checker("--version")
    for np in (1, 2):
        r = ht.run(args.mpirun, args.hyfe, ["--version"], np=np, cwd=args.work, timeout=120)
        checker.run_ok(r, "--version on %d rank(s)" % np)
        out = r.stdout
        versions = {}
        for name in ("hyfe", "deal.II", "PETSc", "LibTorch"):
            found = re.findall(r"(?m)^%s (\d+\.\d+(?:\.\d+)?)\b" % re.escape(name), out)
            versions[name] = found[0] if found else None
            checker.check(len(found) == 1, "%d rank(s): prints the %s version once (%s)" % (np, name, found),
                          r.describe())
        checker.check(len(re.findall(r"self-check: ok\b", out)) == 1, "%d rank(s): 'self-check: ok' printed once" % np,
                      r.describe())
        checker.check("FAILED" not in out, "%d rank(s): no FAILED in the self-check" % np)
        expected = {"deal.II": args.deal_ii_version, "PETSc": args.petsc_version, "LibTorch": args.torch_version}
        for name, version in expected.items():
            version = version.strip(".")
            if version and versions[name]:
                # PETSc: major.minor only (deal.II records the PETSc it was configured with)
                parts = 2 if name == "PETSc" else 3
                a = versions[name].split(".")[:parts]
                b = version.split(".")[:parts]
                checker.check(a == b, "%d rank(s): %s version %s matches the one CMake found (%s)" %
                              (np, name, versions[name], version))
    checker.finish()


if __name__ == "__main__":
    main()
