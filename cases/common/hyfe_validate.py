"""Helpers shared by the cases' validation scripts: read hyfe's CSV output, compare, report.

Standard library only (Debian's /usr/bin/python3). Every check prints one line and the script
exits non-zero if any check failed.
"""
import csv
import os
import sys

REFDATA = os.environ.get("HYFE_REFDATA",
                         os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "refdata"))


def command_line(script, options):
    """The output folder (first plain argument, default: output/ beside @p script) and the values of
    `--name value` options, typed like their defaults in @p options."""
    args = sys.argv[1:]
    values = dict(options)
    for key, default in options.items():
        if key in args:
            i = args.index(key)
            values[key] = type(default)(args[i + 1])
            del args[i:i + 2]
    folder = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(script)), "output")
    return folder, values


def read_csv(path):
    """Rows of a CSV file as dicts of floats (strings where not a number)."""
    rows = []
    with open(path) as f:
        for row in csv.DictReader(f):
            out = {}
            for k, v in row.items():
                try:
                    out[k] = float(v)
                except (TypeError, ValueError):
                    out[k] = v
            rows.append(out)
    if not rows:
        raise SystemExit("validate: %s has no rows" % path)
    return rows


def interpolate(xs, ys, x):
    """Linear interpolation of the table (xs, ys) at x (xs increasing)."""
    for i in range(len(xs) - 1):
        if xs[i] <= x <= xs[i + 1]:
            t = (x - xs[i]) / (xs[i + 1] - xs[i])
            return ys[i] + t * (ys[i + 1] - ys[i])
    raise ValueError("x = %g outside [%g, %g]" % (x, xs[0], xs[-1]))


class Checks:
    """Collects named checks and exits with their verdict."""

    def __init__(self, title):
        self.title = title
        self.failed = 0
        self.passed = 0
        print(title)

    def check(self, name, value, ok, detail=""):
        status = "ok  " if ok else "FAIL"
        self.passed += ok
        self.failed += not ok
        print("  %s %-34s %s %s" % (status, name, "%.8g" % value if isinstance(value, float) else value, detail))

    def within(self, name, value, reference, tolerance, relative=True):
        error = abs(value - reference) / (abs(reference) if relative else 1.0)
        kind = "relative" if relative else "absolute"
        self.check(name, value, error <= tolerance,
                   "(reference %.8g, %s error %.3g, tolerance %.3g)" % (reference, kind, error, tolerance))

    def mesh_guard(self, stats, minimum_quality):
        """The moving mesh of a run (stats.csv rows): no fallback of the guard, no inverted cell, the
        smallest cell quality above @p minimum_quality."""
        fallbacks = sum(r["mesh_mover_fallback"] for r in stats)
        self.check("no fallback of the mesh guard", fallbacks, fallbacks == 0)
        inverted = max(r["mesh_mover_inverted_cells"] for r in stats)
        self.check("no inverted cell", inverted, inverted == 0)
        quality = min(r["mesh_mover_min_quality"] for r in stats)
        self.check("smallest cell quality > %g" % minimum_quality, quality, quality > minimum_quality)

    def interval(self, name, value, lower, upper):
        self.check(name, value, lower <= value <= upper, "(interval [%g, %g])" % (lower, upper))

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.exit(1 if self.failed else 0)


def last_period(forces, column="C_L"):
    """Time window [t0, t1] of the last full period of `column` (upward crossings of its mean over
    the second half of the run), and the period."""
    t_end = forces[-1]["time"]
    half = [r for r in forces if r["time"] >= 0.5 * t_end]
    mean = sum(r[column] for r in half) / len(half)
    crossings = []
    for a, b in zip(half, half[1:]):
        if a[column] < mean <= b[column]:
            crossings.append(a["time"] + (mean - a[column]) / (b[column] - a[column]) * (b["time"] - a["time"]))
    if len(crossings) < 2:
        raise SystemExit("validate: fewer than two periods of %s in the second half of the run" % column)
    return crossings[-2], crossings[-1], crossings[-1] - crossings[-2]
