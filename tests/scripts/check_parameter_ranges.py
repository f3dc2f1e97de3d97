#!/usr/bin/python3
"""Parameter ranges: every numeric range that a help string documents is enforced by `hyfe --validate`.

The entries come from `hyfe --print-parameters json`, so a new entry is tested without touching this
script. For every entry whose documentation states a range ('> a', '>= a', '< b', '<= b', 'in [a, b]',
'in (a, b]', ..., or 'a or b' for an integer), except expressions (pattern [Anything]) and lists of
boundary ids (checked against the mesh by other tests):
  - the documented range agrees with the bounds of the deal.II pattern where the pattern has bounds
    (for an integer, '> 0' is the same as a pattern from 1; a pattern cannot express a strict bound,
    which is then enforced by hyfe's own check);
  - values just outside each bound (for '> 0': 0 and -1; for '>= 0': -1 or -0.5; for 'in [a, b]':
    a - 1 and b + 1, or a - 0.1 (b - a + 1) and b + 0.1 (b - a + 1) for a real) are rejected: a good
    base parameter file with only that entry changed gives exit status 1 and one 'hyfe:' message that
    names the entry (its path or at least its last name) and the range (the bound as '> 0', '[0, 1]',
    '0...1', ...);
  - a value inside, at each closed bound or next to each open one, is accepted (exit status 0); the
    inside values of one base file are tried together first, one by one only when that fails.
Entries of `subsection navier stokes` are tried on a small Navier-Stokes file, all others on a small
advection-diffusion file. The options of a module are parse-time values: they are checked whether or
not the module is selected. An entry that repeats another one (the same subsection name, entry name,
documentation and pattern in a subsection that declares the same, e.g. a preconditioner's options
under each linear solver) is tried only with the outside values that its pattern lets through (the
others are refused by the check of every 'set' line against the pattern, which the first declaration
tries), unless --full is given.

hyfe is run directly (an MPI singleton) when that gives the same answers as `mpirun -np 1`, which is
checked first, and --jobs runs at once (default 2).
"""

import concurrent.futures
import json
import math
import os
import re
import time

import hyfetest as ht

# the advection-diffusion base (as check_parameter_errors.py's GOOD): every global entry and every
# entry outside `subsection navier stokes` is tried on it
from check_parameter_errors import GOOD as AD_BASE  # noqa: E402
# a tiny lid-driven cavity (as cases/cavity-re100, 4 x 4 cells): the entries of `subsection navier stokes`
from check_parameter_errors import GOOD_NS as NS_BASE  # noqa: E402
BASES = {"advection-diffusion": AD_BASE, "navier-stokes": NS_BASE}

# inside values that need another entry to change with them to make a valid file: constraints between
# entries, not ranges (checked by --validate; these are its messages for the base files)
COMPANIONS = {
    # "expected 3 component(s) separated by ';', found 2 in '0; 0'"
    ("dimension", "3"): {"advection diffusion": {"advection velocity": "0; 0; 0"}},
    # "entry 'adaptivity/minimum level' (30) exceeds 'adaptivity/maximum level' (10)"
    ("adaptivity/minimum level", "30"): {"adaptivity": {"maximum level": 30}},
    # "entries 'adaptivity/refine fraction' + 'adaptivity/coarsen fraction' must not exceed 1"
    ("adaptivity/refine fraction", "1"): {"adaptivity": {"coarsen fraction": 0}},
    ("adaptivity/coarsen fraction", "1"): {"adaptivity": {"refine fraction": 0}},
}
# inside values that stand in for a bound that --validate refuses for another reason: 20 global
# refinements of the unit square make 4^20 = 1.1e12 cells, which its memory estimate refuses
INSIDE_INSTEAD = {
    ("mesh/global refinements", "upper"): "4",
}

NUM = r"[-+]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?"
DOC_INTERVAL = re.compile(r"\bin\s*([\[(])\s*(%s)\s*,\s*(%s)\s*([\])])" % (NUM, NUM))
DOC_COMPARE = re.compile(r"(?<![<>=!|])(>=|<=|>|<|\u2265|\u2264)\s*(%s)(?![\w])" % NUM)
DOC_OR = re.compile(r"(?<![\w.])(\d+)(?:\s*\([^)]*\))?\s+or\s+(\d+)(?![\w]|\.\d)")
INT_LIMITS = (-2147483648, 2147483647)
# units that the guide asks every help string of a number to state
UNIT = re.compile(r"(?i)\b(unitless|units?|steps?|iterations?|percent|length|time|concentration|1/time)\b")


