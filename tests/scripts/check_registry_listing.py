#!/usr/bin/python3
"""Registry listing: --list-modules, --print-parameters (prm and json) show the registered modules.

  - `hyfe --list-modules` lists the 7 classical preconditioners, learned-ic (learned) and `none` for the mesh mover and
    the closure model, each with kind `classical` and a description; printed once on 2 ranks;
  - `hyfe --print-parameters` has, in `subsection preconditioner`, the entry `type` (default
    boomeramg) whose valid values are a Selection of exactly the registered names (likewise for the
    mesh mover and closure model), and one subsection per module;
  - `hyfe --print-parameters json` is valid JSON with the same Selection;
  - `hyfe --print-parameters xml` is refused with exit status 1.
"""

import json
import re

import hyfetest as ht

PRECONDITIONERS = ["jacobi", "ssor", "block-icc", "block-ilu", "boomeramg", "gamg", "direct"]
LINE = re.compile(r"^(preconditioner|mesh mover|closure model)\s+(\S+)\s+(classical|learned)\s+(\S.*)$")


def selection(pattern_description):
    """The names of a deal.II '[Selection a|b|c ]' pattern description."""
    m = re.search(r"\[Selection\s+([^\]]*?)\s*\]", pattern_description)
    return m.group(1).split("|") if m else None


def prm_blocks(text):
    """{subsection path: [(documentation lines, entry, default)]} of the annotated prm reference."""
    blocks, stack, comments = {}, [], []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            comments.append(line[1:].strip())
        elif line.startswith("subsection "):
            stack.append(line[len("subsection "):].strip())
            comments = []
        elif line == "end":
            stack.pop()
            comments = []
        elif line.startswith("set "):
            name, _, value = line[4:].partition("=")
            blocks.setdefault("/".join(stack), []).append((comments, name.strip(), value.strip()))
            comments = []
    return blocks


def main():
    args = ht.arguments(__doc__)
    checker = ht.Checker("registry listing")

    # --list-modules, on 1 and 2 ranks
    for np in (1, 2):
        r = ht.run(args.mpirun, args.hyfe, ["--list-modules"], np=np, cwd=args.work, timeout=60)
        checker.run_ok(r, "--list-modules on %d rank(s)" % np)
        rows = [LINE.match(l) for l in r.stdout.splitlines()[1:] if l.strip()]
        checker.check(all(rows), "--list-modules (%d ranks): every line is 'system name kind description'" % np,
                      r.describe(40))
        rows = [m.groups() for m in rows if m]
        names = [(s, n) for s, n, _, _ in rows]
        checker.check(len(names) == len(set(names)), "--list-modules (%d ranks): each module listed once" % np,
                      r.describe(40))
        if np == 2:
            continue
        listed = {}
        for system, name, kind, description in rows:
            listed.setdefault(system, {})[name] = (kind, description)
        for name in PRECONDITIONERS:
            kind = listed.get("preconditioner", {}).get(name, (None,))[0]
            checker.check(kind == "classical", "--list-modules: preconditioner '%s' is listed, kind classical "
                          "(got %s)" % (name, kind))
        kind = listed.get("preconditioner", {}).get("learned-ic", (None,))[0]
        checker.check(kind == "learned", "--list-modules: preconditioner 'learned-ic' is listed, kind learned "
                      "(got %s)" % kind)
        for system in ("mesh mover", "closure model"):
            kind = listed.get(system, {}).get("none", (None,))[0]
            checker.check(kind == "classical", "--list-modules: %s 'none' is listed, kind classical (got %s)" %
                          (system, kind))
        checker.check(r.stdout.splitlines()[0].split()[:3] == ["system", "name", "kind"],
                      "--list-modules: header 'system name kind description'", r.describe(40))

    registered = {s: [n for n in listed.get(s, {})] for s in ("preconditioner", "mesh mover", "closure model")}

    # --print-parameters (prm)
    r = ht.run(args.mpirun, args.hyfe, ["--print-parameters"], np=1, cwd=args.work, timeout=60)
    checker.run_ok(r, "--print-parameters")
    blocks = prm_blocks(r.stdout)
    for path, system, default in [("advection diffusion/linear solver/preconditioner", "preconditioner", "boomeramg"),
                                  ("mesh mover", "mesh mover", "none"), ("closure model", "closure model", "none")]:
        entries = {name: (docs, value) for docs, name, value in blocks.get(path, [])}
        checker.check("type" in entries, "--print-parameters: subsection '%s' has the entry 'type'" % path)
        if "type" not in entries:
            continue
        docs, value = entries["type"]
        checker.check(value == default, "--print-parameters: %s/type defaults to '%s' (got '%s')" % (path, default, value))
        valid = None
        for d in docs:
            if d.startswith("valid:"):
                valid = selection(d)
        checker.check(valid == registered[system],
                      "--print-parameters: %s/type valid values %s are the registered %s modules %s" %
                      (path, valid, system, registered[system]))
        if system == "preconditioner":
            checker.check(valid is not None and sorted(valid) == sorted(PRECONDITIONERS + ["learned-ic"]),
                          "--print-parameters: the preconditioner Selection has the 7 classical names and learned-ic")
            fallback = [selection(d) for d in entries.get("fallback", ([], None))[0] if d.startswith("valid:")]
            checker.check(fallback and sorted(fallback[0]) == sorted(PRECONDITIONERS),
                          "--print-parameters: the fallback Selection has exactly the 7 classical names (got %s)"
                          % fallback)
            for name in PRECONDITIONERS:  # every classical preconditioner has options
                checker.check(path + "/" + name in blocks,
                              "--print-parameters: subsection %s/%s with the module's options" % (path, name))

    # --print-parameters json
    r = ht.run(args.mpirun, args.hyfe, ["--print-parameters", "json"], np=1, cwd=args.work, timeout=60)
    checker.run_ok(r, "--print-parameters json")
    try:
        tree = json.loads(r.stdout)
        checker.check(True, "--print-parameters json: valid JSON (json.loads)")
    except ValueError as e:
        tree = None
        checker.check(False, "--print-parameters json: valid JSON (json.loads): %s" % e, r.stdout[:2000])
    if tree is not None:
        try:
            entry = tree["advection diffusion"]["linear solver"]["preconditioner"]["type"]
            valid = selection(entry["pattern_description"])
            checker.check(valid == registered["preconditioner"] and entry["default_value"] == "boomeramg",
                          "--print-parameters json: preconditioner type Selection %s = registry, default %s" %
                          (valid, entry["default_value"]))
            checker.check("strong threshold" in tree["advection diffusion"]["linear solver"]["preconditioner"]
                          ["boomeramg"], "--print-parameters json: boomeramg's own options are listed")
            for system in ("mesh mover", "closure model"):
                valid = selection(tree[system]["type"]["pattern_description"])
                checker.check(valid == registered[system], "--print-parameters json: %s type Selection %s" %
                              (system, valid))
        except (KeyError, TypeError) as e:
            checker.check(False, "--print-parameters json: the expected entries exist (%r)" % e)

    r = ht.run(args.mpirun, args.hyfe, ["--print-parameters", "xml"], np=1, cwd=args.work, timeout=60)
    checker.check(r.returncode == 1 and "xml" in r.output, "--print-parameters xml: refused with exit status 1",
                  r.describe())
    checker.finish()


if __name__ == "__main__":
    main()
