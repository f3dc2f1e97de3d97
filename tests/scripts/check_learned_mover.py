#!/usr/bin/python3
"""The learned mesh mover `learned-monge-ampere` (issue 13), one LibTorch thread.

--test guard: the Helmholtz bump of cases/helmholtz-bump (20 x 20 Q1) on 2 ranks:
  1. tests/models/mover-tangle.pt swaps neighbours at the bump's front, so cells invert: every move is
     caught (tangled candidates = moves = fallbacks to monge-ampere) and the run equals the monge-ampere run
     (L2 error to 1e-8); with `fallback = none` the guard's fallback keeps the reference mesh (the uniform
     mesh's error).
  2. tests/models/mover-nan.pt gives NaN logits: every move is counted as non-finite and falls back.
  3. Bad model files stop every rank before any step, naming the file and the mismatch: a missing file, a
     learned-ic model (wrong system and kind), a corrupt file, and the shipped 2-D model in a 3-D run.
--test shipped: the shipped model (the default `model file`):
  4. Helmholtz bump: the error is below the uniform mesh's, nothing is tangled or refused, and shadow mode
     (every move) writes its stats.csv columns and the displacement_shadow_difference field.
  5. The same run on 1 and 2 ranks gives the same displacement at every vertex to 1e-6 of the cell size
     (read from the .vtu files).
  6. hr-adaptivity (Q2, AMR every 4 steps, the recovered Hessian of a rotating hill) on 2 ranks, with a
     checkpoint after step 40: no tangled mesh reaches the physics, the mesh moves; the resumed run
     continues with the same rows (to 1e-6).
"""

import glob
import os
import re
import sys

import hyfetest as ht
import check_mesh_motion as cm

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODELS = os.path.join(SOURCE, "tests", "models")
sys.path.insert(0, os.path.join(SOURCE, "cases", "common"))
import vtu  # noqa: E402

os.environ["OMP_NUM_THREADS"] = "1"


def learned(settings, model=None, **entries):
    """@p settings (a monge-ampere case) with the learned mover, the same monge-ampere entries."""
    mover = dict(settings["mesh mover"])
    section = dict(mover.pop("monge-ampere"))
    if model:
        section["model file"] = model
    section.update(entries)
    mover.update({"type": "learned-monge-ampere", "learned-monge-ampere": section})
    out = dict(settings)
    out["mesh mover"] = mover
    return out


def summary_number(output, key):
    m = re.search(r"mesh_mover_%s: ([-0-9.e+]+)" % re.escape(key), output)
    return float(m.group(1)) if m else None


def test_guard(args, checker):
    base = cm.helmholtz_case("monge-ampere")
    classical, _ = cm.run_case(args, checker, "monge", base, np=2)
    uniform, _ = cm.run_case(args, checker, "uniform", cm.helmholtz_case("none"), np=2)
    tangle, r = cm.run_case(args, checker, "tangle", learned(base, os.path.join(MODELS, "mover-tangle.pt")), np=2)
    if classical and tangle:
        moves = summary_number(r.stdout, "learned moves")
        caught = summary_number(r.stdout, "tangled candidates (caught by the guard)")
        twin = summary_number(r.stdout, "fallbacks to monge-ampere")
        checker.check(moves == 2 and caught == moves and twin == moves and
                      summary_number(r.stdout, "fallbacks") == moves,
                      "tangle: every learned move (%s) is tangled, caught (%s) and replaced by monge-ampere (%s)"
                      % (moves, caught, twin))
        e0, e1 = classical[-1]["l2_error"], tangle[-1]["l2_error"]
        checker.check(ht.relative_difference(e0, e1) <= 1e-8 and tangle[-1]["mesh_mover_inverted_cells"] == 0,
                      "tangle: the run is the monge-ampere run (L2 error %.6e against %.6e), no inverted cell "
                      "reaches the physics" % (e1, e0))
    none, r = cm.run_case(args, checker, "tangle_none",
                          learned(base, os.path.join(MODELS, "mover-tangle.pt"), fallback="none"), np=2)
    if none and uniform:
        checker.check(ht.relative_difference(none[-1]["l2_error"], uniform[-1]["l2_error"]) <= 1e-10 and
                      summary_number(r.stdout, "fallbacks to monge-ampere") == 0 and
                      summary_number(r.stdout, "fallbacks") == 2,
                      "tangle, fallback = none: the guard keeps the reference mesh (L2 error %.6e, uniform %.6e)"
                      % (none[-1]["l2_error"], uniform[-1]["l2_error"]))
    nan, r = cm.run_case(args, checker, "nan", learned(base, os.path.join(MODELS, "mover-nan.pt")), np=2)
    if nan and classical:
        checker.check(summary_number(r.stdout, "non-finite learned displacements") == 2 and
                      summary_number(r.stdout, "fallbacks to monge-ampere") == 2 and
                      ht.relative_difference(nan[-1]["l2_error"], classical[-1]["l2_error"]) <= 1e-8,
                      "nan: both moves are non-finite, counted, and replaced by monge-ampere")
    three_d = ht.merge(cm.helmholtz_case("none"), {
        "dimension": 3, "mesh": {"generator arguments": "4 : 0 : 1 : false"},
        "mesh mover": {"type": "learned-monge-ampere", "learned-monge-ampere": {"monitor": "function",
                                                                                "expression": "1"}},
        "advection diffusion": {"advection velocity": "0; 0; 0"}})
    three_d["mesh mover"].pop("monge-ampere", None)
    cases = [
        ("missing", learned(base, os.path.join(MODELS, "no-such-mover.pt")), ["no-such-mover.pt"]),
        ("learned_ic", learned(base, os.path.join(SOURCE, "learned", "models", "learned-ic.pt")),
         ["learned-ic.pt", "preconditioner", "mesh mover", "learned-monge-ampere"]),
        ("corrupt", learned(base, os.path.join(MODELS, "corrupt.pt")), ["corrupt.pt"]),
        ("dimension", three_d, ["learned-monge-ampere.pt", "dimension 2", "dimension 3"]),
    ]
    for name, settings, needles in cases:
        _, r = cm.run_case(args, checker, "error_" + name, settings, np=2, timeout=60, expect_ok=False)
        checker.check(r.returncode not in (0, None) and not r.timed_out,
                      "%s: non-zero exit on 2 ranks, no hang (status %s, %.1f s)" % (name, r.returncode, r.seconds))
        missing = [n for n in needles if n not in r.output]
        checker.check(not missing, "%s: the message names %s" % (name, ", ".join(needles)),
                      "missing %s in:\n%s" % (missing, r.describe()))
        checker.check(not os.path.exists(os.path.join(args.work, "error_" + name, "output", "stats.csv")),
                      "%s: stops before any step" % name)