class Range:
    """A documented range: lower/upper bound (None: unbounded) and whether each is strict."""

    def __init__(self, text):
        self.text = text
        self.lo = self.hi = None
        self.lo_open = self.hi_open = False
        self.problems = []

    def set_lo(self, value, strict):
        if self.lo is not None and (self.lo, self.lo_open) != (value, strict):
            self.problems.append("two lower bounds")
        self.lo, self.lo_open = value, strict

    def set_hi(self, value, strict):
        if self.hi is not None and (self.hi, self.hi_open) != (value, strict):
            self.problems.append("two upper bounds")
        self.hi, self.hi_open = value, strict

    def inclusive_int(self):
        """The same range as inclusive integer bounds."""
        lo = None if self.lo is None else (math.floor(self.lo) + 1 if self.lo_open else math.ceil(self.lo))
        hi = None if self.hi is None else (math.ceil(self.hi) - 1 if self.hi_open else math.floor(self.hi))
        return lo, hi

    def contains(self, v):
        if self.lo is not None and (v < self.lo or (self.lo_open and v == self.lo)):
            return False
        if self.hi is not None and (v > self.hi or (self.hi_open and v == self.hi)):
            return False
        return True


def parse_doc_range(doc, kind):
    """The range that documentation @p doc states, or None."""
    r = Range("")
    texts = []
    rest = doc
    for m in DOC_INTERVAL.finditer(doc):
        texts.append(m.group(0))
        r.set_lo(float(m.group(2)), m.group(1) == "(")
        r.set_hi(float(m.group(3)), m.group(4) == ")")
        rest = rest.replace(m.group(0), " ")
    for m in DOC_COMPARE.finditer(rest):
        texts.append(m.group(0))
        op, value = m.group(1), float(m.group(2))
        if op in (">", ">=", "\u2265"):
            r.set_lo(value, op == ">")
        else:
            r.set_hi(value, op == "<")
    if not texts and kind == "int":
        m = DOC_OR.search(doc)
        if m and int(m.group(2)) == int(m.group(1)) + 1:
            texts.append(m.group(0))
            r.set_lo(float(m.group(1)), False)
            r.set_hi(float(m.group(2)), False)
    if not texts:
        return None
    r.text = "; ".join(texts)
    if r.lo is not None and r.hi is not None and not r.lo < r.hi:
        r.problems.append("empty range")
    return r


def parse_pattern(description):
    """(kind 'int'/'double'/None, lower, upper, is_list) of a deal.II pattern description; None: unbounded."""
    m = re.match(r"^\[List of <(\[.*\])> of length .*\]$", description)
    if m:
        kind, lo, hi, _ = parse_pattern(m.group(1))
        return kind, lo, hi, True
    kind = "int" if description.startswith("[Integer") else "double" if description.startswith("[Double") else None
    if kind is None:
        return None, None, None, False
    m = re.match(r"^\[(?:Integer range|Integer|Double)\s+(\S+)\.\.\.(\S+)\s+\(inclusive\)\]$", description)
    if not m:
        return kind, "?", "?", False  # a number, bounds in a form this script does not read

    def bound(text, limit):
        if text.lstrip("-") == "MAX_DOUBLE":
            return None
        value = float(text)
        return None if kind == "int" and value == limit else value
    return kind, bound(m.group(1), INT_LIMITS[0]), bound(m.group(2), INT_LIMITS[1]), False


def fmt(kind, v):
    if kind == "int":
        return str(int(round(v)))
    s = "%.12g" % v
    return "0" if s == "-0" else s


def fmt_bound(v):
    return "%.12g" % v


