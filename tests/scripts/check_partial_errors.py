#!/usr/bin/python3
"""Input errors that only some ranks find stop every rank, with the message, and nothing hangs.

On a cluster a file can lie on a node-local disk, so a mesh, a model or the parameter file itself can
be there for one rank and missing or different for another. Each case runs 2 ranks as one MPI job
(`mpirun -np 1 --wdir good hyfe case.prm : -np 1 --wdir bad hyfe case.prm`): both read `case.prm`
relative to their own folder; rank 0's folder is good, rank 1's has the error. The job must
  - exit with status 1 within the timeout (no rank left waiting in a collective call),
  - print the error found on rank 1 (it names the file or the entry) exactly once,
  - compute nothing (no stats.csv).
The same two folders swapped (the error on rank 0) and the good folder on both ranks must work too.

And an error during the run on one rank only: rank 1 cannot write its vtu file of the second record
(a directory of that name is in the way). The job must stop within the timeout with exit status 2 and
rank 1's message naming the file, after the first record was written. An error during the run that
every rank meets together (rank 0 cannot open stats.csv) must stay one message, without MPI_Abort.
"""

import os
import re
import shutil
import subprocess
import time

import hyfetest as ht
from check_parameter_errors import GOOD

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def mpmd(mpirun, hyfe, folders, args, timeout):
    """One MPI job, one rank per folder, each rank started in its folder with @p args."""
    command = [mpirun]
    for k, folder in enumerate(folders):
        command += ([":"] if k else []) + ["-np", "1", "--wdir", folder, hyfe] + list(args)
    start = time.time()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    timed_out = False
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(process.pid, 9)
        stdout, stderr = process.communicate()
    return ht.Result(command, process.returncode, stdout, stderr, time.time() - start, timed_out)


def main():
    args = ht.arguments(__doc__, lambda p: p.add_argument("--torch", action="store_true",
                                                          help="also the case of a missing model file"))
    checker = ht.Checker("partial_errors")
    timeout = 60
    mesh = os.path.join(ROOT, "meshes", "dfg-2d.msh")
    model = os.path.join(ROOT, "learned", "models", "learned-ic.pt")

    # each case: (name, files for the good folder, files for the bad one, patterns for the message)
    # files: {name: prm settings dict or a path to copy}
    cases = []
    with_mesh = ht.merge(GOOD, {"mesh": {"source": "file", "file": "mesh.msh", "global refinements": 0},
                                "advection diffusion": {"boundary conditions": {"dirichlet ids": "1, 2, 3, 4"}}})
    cases.append(("mesh_file_on_one_rank", {"case.prm": with_mesh, "mesh.msh": mesh}, {"case.prm": with_mesh},
                  [("names the mesh file", r"mesh\.msh")]))
    typo = ht.prm_text(GOOD).replace("set diffusivity = 1", "set difusivity = 1")
    cases.append(("parameter_file_differs", {"case.prm": GOOD}, {"case.prm": typo},
                  [("names the entry", r"difusivity"), ("suggests the valid one", r"(?i)did you mean\W+diffusivity")]))
    if args.torch:
        learned = ht.merge(GOOD, {"advection diffusion": {"linear solver": {"preconditioner": {
            "type": "learned-ic", "learned-ic": {"model file": "model.pt"}}}}})
        cases.append(("model_file_on_one_rank", {"case.prm": learned, "model.pt": model,
                                                         "model.pt.sha256": model + ".sha256"}, {"case.prm": learned},
                      [("names the module", r"learned-ic"), ("names the model file", r"model\.pt")]))

    for name, good_files, bad_files, patterns in cases:
        folders = {}
        for role, files in (("good", good_files), ("bad", bad_files)):
            folder = os.path.join(args.work, name, role)
            os.makedirs(folder)
            for file, content in files.items():
                path = os.path.join(folder, file)
                if isinstance(content, dict):
                    ht.write_prm(path, content)
                elif os.path.isfile(content):
                    shutil.copy(content, path)
                else:
                    open(path, "w").write(content)
            folders[role] = folder
        for order in (("good", "bad"), ("bad", "good")):
            what = "%s, error on rank %d" % (name, order.index("bad"))
            r = mpmd(args.mpirun, args.hyfe, [folders[o] for o in order], ["case.prm"], timeout)
            checker.check(not r.timed_out, "%s: exits within %d s (no hang)" % (what, timeout), r.describe())
            checker.check(r.returncode == 1, "%s: exit status 1 (got %s)" % (what, r.returncode), r.describe())
            message = [line for line in r.stderr.splitlines() if line.startswith("hyfe:")]
            checker.check(len(message) == 1, "%s: the error is printed once (got %d)" % (what, len(message)),
                          r.describe())
            for description, pattern in patterns:
                checker.check(any(re.search(pattern, m) for m in message), "%s: the message %s" % (what, description),
                              r.describe())
            computed = [f for f in (folders["good"], folders["bad"])
                        if os.path.exists(os.path.join(f, "output", "stats.csv"))]
            checker.check(not computed, "%s: nothing computed" % what)
        # the good folder on both ranks runs
        r = mpmd(args.mpirun, args.hyfe, [folders["good"], folders["good"]], ["--validate", "case.prm"], timeout)
        checker.check(r.returncode == 0 and not r.timed_out, "%s: the good folder on both ranks validates" % name,
                      r.describe())

    # an error during the run on one rank only
    folder = os.path.join(args.work, "run_error_on_one_rank")
    os.makedirs(os.path.join(folder, "output", "solution_00001.1.vtu"))
    ht.write_prm(os.path.join(folder, "case.prm"),
                 ht.merge(GOOD, {"output": {"write fields": True, "groups": 2, "interval": 1}}))
    r = ht.run(args.mpirun, args.hyfe, ["case.prm"], np=2, cwd=folder, timeout=timeout)
    what = "run error on rank 1 only"
    checker.check(not r.timed_out, "%s: exits within %d s (no hang)" % (what, timeout), r.describe())
    checker.check(r.returncode == 2, "%s: exit status 2 (got %s)" % (what, r.returncode), r.describe())
    checker.check(re.search(r"hyfe: run stopped on rank 1: .*solution_00001\.1\.vtu", r.stderr) is not None,
                  "%s: rank 1's message names the file" % what, r.describe())
    checker.check(os.path.isfile(os.path.join(folder, "output", "solution_00000.pvtu")),
                  "%s: the first record was written" % what)

    # an error during the run that every rank meets together stays one clean message, no abort
    folder = os.path.join(args.work, "run_error_on_every_rank")
    # a folder where stats.csv should be: rank 0 cannot open it, after the checks of the input passed
    # (a file where the output folder should be is an input error now, found by --validate)
    os.makedirs(os.path.join(folder, "output", "stats.csv"))
    ht.write_prm(os.path.join(folder, "case.prm"), GOOD)
    r = ht.run(args.mpirun, args.hyfe, ["case.prm"], np=2, cwd=folder, timeout=timeout)
    what = "run error on every rank"
    checker.check(not r.timed_out and r.returncode == 2, "%s: exit status 2 (got %s)" % (what, r.returncode),
                  r.describe())
    lines = [line for line in r.stderr.splitlines() if line.startswith("hyfe:")]
    checker.check(len(lines) == 1 and "cannot write" in lines[0] and "stats.csv" in lines[0] and "MPI_ABORT" not in r.output,
                  "%s: one message, naming the output directory, and no MPI_Abort" % what, r.describe())
    checker.finish()


if __name__ == "__main__":
    main()
