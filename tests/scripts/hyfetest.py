"""Shared helpers of hyfe's script tests (standard library only).

Every test script takes --hyfe (the executable) and --work (a scratch folder in the build tree),
writes its parameter files there, runs hyfe under `mpirun -np N` with a timeout, and checks numbers
with a Checker that prints one line per check and makes the script exit 1 if any check failed.
"""

import argparse
import csv
import math
import os
import shutil
import signal
import subprocess
import sys
import time

# OpenMPI refuses to run as root unless told; the tests set this themselves (ctest sets it too).
os.environ.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
os.environ.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
# keep OpenMPI quiet and robust in containers (no shared-memory warnings about /dev/shm size)
os.environ.setdefault("OMPI_MCA_btl_vader_single_copy_mechanism", "none")
# mpirun waits 2 s before it reports a rank's non-zero exit status; the error tests run many such jobs
os.environ.setdefault("OMPI_MCA_odls_base_sigkill_timeout", "0")


def arguments(description, extra=None):
    """Parses the common arguments --hyfe, --work and --mpirun (plus @p extra(parser))."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--hyfe", required=True, help="the hyfe executable")
    parser.add_argument("--work", required=True, help="scratch folder (in the build tree); emptied first")
    parser.add_argument("--mpirun", default="mpirun", help="the MPI launcher")
    if extra:
        extra(parser)
    args = parser.parse_args()
    args.hyfe = os.path.abspath(args.hyfe)
    args.work = os.path.abspath(args.work)
    if os.path.isdir(args.work):
        shutil.rmtree(args.work)
    os.makedirs(args.work)
    return args


class Result:
    """What one hyfe run did."""

    def __init__(self, command, returncode, stdout, stderr, seconds, timed_out):
        self.command = command
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.seconds = seconds
        self.timed_out = timed_out

    @property
    def output(self):
        return self.stdout + self.stderr

    def describe(self, lines=15):
        tail = "\n".join(self.output.strip().splitlines()[-lines:])
        return "command: %s\nexit status %s%s after %.1f s; output (tail):\n%s" % (
            " ".join(self.command), self.returncode, " (TIMED OUT)" if self.timed_out else "",
            self.seconds, tail)


def run(mpirun, hyfe, args, np=1, cwd=None, timeout=120):
    """Runs `mpirun -np np hyfe args...` in @p cwd; a run past @p timeout is killed (whole group)."""
    return run_command([mpirun, "-np", str(np), hyfe] + list(args), cwd, timeout)


def run_command(command, cwd=None, timeout=120):
    """Runs @p command in @p cwd; a run past @p timeout is killed (whole group)."""
    start = time.time()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    timed_out = False
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
    return Result(command, process.returncode, stdout, stderr, time.time() - start, timed_out)


def prm_text(settings, indent=""):
    """A .prm file from a nested dict: values are entries, dicts are subsections (in order)."""
    lines = []
    for key, value in settings.items():
        if isinstance(value, dict):
            lines.append("%ssubsection %s" % (indent, key))
            lines.append(prm_text(value, indent + "  ").rstrip("\n"))
            lines.append("%send" % indent)
        else:
            if isinstance(value, bool):
                value = "true" if value else "false"
            lines.append("%sset %s = %s" % (indent, key, value))
    return "\n".join(line for line in lines if line != "") + "\n"


def merge(base, changes):
    """A deep copy of dict @p base updated by the nested dict @p changes (None deletes an entry)."""
    out = {}
    for key, value in base.items():
        out[key] = merge(value, {}) if isinstance(value, dict) else value
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = merge(value, {}) if isinstance(value, dict) else value
    return out


def write_prm(path, settings):
    with open(path, "w") as f:
        f.write(prm_text(settings))
    return path


def read_stats(path):
    """stats.csv as a list of rows, each a dict column -> float."""
    with open(path) as f:
        return [{k: float(v) for k, v in row.items()} for row in csv.DictReader(f)]


def rate(error_coarse, error_fine, ratio=2.0):
    """Observed order between two errors whose mesh sizes (or steps) differ by @p ratio."""
    if error_coarse <= 0 or error_fine <= 0 or not (math.isfinite(error_coarse) and math.isfinite(error_fine)):
        return float("nan")
    return math.log(error_coarse / error_fine) / math.log(ratio)


def relative_difference(a, b):
    scale = max(abs(a), abs(b))
    return 0.0 if scale == 0 else abs(a - b) / scale


class Checker:
    """Collects checks; finish() prints a summary and exits 1 if any failed."""

    def __init__(self, name):
        self.name = name
        self.failures = []
        self.count = 0

    def check(self, condition, message, details=""):
        self.count += 1
        print(("PASS  " if condition else "FAIL  ") + message, flush=True)
        if not condition:
            if details:
                print("      " + details.replace("\n", "\n      "), flush=True)
            self.failures.append(message)
        return condition

    def run_ok(self, result, what):
        """Checks that a hyfe run exited 0 (and did not time out)."""
        return self.check(result.returncode == 0 and not result.timed_out,
                          "%s: hyfe exits 0 (%.1f s)" % (what, result.seconds), result.describe())

    def near(self, value, expected, tolerance, message):
        ok = math.isfinite(value) and abs(value - expected) <= tolerance
        return self.check(ok, "%s: %.4g (expected %.4g +- %.3g)" % (message, value, expected, tolerance))

    def relative(self, value, reference, tolerance, message):
        d = relative_difference(value, reference)
        ok = math.isfinite(value) and math.isfinite(reference) and d <= tolerance
        return self.check(ok, "%s: %.15g vs %.15g, relative difference %.2e (tolerance %.0e)" %
                          (message, value, reference, d, tolerance))

    def finish(self):
        if self.failures:
            print("\n%s: %d of %d checks FAILED:" % (self.name, len(self.failures), self.count))
            for f in self.failures:
                print("  - " + f)
            sys.exit(1)
        print("\n%s: all %d checks passed" % (self.name, self.count))
        sys.exit(0)