class Entry:
    def __init__(self, path, node):
        self.path = path
        self.name = path[-1]
        self.full = "/".join(path)
        self.doc = node.get("documentation", "")
        self.pattern = node.get("pattern_description", "")
        self.default = node.get("default_value", "")
        self.kind, self.pat_lo, self.pat_hi, self.is_list = parse_pattern(self.pattern)
        self.range = parse_doc_range(self.doc, self.kind) if self.kind else None
        self.base = "navier-stokes" if path[0] == "navier stokes" else "advection-diffusion"
        self.signature = None  # set by entries_of()
        self.duplicate_of = None

    def pattern_allows(self, v):
        if self.pat_lo == "?":
            return True
        return (self.pat_lo is None or v >= self.pat_lo) and (self.pat_hi is None or v <= self.pat_hi)

    def settings(self, value):
        nested = {self.name: value}
        for key in reversed(self.path[:-1]):
            nested = {key: nested}
        return ht.merge(nested, COMPANIONS.get((self.full, value), {}))

    def outside(self):
        """[(side, value text)] just outside each bound, the nearest first on each side."""
        r, out = self.range, []
        width = None if r.lo is None or r.hi is None else r.hi - r.lo
        for side, bound, strict, sign in (("lower", r.lo, r.lo_open, -1), ("upper", r.hi, r.hi_open, 1)):
            if bound is None:
                continue
            if self.kind == "int":
                lo_i, hi_i = r.inclusive_int()
                nearest = (lo_i - 1) if sign < 0 else (hi_i + 1)
                values = [nearest] + ([bound + sign] if strict and bound + sign != nearest else [])
            else:
                step = 0.1 * (width + 1) if width is not None else (1.0 if strict else 0.5)
                values = ([bound] if strict else []) + [bound + sign * step]
            out += [(side, fmt(self.kind, v)) for v in values]
        for _, text in out:
            assert not r.contains(float(text)), (self.full, text)
        return out

    def inside(self):
        """[(side, value text)]: the closed bounds, or the values next to the open bounds."""
        r, out = self.range, []
        width = None if r.lo is None or r.hi is None else r.hi - r.lo
        lo_i, hi_i = r.inclusive_int()
        for side, bound, strict, sign in (("lower", r.lo, r.lo_open, 1), ("upper", r.hi, r.hi_open, -1)):
            if bound is None:
                continue
            if self.kind == "int":
                v = lo_i if sign > 0 else hi_i
            elif not strict:
                v = bound
            else:
                v = bound + sign * (0.01 * width if width is not None else max(1e-3, 1e-3 * abs(bound)))
            out.append((side, INSIDE_INSTEAD.get((self.full, side), fmt(self.kind, v))))
        for _, text in out:
            assert r.contains(float(text)), (self.full, text)
        return out

    def touches(self, value):
        """The paths of the entries that setting @p value changes (with its companions)."""
        def paths(d, prefix):
            for k, v in d.items():
                if isinstance(v, dict):
                    yield from paths(v, prefix + k + "/")
                else:
                    yield prefix + k
        return set(paths(self.settings(value), ""))


def is_entry(node):
    return isinstance(node, dict) and "value" in node and "pattern_description" in node


def structure(section):
    """What a subsection declares (names and patterns, recursively; not defaults or help texts): two
    subsections with the same structure are the same declaration made twice (a solver, a module)."""
    return tuple(sorted((key, node["pattern_description"] if is_entry(node) else structure(node))
                        for key, node in section.items() if isinstance(node, dict)))


def entries_of(tree, path=()):
    for key, node in tree.items():
        if is_entry(node):
            e = Entry(list(path) + [key], node)
            e.signature = (structure(tree), key, e.doc, e.pattern)
            yield e
        elif isinstance(node, dict):
            yield from entries_of(node, path + (key,))


def run_direct(hyfe, args, cwd, timeout):
    """`hyfe args...` without mpirun (an MPI singleton); killed past @p timeout (whole group)."""
    return ht.run_command([hyfe] + list(args), cwd, timeout)


def hyfe_lines(result):
    return [l for l in result.output.splitlines() if l.startswith("hyfe:")]


def message_of(result):
    """hyfe's message: its 'hyfe:' line and the indented lines that continue it."""
    keep = []
    for line in result.output.splitlines():
        if line.startswith("hyfe:") or (keep and line.startswith(" ") and not line.lstrip().startswith(
                ("Process", "Exit", "Primary", "mpirun"))):
            keep.append(line)
        elif keep and not line.startswith(" "):
            break
    return "\n".join(keep)


