#!/usr/bin/python3
"""Compares the CSV output of two runs of hyfe, row by row (a refactoring that must not change results,
a restart against the uninterrupted run).

    compare_runs.py REFERENCE NEW [--tolerance 1e-10] [--last C_D,C_L,delta_p] [--files stats.csv,...]

REFERENCE and NEW are output folders (or two CSV files). For every CSV file of the reference folder
(stats.csv, forces.csv, profile_*.csv; or --files), the new one must have the same columns and the same
rows (steps), and every value must agree within the relative tolerance; timing columns (names ending in
`_time`, or starting with `wall`) are left out. --last compares the named columns of the last row of
forces.csv (or of the single file given) and reports each difference. Prints the largest relative
difference of each file and exits 1 if any file differs by more than the tolerance (or misses rows).
Standard library only.
"""

import argparse
import csv
import glob
import math
import os
import re
import sys

TIMING = re.compile(r"_time$|^wall")


def read_table(path):
    """(columns, rows) of a CSV file; rows are lists of floats."""
    with open(path, newline="") as f:
        reader = csv.reader(f)
        columns = next(reader, [])
        rows = [[float(v) for v in row] for row in reader if row]
    return columns, rows


def relative_difference(a, b):
    """|a - b| / max(|a|, |b|); 0 for two equal values (also two NaNs), inf for one NaN."""
    if math.isnan(a) or math.isnan(b):
        return 0.0 if math.isnan(a) and math.isnan(b) else math.inf
    if a == b:
        return 0.0
    return abs(a - b) / max(abs(a), abs(b))


def compare_tables(reference, new, skip=TIMING):
    """Compares two CSV files. Returns (problems, worst, where): a list of structural problems (columns,
    row count, the first column's values), the largest relative difference over the compared columns and
    a text naming its column and row."""
    columns_a, rows_a = read_table(reference)
    columns_b, rows_b = read_table(new)
    problems = []
    if columns_a != columns_b:
        problems.append("columns differ: %s vs %s" % (columns_a, columns_b))
        return problems, math.inf, "-"
    if len(rows_a) != len(rows_b):
        problems.append("%d rows vs %d" % (len(rows_a), len(rows_b)))
    if columns_a and [r[0] for r in rows_a] != [r[0] for r in rows_b][: len(rows_a)]:
        problems.append("the column '%s' differs (duplicated or missing rows)" % columns_a[0])
    worst, where = 0.0, "-"
    for i, (a, b) in enumerate(zip(rows_a, rows_b)):
        for name, x, y in zip(columns_a, a, b):
            if skip.search(name):
                continue
            d = relative_difference(x, y)
            if d > worst:
                worst, where = d, "%s in row %d (%s = %g)" % (name, i + 1, columns_a[0], a[0])
    return problems, worst, where


def last_row_differences(reference, new, names):
    """{name: (reference value, new value, relative difference)} for the last rows of two CSV files."""
    columns_a, rows_a = read_table(reference)
    columns_b, rows_b = read_table(new)
    out = {}
    for name in names:
        a = rows_a[-1][columns_a.index(name)]
        b = rows_b[-1][columns_b.index(name)]
        out[name] = (a, b, relative_difference(a, b))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("reference")
    parser.add_argument("new")
    parser.add_argument("--tolerance", type=float, default=1e-10)
    parser.add_argument("--last", default="", help="columns of the last row of forces.csv to report")
    parser.add_argument("--files", default="", help="comma-separated CSV names (default: every *.csv)")
    args = parser.parse_args()

    if os.path.isfile(args.reference):
        pairs = [(args.reference, args.new)]
    else:
        names = args.files.split(",") if args.files else sorted(
            os.path.basename(p) for p in glob.glob(os.path.join(args.reference, "*.csv")))
        pairs = [(os.path.join(args.reference, n), os.path.join(args.new, n)) for n in names]
    ok = True
    for a, b in pairs:
        if not os.path.isfile(b):
            print("FAIL  %s: missing" % b)
            ok = False
            continue
        problems, worst, where = compare_tables(a, b)
        good = not problems and worst <= args.tolerance
        ok = ok and good
        print("%s  %s: largest relative difference %.3g (%s)%s" % (
            "PASS" if good else "FAIL", os.path.basename(a), worst, where,
            "; " + "; ".join(problems) if problems else ""))
    if args.last:
        forces = pairs[0] if len(pairs) == 1 else (os.path.join(args.reference, "forces.csv"),
                                                   os.path.join(args.new, "forces.csv"))
        for name, (a, b, d) in last_row_differences(*forces, args.last.split(",")).items():
            good = d <= args.tolerance
            ok = ok and good
            print("%s  last %s: %.17g vs %.17g, relative difference %.3g" % ("PASS" if good else "FAIL", name, a,
                                                                              b, d))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
