#!/usr/bin/python3
"""Layering: only learned/ may include LibTorch headers (<torch/...>, <ATen/...>, <c10/...>).

Lists the repository's files with `git ls-files` (tracked plus untracked, not ignored) when the
source folder is a git checkout, else walks it (skipping build*/ and hidden folders), and fails
for every C/C++ file outside learned/ with such an include. A self-test first checks that the
pattern finds such lines (and ignores look-alikes) in a temporary file.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

# `#include <torch ...>`, `#  include "ATen ..."` (with a slash), ...: a preprocessor include of a LibTorch header
TORCH_INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]\s*(torch|ATen|c10)/')
SOURCE_SUFFIXES = (".h", ".hh", ".hpp", ".hxx", ".ipp", ".tpp", ".c", ".cc", ".cpp", ".cxx", ".cu", ".cuh", ".inl")


def torch_includes(path):
    """(line number, line) of every LibTorch include in @p path."""
    found = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            if TORCH_INCLUDE.match(line):
                found.append((number, line.rstrip("\n")))
    return found


def self_test():
    positive = ["#include <" "torch/script.h>", "#  include <" "ATen/ATen.h>", "  #include <" "c10/util/Optional.h>",
                '#include "' 'torch/torch.h"', "# include <" "torch/csrc/api/include/torch/nn.h>"]
    negative = ["// #include <" "torch/script.h>", "#include <torchvision/vision.h>", "#include <deal.II/base/mpi.h>",
                "std::string s = \"#include <" "torch/script.h>\";", "#include <atenx/foo.h>", "#include <mytorch/a.h>"]
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "sample.cc")
        with open(path, "w") as f:
            f.write("\n".join(negative[:3] + positive + negative[3:]) + "\n")
        found = [line for _, line in torch_includes(path)]
    ok = found == positive
    print(("PASS  " if ok else "FAIL  ") + "self-test: the pattern finds exactly the %d torch includes of the sample "
          "(found %d: %s)" % (len(positive), len(found), found))
    return ok


def repository_files(source):
    try:
        out = subprocess.run(["git", "-C", source, "ls-files", "--cached", "--others", "--exclude-standard"],
                             check=True, capture_output=True, text=True).stdout
        files = [f for f in out.splitlines() if f]
        print("files from git ls-files: %d" % len(files))
        return files
    except (OSError, subprocess.CalledProcessError):
        files = []
        for root, dirs, names in os.walk(source):
            rel_root = os.path.relpath(root, source)
            dirs[:] = [d for d in dirs if not d.startswith(".") and not (rel_root == "." and d.startswith("build"))]
            for n in names:
                files.append(os.path.normpath(os.path.join(rel_root, n)))
        print("not a git checkout; files from walking the source folder: %d" % len(files))
        return files


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", required=True, help="the repository root")
    args = parser.parse_args()

    ok = self_test()
    files = [f for f in repository_files(args.source) if f.endswith(SOURCE_SUFFIXES)]
    checked = 0
    violations = []
    for f in files:
        path = os.path.join(args.source, f)
        if not os.path.isfile(path):
            continue  # deleted in the work tree
        hits = torch_includes(path)
        inside_learned = f.replace(os.sep, "/").startswith("learned/")
        checked += 1
        if hits and not inside_learned:
            violations += ["%s:%d: %s" % (f, n, line) for n, line in hits]
    print("checked %d C/C++ files" % checked)
    if checked == 0:
        print("FAIL  no C/C++ files found under %s" % args.source)
        ok = False
    if violations:
        print("FAIL  LibTorch headers included outside learned/:")
        for v in violations:
            print("      " + v)
        ok = False
    else:
        print("PASS  no file outside learned/ includes a LibTorch header")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