RANGE_FORMS = [
    re.compile(r"(?:>=|<=|>|<|\u2265|\u2264)\s*(%s)" % NUM),
    re.compile(r"[\[(]\s*(%s)\s*,\s*(%s)\s*[\])]" % (NUM, NUM)),
    re.compile(r"(%s|-?MAX_DOUBLE)\s*\.\.\.\s*(%s|MAX_DOUBLE)" % (NUM, NUM)),
    re.compile(r"(%s)\s*(?:<=|<)\s*[A-Za-z_]\w*\s*(?:<=|<)\s*(%s)" % (NUM, NUM)),
    re.compile(r"(?i)between\s+(%s)\s+and\s+(%s)" % (NUM, NUM)),
    re.compile(r"(?i)\b(?:at least|at most)\s+(%s)" % NUM),
]


def range_numbers(message):
    """The numbers that @p message gives as bounds of a range ('> 0', '[0, 1]', '0...1', '0 < v < 2')."""
    found = set()
    for form in RANGE_FORMS:
        for m in form.finditer(message):
            for g in m.groups():
                if g is not None and "MAX" not in g:
                    found.add(float(g))
    return found


def names_entry(message, entry):
    """'path' if @p message names the entry's path, 'name' if only its last name, '' if neither."""
    if re.search(r"(?<![\w-])" + re.escape(entry.full) + r"(?![\w-])", message):
        return "path"
    if re.search(r"(?<![\w-])" + re.escape(entry.name) + r"(?![\w-])", message):
        return "name"
    return ""


