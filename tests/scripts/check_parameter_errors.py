#!/usr/bin/python3
"""Parameter errors: bad input is reported clearly, once, before any computation, on N ranks.

For each bad parameter file, `hyfe case.prm` (and for three of them `hyfe --validate case.prm`) must
  - exit with status 1 (hyfe's documented status for bad input) within the timeout (no hang),
  - print the expected message (file, line, entry, valid values, ...) exactly once (rank 0 only),
    without a stack trace,
  - compute nothing: no stats.csv and no output folder.
A good file must pass --validate (exit 0, "is valid") and --validate must not compute either.
"""

import os
import re

import hyfetest as ht

GOOD = {
    "dimension": 2,
    "time": {"end time": 0.1, "time step": 0.05, "scheme": "bdf2"},
    "mesh": {"source": "generator", "generator": "hyper_cube", "generator arguments": "0 : 1 : false",
             "global refinements": 2},
    "output": {"directory": "output", "write fields": False},
    "advection diffusion": {
        "finite element degree": 1,
        "diffusivity": "1",
        "initial condition": "sin(pi*x)*sin(pi*y)",
        "boundary conditions": {"dirichlet ids": "0", "dirichlet value": "0"},
        "linear solver": {"preconditioner": {"type": "jacobi"}},
    },
}

# a small Navier-Stokes case (lid-driven cavity, 4 x 4 Q2/Q1 cells; colorized ids 0..3)
GOOD_NS = {
    "dimension": 2,
    "physics": "navier-stokes",
    "time": {"end time": 0.1, "time step": 0.05, "scheme": "bdf2"},
    "mesh": {"source": "generator", "generator": "hyper_cube", "generator arguments": "0 : 1 : true",
             "global refinements": 2},
    "output": {"directory": "output", "write fields": False},
    "navier stokes": {
        "viscosity": 0.01,
        "boundary conditions": {"velocity ids": "3", "velocity value": "1; 0", "no-slip ids": "0, 1, 2"},
    },
}


VALIDATE_TOO = ("misspelled_entry", "unknown_preconditioner", "unknown_boundary_id")


def line_of(text, needle):
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    raise ValueError(needle)


def cases():
    """(name, settings or raw text, list of (description, regex) that the message must match)."""
    out = []

    # (a) a misspelled entry: file, line, entry and the suggestion
    text = ht.prm_text(GOOD).replace("set diffusivity = 1", "set difusivity = 1")
    line = line_of(text, "set difusivity")
    out.append(("misspelled_entry", text, [
        ("names the file", r"misspelled_entry\.prm"),
        ("names the line %d" % line, r"[Ll]ine\D{0,3}%d\b" % line),
        ("names the entry 'difusivity'", r"difusivity"),
        ("suggests 'diffusivity'", r"(?i)did you mean\W+diffusivity\b"),
    ]))

    # (a') a misspelled subsection
    text = ht.prm_text(GOOD).replace("subsection boundary conditions", "subsection boundary condition")
    line = line_of(text, "subsection boundary condition")
    out.append(("misspelled_subsection", text, [
        ("names the file", r"misspelled_subsection\.prm"),
        ("names the line %d" % line, r"[Ll]ine\D{0,3}%d\b" % line),
        ("names the subsection", r"boundary condition\b"),
        ("suggests 'boundary conditions'", r"(?i)did you mean\W+boundary conditions\b"),
    ]))

    # (b) values out of range / not a number: the entry and its valid range
    out.append(("degree_out_of_range", ht.merge(GOOD, {"advection diffusion": {"finite element degree": 5}}), [
        ("names the file", r"degree_out_of_range\.prm"),
        ("names the entry", r"finite element degree"),
        ("names the bad value 5", r"\b5\b"),
        ("gives the valid range 1..2", r"1\s*(\.\.\.?|,|-|to)\s*2"),
    ]))
    out.append(("degree_not_a_number", ht.merge(GOOD, {"advection diffusion": {"finite element degree": "two"}}), [
        ("names the entry", r"finite element degree"),
        ("names the bad value", r"\btwo\b"),
        ("gives the valid range 1..2", r"1\s*(\.\.\.?|,|-|to)\s*2"),
    ]))
    out.append(("time_step_not_a_number", ht.merge(GOOD, {"time": {"time step": "fast"}}), [
        ("names the entry", r"time step"),
        ("names the bad value", r"\bfast\b"),
        ("says a number is expected", r"(?i)double|number|real"),
    ]))

    # (c) an unknown preconditioner: the valid choices, generated from the registry
    names = ["jacobi", "ssor", "block-icc", "block-ilu", "boomeramg", "gamg", "direct"]
    out.append(("unknown_preconditioner",
                ht.merge(GOOD, {"advection diffusion": {"linear solver": {"preconditioner": {"type": "amg"}}}}),
                [("names the entry 'type'", r"\btype\b"), ("names the bad value 'amg'", r"\bamg\b")] +
                [("lists the valid choice '%s'" % n, r"(?<![\w-])%s(?![\w-])" % re.escape(n)) for n in names]))

    # (d) a missing mesh file
    out.append(("missing_mesh_file", ht.merge(GOOD, {"mesh": {"source": "file", "file": "nothere.msh"}}), [
        ("names the mesh file", r"nothere\.msh"),
        ("names the entry mesh/file", r"mesh/file|\bfile\b"),
    ]))

    # (e) a boundary id that the mesh does not have (hyper_cube 0:1:false has only id 0)
    out.append(("unknown_boundary_id",
                ht.merge(GOOD, {"advection diffusion": {"boundary conditions": {"dirichlet ids": "0, 7"}}}), [
                    ("names the entry", r"dirichlet ids"),
                    ("names the id 7", r"\b7\b"),
                    ("names the mesh's ids {0}", r"\{0\}|\b0\b"),
                ]))
    # (e') a mesh boundary id without a condition (colorized cube: ids 0..3)
    out.append(("boundary_id_without_condition",
                ht.merge(GOOD, {"mesh": {"generator arguments": "0 : 1 : true"},
                                "advection diffusion": {"boundary conditions": {"dirichlet ids": "0, 1"}}}), [
                    ("names the ids without a condition", r"\{2, 3\}|2, 3"),
                ]))
    # an expression with a syntax error: the entry
    out.append(("bad_expression", ht.merge(GOOD, {"advection diffusion": {"diffusivity": "1 + sin(x"}}), [
        ("names the entry", r"diffusivity"),
        ("quotes the expression", r"1 \+ sin\(x"),
    ]))
    return out