def displacements(folder):
    """{reference vertex (rounded): displacement} from the last output's .vtu pieces."""
    pieces = sorted(glob.glob(os.path.join(folder, "output", "*.vtu")))
    last = max(int(re.search(r"(\d+)\.\d+\.vtu$|(\d+)\.vtu$", p).group(1) or 0) for p in pieces)
    values = {}
    for p in pieces:
        if int(re.search(r"(\d+)\.\d+\.vtu$|(\d+)\.vtu$", p).group(1) or 0) != last:
            continue
        for record in vtu.read_vtu_pieces(p):
            for x, d in zip(record["points"], record["fields"]["mesh_mover_displacement"]):
                values[(round(x[0] - d[0], 5), round(x[1] - d[1], 5))] = d
    return values


def test_shipped(args, checker):
    base = ht.merge(cm.helmholtz_case("monge-ampere"), {"output": {"write fields": True}})
    uniform, _ = cm.run_case(args, checker, "uniform", cm.helmholtz_case("none"))
    rows = {}
    for np in (1, 2):
        rows[np], r = cm.run_case(args, checker, "shipped_np%d" % np, learned(base, **{"shadow interval": 1}), np=np)
        if rows[np] is None:
            return
    last = rows[2][-1]
    if uniform:
        checker.check(last["l2_error"] < uniform[-1]["l2_error"] and last["mesh_mover_fallback"] == 0 and
                      summary_number(r.stdout, "tangled candidates (caught by the guard)") == 0,
                      "shipped: L2 error %.4e below the uniform mesh's %.4e, nothing tangled or refused"
                      % (last["l2_error"], uniform[-1]["l2_error"]))
    checker.check(last["mesh_mover_shadow"] == 1 and last["mesh_mover_shadow_classical_iterations"] >= 0 and
                  last["mesh_mover_shadow_equidistribution"] > 0 and last["mesh_mover_shadow_max_difference"] > 0,
                  "shadow: stats.csv has the shadow columns (equidistribution learned %.4f, monge-ampere %.4f, "
                  "largest difference %.3f cell sizes)" % (last["mesh_mover_equidistribution"],
                                                           last["mesh_mover_shadow_equidistribution"],
                                                           last["mesh_mover_shadow_max_difference"]))
    pvtu = sorted(glob.glob(os.path.join(args.work, "shipped_np2", "output", "*.pvtu")))
    checker.check(pvtu and "mesh_mover_displacement_shadow_difference" in open(pvtu[-1]).read(),
                  "shadow: the output has the displacement_shadow_difference field")
    one, two = displacements(os.path.join(args.work, "shipped_np1")), displacements(
        os.path.join(args.work, "shipped_np2"))
    h = 0.05
    worst = max(max(abs(a - b) for a, b in zip(one[k], two[k])) for k in one if k in two) / h if one else 1.0
    checker.check(len(one) == 441 and set(one) == set(two) and worst <= 1e-6,
                  "1 and 2 ranks: the same displacement at all %d vertices (largest difference %.1e of the cell "
                  "size <= 1e-6)" % (len(one), worst))
    # hr-adaptivity with a checkpoint after step 40 (check_mesh_motion's AMR case, Q2)
    hr = ht.merge(cm.amr_case(), {"mesh mover": {"type": "learned-monge-ampere", "learned-monge-ampere": {
        "monitor": "hessian", "alpha": 3, "field": "c", "move interval": 2}}})
    rows, r = cm.run_case(args, checker, "hr_np2", hr, np=2)
    if rows:
        # a refused candidate's figures are in its row (mesh_mover_fallback = 1); the mesh in use is the previous one
        checker.check(max(row["mesh_mover_inverted_cells"] for row in rows if row["mesh_mover_fallback"] == 0) == 0 and
                      max(row["mesh_mover_max_displacement"] for row in rows) > 0.01 and
                      len(set(row["cells"] for row in rows)) > 2,
                      "hr: the mesh moves (largest displacement %.3f) and adapts, no inverted cell reaches the "
                      "physics (%s of %s learned moves refused)" %
                      (max(row["mesh_mover_max_displacement"] for row in rows),
                       summary_number(r.stdout, "fallbacks"), summary_number(r.stdout, "learned moves")))
        cm.check_restart(args, checker, "hr", hr, rows, 1e-6, "hr (learned)")


def main():
    def extra(parser):
        parser.add_argument("--test", required=True, choices=["guard", "shipped"])
        parser.add_argument("--source", default=SOURCE)

    args = ht.arguments(__doc__, extra)
    checker = ht.Checker("learned mover: " + args.test)
    {"guard": test_guard, "shipped": test_shipped}[args.test](args, checker)
    checker.finish()


if __name__ == "__main__":
    main()
