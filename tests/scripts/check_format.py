#!/usr/bin/python3
"""Format: `clang-format --dry-run -Werror` (with the repository's .clang-format) on every .h/.cc
file that git tracks (plus untracked files that are not ignored, i.e. what a commit would add).
Exits 77 (ctest SKIP_RETURN_CODE) only when no clang-format is installed.
"""

import argparse
import os
import shutil
import subprocess
import sys

SKIP = 77


def find_clang_format(preferred):
    if preferred and shutil.which(preferred):
        return shutil.which(preferred)
    for name in ["clang-format"] + ["clang-format-%d" % v for v in range(20, 10, -1)]:
        if shutil.which(name):
            return shutil.which(name)
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", required=True)
    parser.add_argument("--clang-format", default="")
    args = parser.parse_args()

    clang_format = find_clang_format(args.clang_format)
    if clang_format is None:
        print("SKIP  clang-format is not installed")
        sys.exit(SKIP)
    version = subprocess.run([clang_format, "--version"], capture_output=True, text=True).stdout.strip()
    print("using %s (%s)" % (clang_format, version))
    if not os.path.isfile(os.path.join(args.source, ".clang-format")):
        print("FAIL  %s/.clang-format is missing" % args.source)
        sys.exit(1)

    try:
        out = subprocess.run(["git", "-C", args.source, "ls-files", "--cached", "--others", "--exclude-standard",
                              "--", "*.h", "*.cc"], check=True, capture_output=True, text=True).stdout
        files = [f for f in out.splitlines() if f and os.path.isfile(os.path.join(args.source, f))]
    except (OSError, subprocess.CalledProcessError):
        files = []
        for root, dirs, names in os.walk(args.source):
            rel = os.path.relpath(root, args.source)
            dirs[:] = [d for d in dirs if not d.startswith(".") and not (rel == "." and d.startswith("build"))]
            files += [os.path.normpath(os.path.join(rel, n)) for n in names if n.endswith((".h", ".cc"))]
    if not files:
        print("FAIL  no .h/.cc files found")
        sys.exit(1)

    bad = []
    for f in sorted(files):
        # --style=file: the .clang-format found upwards from the file, i.e. the repository's
        r = subprocess.run([clang_format, "--dry-run", "-Werror", "--style=file", f], cwd=args.source,
                           capture_output=True, text=True)
        if r.returncode != 0:
            bad.append(f)
            print("FAIL  %s is not clang-formatted:" % f)
            print("      " + "\n      ".join((r.stdout + r.stderr).strip().splitlines()[:12]))
    print("%d of %d files formatted correctly" % (len(files) - len(bad), len(files)))
    if bad:
        print("fix with: clang-format -i " + " ".join(bad))
        sys.exit(1)
    print("PASS  every .h/.cc file is clang-formatted")


if __name__ == "__main__":
    main()