def main():
    args = ht.arguments(__doc__, lambda p: p.add_argument("--np", type=int, default=1))
    checker = ht.Checker("parameter errors on %d rank(s)" % args.np)
    timeout = 90

    for name, settings, expectations in cases():
        # every case as a run; --validate too for one error of each phase (parsing, modules, mesh)
        for mode in ("run", "validate") if name in VALIDATE_TOO else ("run",):
            folder = os.path.join(args.work, "%s_%s" % (name, mode))
            os.makedirs(folder)
            prm = "%s.prm" % name
            with open(os.path.join(folder, prm), "w") as f:
                f.write(settings if isinstance(settings, str) else ht.prm_text(settings))
            r = ht.run(args.mpirun, args.hyfe, ([prm] if mode == "run" else ["--validate", prm]), np=args.np,
                       cwd=folder, timeout=timeout)
            what = "%s (%s, %d rank(s))" % (name, mode, args.np)
            checker.check(not r.timed_out, "%s: exits within %d s (no hang)" % (what, timeout), r.describe())
            checker.check(r.returncode == 1, "%s: exit status 1 (got %s)" % (what, r.returncode), r.describe())
            # hyfe's own lines start with "hyfe: "; the error must be one of them, printed once
            lines = [l for l in r.output.splitlines() if l.startswith("hyfe: ")]
            message = "\n".join(l for l in r.output.splitlines() if not l.startswith(("---", "mpirun", "Primary",
                                                                                      "  Process", "  Exit")))
            for description, pattern in expectations:
                checker.check(re.search(pattern, message) is not None,
                              "%s: message %s" % (what, description), "pattern %r\n%s" % (pattern, r.describe()))
            key = re.compile(expectations[0][1])
            n_key = sum(1 for l in lines if key.search(l))
            checker.check(n_key == 1 and len(lines) == 1,
                          "%s: the error is printed once (%d 'hyfe:' line(s), %d with the message)" %
                          (what, len(lines), n_key), r.describe())
            checker.check("Stacktrace" not in r.output and "An error occurred in line" not in r.output,
                          "%s: no stack trace" % what, r.describe())
            computed = [p for p in ("output", "output/stats.csv") if os.path.exists(os.path.join(folder, p))]
            checker.check(not computed, "%s: nothing computed (no %s)" % (what, ", ".join(computed) or "output/"))

    # a good file passes --validate, and --validate computes nothing
    folder = os.path.join(args.work, "good")
    os.makedirs(folder)
    ht.write_prm(os.path.join(folder, "good.prm"), GOOD)
    r = ht.run(args.mpirun, args.hyfe, ["--validate", "good.prm"], np=args.np, cwd=folder, timeout=timeout)
    checker.check(r.returncode == 0 and not r.timed_out, "good file: --validate exits 0", r.describe())
    checker.check(r.output.count("is valid") == 1, "good file: 'is valid' printed once", r.describe())
    checker.check(not os.path.exists(os.path.join(folder, "output")), "good file: --validate computes nothing")
    # and runs
    r = ht.run(args.mpirun, args.hyfe, ["good.prm"], np=args.np, cwd=folder, timeout=timeout)
    checker.run_ok(r, "good file: run")
    checker.check(os.path.isfile(os.path.join(folder, "output", "stats.csv")), "good file: run writes stats.csv")

    # usage errors: a missing file and an unknown option
    r = ht.run(args.mpirun, args.hyfe, ["does-not-exist.prm"], np=args.np, cwd=folder, timeout=timeout)
    checker.check(r.returncode == 1 and r.output.count("does-not-exist.prm") == 1,
                  "missing parameter file: exit 1 and the file named once", r.describe())
    r = ht.run(args.mpirun, args.hyfe, ["--frobnicate"], np=args.np, cwd=folder, timeout=timeout)
    checker.check(r.returncode == 1 and r.output.count("--frobnicate") == 1,
                  "unknown option: exit 1 and the option named once", r.describe())
    checker.finish()


if __name__ == "__main__":
    main()