def main():
    def extra(p):
        p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="hyfe runs at once")
        p.add_argument("--launcher", choices=("auto", "direct", "mpirun"), default="auto",
                       help="run hyfe directly (MPI singleton) or under mpirun -np 1; auto: direct if it agrees")
        p.add_argument("--full", action="store_true", help="every outside value also on repeated entries")
        p.add_argument("--only", default="", help="regex: only the entries whose path matches")
    args = ht.arguments(__doc__, extra)
    checker = ht.Checker("parameter ranges")
    timeout = 60
    started = time.time()

    n_runs = []

    def run_mpirun(hyfe_args, cwd):
        n_runs.append(1)
        return ht.run(args.mpirun, args.hyfe, hyfe_args, np=1, cwd=cwd, timeout=timeout)

    def run_singleton(hyfe_args, cwd):
        n_runs.append(1)
        return run_direct(args.hyfe, hyfe_args, cwd, timeout)

    r = run_mpirun(["--print-parameters", "json"], args.work)
    if not checker.run_ok(r, "--print-parameters json"):
        checker.finish()
    tree = json.loads(r.stdout)

    def write_case(folder, settings):
        os.makedirs(folder, exist_ok=True)
        ht.write_prm(os.path.join(folder, "case.prm"), settings)
        return folder

    # the base files are good
    base_results = {}
    for name, base in BASES.items():
        folder = write_case(os.path.join(args.work, "base_" + name), base)
        r = base_results[name] = run_mpirun(["--validate", "case.prm"], folder)
        if not checker.check(r.returncode == 0 and "is valid" in r.output,
                             "%s base file passes --validate (mpirun -np 1)" % name, r.describe()):
            checker.finish()

    # hyfe as an MPI singleton gives the answers of mpirun -np 1 (a good and a bad file), and is then used
    launch = run_mpirun if args.launcher == "mpirun" else run_singleton
    if args.launcher == "auto":
        same = True
        for label, changes in (("good", None), ("bad", {"time": {"time step": -1}})):
            if changes is None:
                folder, a = os.path.join(args.work, "base_advection-diffusion"), base_results["advection-diffusion"]
            else:
                folder = write_case(os.path.join(args.work, "launcher_" + label), ht.merge(AD_BASE, changes))
                a = run_mpirun(["--validate", "case.prm"], folder)
            b = run_singleton(["--validate", "case.prm"], folder)
            ok = a.returncode == b.returncode and hyfe_lines(a) == hyfe_lines(b) and not b.timed_out
            same = same and ok
            checker.check(ok, "hyfe without mpirun (MPI singleton) answers a %s file as mpirun -np 1 does "
                          "(exit %s and %s; %.1f s and %.1f s)" % (label, a.returncode, b.returncode, a.seconds,
                                                                   b.seconds),
                          "mpirun:\n%s\nsingleton:\n%s" % (a.describe(), b.describe()))
        if not same:
            print("NOTE  the singleton differs from mpirun -np 1: every run below uses mpirun -np 1", flush=True)
            launch = run_mpirun

    # the entries with a documented range
    tested, notes = [], []
    seen = {}
    only = re.compile(args.only) if args.only else None
    for e in entries_of(tree):
        if e.kind is None:
            continue  # selections, booleans, file names, expressions ([Anything]): no numeric range
        if e.is_list and (e.name.endswith("ids") or "ids in" in e.doc):
            continue  # lists of boundary ids: checked against the mesh (parameter_errors, navier_stokes_errors)
        if not UNIT.search(e.doc):
            notes.append("%s: the documentation states no unit (%r)" % (e.full, e.doc))
        if e.range is None:
            notes.append("%s (%s): the documentation states no range (%r)" % (e.full, e.pattern, e.doc))
            continue
        if only and not only.search(e.full):
            continue
        if e.signature in seen:
            e.duplicate_of = seen[e.signature]
        else:
            seen[e.signature] = e.full
        tested.append(e)
    checker.check(len(tested) >= (1 if only else 10), "found %d numeric entries with a documented range (%d repeat another)" %
                  (len(tested), sum(1 for e in tested if e.duplicate_of)))

    # the runs: every outside value alone; the inside values of one base and side together, in groups
    # whose entries (with their companions) do not overlap; a group that fails is halved until the
    # values that fail are alone
    folders = iter(os.path.join(args.work, "run_%04d" % k) for k in range(100000))

    def execute(jobs):
        """Runs `hyfe --validate` on each (base, [(entry, value)]) of @p jobs, --jobs at once."""
        cases = []
        for base, items in jobs:
            settings = BASES[base]
            for e, value in items:
                settings = ht.merge(settings, e.settings(value))
            cases.append(write_case(next(folders), settings))
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            return list(pool.map(lambda folder: launch(["--validate", "case.prm"], folder), cases))

    jobs = []
    for e in tested:
        values = e.outside()
        if e.duplicate_of and not args.full:
            # a repeated declaration: only the values that its pattern lets through (the others are
            # refused by hyfe's check of every 'set' line against its pattern, tried on the first one)
            values = [v for v in values if e.pattern_allows(float(v[1]))]
        e.outside_values = values
        jobs += [(e.base, [(e, value)]) for _, value in values]
        e.inside_values = e.inside()
    n_outside = len(jobs)
    groups = []
    for e in tested:
        for side, value in e.inside_values:
            touched = e.touches(value)
            group = next((g for g in groups if g[0] == (e.base, side) and not g[2] & touched), None)
            if group is None:
                group = ((e.base, side), [], set())
                groups.append(group)
            group[1].append((e, value))
            group[2].update(touched)
    jobs += [(key[0], items) for key, items, _ in groups]
    results = execute(jobs)
    outside = {(items[0][0].full, items[0][1]): r for (_, items), r in zip(jobs[:n_outside], results)}
    inside = {}  # (path, value) -> (result, number of values tried together)
    pending = list(zip(jobs[n_outside:], results[n_outside:]))
    while pending:
        halves, parents = [], []
        for (base, items), r in pending:
            if r.returncode == 0 or len(items) == 1:
                for e, value in items:
                    inside[(e.full, value)] = (r, len(items))
            else:
                halves += [(base, items[:len(items) // 2]), (base, items[len(items) // 2:])]
                parents.append(r)
        halved = execute(halves)
        for k, parent in enumerate(parents):
            if halved[2 * k].returncode == 0 and halved[2 * k + 1].returncode == 0:
                notes.append("inside values of the %s base fail together but pass in two halves (a constraint "
                             "between entries, not a range):\n%s" % (halves[2 * k][0], parent.describe()))
        pending = list(zip(halves, halved))

    # the checks, entry by entry
    not_enforced = []
    for e in tested:
        r = e.range
        checker.check(not r.problems, "%s: the documentation states one range" % e.full,
                      "%s: %s" % (", ".join(r.problems), e.doc))
        # documentation and pattern agree where the pattern has bounds
        if e.pat_lo == "?":
            notes.append("%s: pattern %s has bounds in a form this script does not read" % (e.full, e.pattern))
        else:
            if e.kind == "int":
                doc_lo, doc_hi = r.inclusive_int()
            else:
                doc_lo, doc_hi = r.lo, r.hi
            problems = []
            for side, pat, doc in (("lower", e.pat_lo, doc_lo), ("upper", e.pat_hi, doc_hi)):
                if pat is not None and (doc is None or abs(pat - doc) > 1e-12 * max(1.0, abs(pat))):
                    problems.append("%s bound: pattern %s, documentation %s" %
                                    (side, fmt_bound(pat), "none" if doc is None else fmt_bound(doc)))
            checker.check(not problems, "%s: documentation '%s' agrees with pattern %s" %
                          (e.full, r.text, e.pattern), "; ".join(problems) + "\n" + e.doc)
        # outside: rejected, with a message that names the entry and the range, once
        # the bounds as documented, and for an integer also as inclusive bounds ('> 0' or '>= 1')
        bounds = []
        lo_i, hi_i = r.inclusive_int()
        for bside, bound, inclusive in (("lower", r.lo, lo_i), ("upper", r.hi, hi_i)):
            if bound is not None:
                bounds.append((bside, bound, inclusive if e.kind == "int" else bound))
        for side, value in e.outside_values:
            res = outside[(e.full, value)]
            what = "%s = %s (outside '%s'%s)" % (e.full, value, r.text,
                                                 ", repeats %s" % e.duplicate_of if e.duplicate_of else "")
            rejected = res.returncode == 1 and not res.timed_out
            if res.returncode == 0:
                not_enforced.append((e, value))
            checker.check(rejected, "%s: --validate rejects it (exit %s, expected 1)" % (what, res.returncode),
                          res.describe())
            if not rejected:
                continue
            message = message_of(res)
            named = names_entry(message, e)
            numbers = range_numbers(message)
            missing = []
            for bside, bound, inclusive in bounds:
                if bound not in numbers and inclusive not in numbers:
                    missing.append("the %s bound %s" % (bside, fmt_bound(bound)))
            lines = hyfe_lines(res)
            problems = []
            if not named:
                problems.append("does not name '%s' or '%s'" % (e.full, e.name))
            if missing:
                problems.append("does not give " + " and ".join(missing))
            if len(lines) != 1:
                problems.append("%d 'hyfe:' lines (expected 1)" % len(lines))
            if "Stacktrace" in res.output or "An error occurred in line" in res.output:
                problems.append("a stack trace")
            checker.check(not problems, "%s: one message, naming '%s' and the range" %
                          (what, e.full if named == "path" else e.name), "; ".join(problems) + "\n" + res.describe())
        # inside: accepted
        for side, value in e.inside_values:
            res, together = inside[(e.full, value)]
            how = "alone" if together == 1 else "with %d other inside value%s" % (together - 1,
                                                                                "s" if together > 2 else "")
            bound = r.lo if side == "lower" else r.hi
            at = ("at" if float(value) == bound else
                  "in place of" if (e.full, side) in INSIDE_INSTEAD else "next to")
            checker.check(res.returncode == 0 and not res.timed_out,
                          "%s = %s (inside '%s', %s the %s bound): --validate accepts it (exit %s, %s)" %
                          (e.full, value, r.text, at, side, res.returncode, how), res.describe())

    for note in notes:
        print("NOTE  " + note.replace("\n", "\n      "))
    if not_enforced:
        print("\nDocumented ranges that --validate does not enforce (the value was accepted):")
        for e, value in not_enforced:
            print("  %s = %s: documented '%s', pattern %s" % (e.full, value, e.range.text, e.pattern))
    print("\n%d entries, %d hyfe runs (%s, %d at once) in %.0f s" % (
        len(tested), len(n_runs), "mpirun -np 1" if launch is run_mpirun else "MPI singleton", args.jobs,
        time.time() - started))
    checker.finish()


if __name__ == "__main__":
    main()
