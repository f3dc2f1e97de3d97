#!/usr/bin/python3
"""Mesh motion (issue 12): the displacement field, the Eulerian mapping, ALE and the guard, on the
`prescribed` mover (d(X, t) from an expression).

--test gcl: geometric conservation law: a constant scalar (advection-diffusion, Q1 and Q2, bdf1 and bdf2,
    advected by b = (1, 0.5)) and a uniform flow (Navier-Stokes, periodic box) stay uniform to 1e-12 on a
    mesh that moves non-uniformly in time; the output holds the displacement and mesh velocity fields.
--test space: manufactured steady advection-diffusion (check_convergence.py's variants) on a mesh deformed
    by d = 0.1 sin(pi x) sin(pi y) (0.6, 1): the fixed mesh's orders (Q1 L2 2, H1 1; Q2 L2 3, H1 2), +-0.2.
--test time: the time-dependent advection-diffusion solution of check_convergence.py on a mesh that moves
    smoothly in time: bdf1 order 1, bdf2 order 2 (+-0.2), and the Taylor-Green vortices (Navier-Stokes,
    BDF2, level 5, dt = 0.2, 0.1, 0.05 to t = 1) on a moving periodic mesh: order >= 1.8 for u.
--test amr: a moving mesh with AMR every 4 steps (hr-adaptivity: the displacement goes through the
    refinement) on 1 and 2 ranks: the same stats.csv to 1e-10, no cell inverted, the displacement continuous
    across hanging nodes (the mapped mesh has no gaps: the domain's area is exact to 1e-12); then a restart
    from the checkpoint in the middle continues bit-identically (the same rows to 1e-12).
--test guard: a motion that inverts cells from t = 0.16 on is refused by the guard at every such step and
    falls back (to the previous mesh, and to the reference mesh), counted in stats.csv and the summary; the
    run completes with a finite solution and no inverted mesh used.
--test bodies: moving bodies. (a) A box that moves rigidly, d = (0, A sin(2 pi t)), with no-slip on every (moving)
    wall: the flow must move with it, u = (0, A 2 pi cos(2 pi t)), p = A (2 pi)^2 sin(2 pi t) y: the walls take
    u = w, and the error converges at order 2 in time (dt = 0.02, 0.01). (b) The DFG 2D-2 cylinder moved by the
    `elasticity` mover with zero amplitude gives forces.csv identical to the fixed mesh's (the moved mapping keeps
    the curved cylinder); with amplitude 0.025 (t in [0, 0.05], d = 0.025 sin(10 pi t)) the cylinder's
    displacement is the prescribed one at the end, the cell quality stays above 0.9, nothing falls back.
--test monge: the `monge-ampere` mover. (a) The Helmholtz bump of cases/helmholtz-bump on 20 x 20 Q1 cells
    with the exact-Hessian monitor: at least 40 % less L2 error than the uniform mesh, the equidistribution
    measure at least 5 x smaller, the iterations in [20, 500], no fallback. (b) hr-adaptivity: the recovered
    Hessian of c with AMR every 4 steps on 1 and 2 ranks: the same rows to 1e-10, no cell inverted, the
    moved, adapted mesh covers the unit square exactly (hanging nodes continuous, boundaries slide along
    themselves); a restart in the middle continues with the same rows to 1e-9. The first 5 steps of
    cases/swirl (Q1, the recovered Hessian of c) on 1 and 2 ranks: the same rows to 1e-9. A 3-D bump on
    8^3 Q1 cells: at most 0.9 x the uniform mesh's L2 error. 'move threshold' alone moves on some steps
    and not on others. (c) A relaxation cut off after 3
    iterations falls back (counted), or stops the run with a clear message; a field the physics lacks is a
    parameter error naming the valid fields, on 2 ranks.
--test errors: a moving boundary id that the mesh lacks (also as an elasticity body), an expression error, and Crank-Nicolson on a
    moving mesh are parameter errors before any step, on 2 ranks.
"""

import math
import os
import re
import shutil

import hyfetest as ht
import check_convergence as cc

MOTION = "0.1*sin(pi*x)*sin(pi*y)*sin(2*pi*t); 0.05*sin(2*pi*x)*sin(pi*y)*sin(pi*t)"


def mover(displacement, extra=None):
    m = {"type": "prescribed", "prescribed": {"displacement": displacement}}
    m.update(extra or {})
    return {"mesh mover": m}


def run_case(args, checker, name, settings, np=1, timeout=300, expect_ok=True):
    folder = os.path.join(args.work, name)
    os.makedirs(folder, exist_ok=True)
    ht.write_prm(os.path.join(folder, "case.prm"), settings)
    r = ht.run(args.mpirun, args.hyfe, ["case.prm"], np=np, cwd=folder, timeout=timeout)
    if expect_ok and not checker.run_ok(r, name):
        return None, r
    stats = os.path.join(folder, "output", "stats.csv")
    return (ht.read_stats(stats) if os.path.exists(stats) else None), r


def scalar_case(degree, scheme, refinements=3, end=0.5, dt=0.05):
    return {
        "dimension": 2,
        "time": {"end time": end, "time step": dt, "scheme": scheme},
        "mesh": {"generator": "hyper_cube", "generator arguments": "0 : 1 : true", "global refinements": refinements},
        "output": {"directory": "output", "interval": 5, "progress interval": 1000},
        "advection diffusion": {
            "finite element degree": degree, "advection velocity": "1; 0.5", "diffusivity": "0.01",
            "initial condition": "1", "exact solution": "1",
            "boundary conditions": {"dirichlet ids": "0, 1, 2, 3", "dirichlet value": "1"},
            "linear solver": {"relative tolerance": 1e-14, "absolute tolerance": 0,
                              "preconditioner": {"type": "direct"}},
        },
    }


def test_gcl(args, checker):
    for degree in (1, 2):
        for scheme in ("bdf1", "bdf2"):
            name = "gcl_Q%d_%s" % (degree, scheme)
            rows, _ = run_case(args, checker, name, ht.merge(scalar_case(degree, scheme), mover(MOTION)))
            if rows is None:
                continue
            worst = max(max(r["l2_error"], r["h1_error"]) for r in rows)
            moved = max(r["mesh_mover_max_displacement"] for r in rows)
            checker.check(moved > 0.05, "%s: the mesh moves (largest displacement %.3f)" % (name, moved))
            checker.check(worst <= 1e-12, "%s: c = 1 stays uniform (largest L2/H1 error %.2e <= 1e-12)" % (name, worst))
    vtu = [f for f in os.listdir(os.path.join(args.work, "gcl_Q2_bdf2", "output")) if f.endswith(".vtu")]
    text = open(os.path.join(args.work, "gcl_Q2_bdf2", "output", sorted(vtu)[-1])).read() if vtu else ""
    for field in ("mesh_mover_displacement", "mesh_mover_mesh_velocity"):
        checker.check('Name="%s"' % field in text, "the output has the field %s" % field)
    flow = {
        "dimension": 2, "physics": "navier-stokes",
        "time": {"end time": 0.5, "time step": 0.05, "scheme": "bdf2"},
        "mesh": {"generator": "hyper_cube", "generator arguments": "0 : 1 : true", "global refinements": 3},
        "output": {"directory": "output", "write fields": False, "progress interval": 1000},
        "navier stokes": {
            "viscosity": 0.01, "initial velocity": "1; 0.5", "exact velocity": "1; 0.5", "exact pressure": "0",
            "boundary conditions": {"periodic pairs": "0 : 1 : x; 2 : 3 : y"},
            "velocity solver": {"relative tolerance": 1e-14, "absolute tolerance": 1e-15},
            "pressure solver": {"relative tolerance": 1e-14, "absolute tolerance": 1e-15},
        },
    }
    rows, _ = run_case(args, checker, "gcl_navier_stokes", ht.merge(flow, mover(MOTION)), np=2)
    if rows:
        worst = max(max(r["u_l2_error"], r["p_l2_error"]) for r in rows)
        checker.check(worst <= 1e-12, "gcl_navier_stokes: a uniform flow stays uniform on 2 ranks "
                      "(largest u/p L2 error %.2e <= 1e-12)" % worst)


def test_space(args, checker):
    deformed = "0.06*sin(pi*x)*sin(pi*y); 0.1*sin(pi*x)*sin(pi*y)"
    orders = {1: {"l2_error": 2, "h1_error": 1}, 2: {"l2_error": 3, "h1_error": 2}}
    levels = {1: range(3, 6), 2: range(2, 5)}
    for variant in ("diffusion", "advection"):
        for degree in (1, 2):
            cases = [("level %d" % l, ht.merge(cc.steady_case(2, degree, l, variant), mover(deformed)))
                     for l in levels[degree]]
            cc.sweep(args, checker, "moved %s Q%d" % (variant, degree), cases, 2.0, orders[degree], 0.2)


def test_time(args, checker):
    moving = "0.1*sin(pi*x)*sin(pi*y)*sin(5*pi*t); 0.05*sin(2*pi*x)*sin(pi*y)*sin(5*pi*t)"
    for scheme, order in (("bdf1", 1), ("bdf2", 2)):
        cases = [("%d steps" % n, ht.merge(cc.time_case(scheme, n, 5), mover(moving))) for n in (5, 10, 20)]
        cc.sweep(args, checker, "moving %s Q2" % scheme, cases, 2.0, {"l2_error": order}, 0.2)
    # the Taylor-Green vortices on a moving periodic mesh (the displacement vanishes on the boundary)
    text = open(os.path.join(os.path.dirname(args.hyfe_source), "cases", "taylor-green-2d", "case.prm")).read()
    errors = []
    for dt in (0.2, 0.1, 0.05):
        name = "tg_moving_dt%g" % dt
        folder = os.path.join(args.work, name)
        os.makedirs(folder)
        prm = text.replace("set global refinements  = 4", "set global refinements = 5")
        prm = prm.replace("set time step = 0.01", "set time step = %g" % dt)
        prm = prm.replace("set interval          = 20", "set interval = 0\n  set write fields = false")
        prm += ht.prm_text(mover("0.3*sin(x)*sin(y)*sin(2*t); 0.2*sin(x)*sin(0.5*y)*sin(2*t)"))
        open(os.path.join(folder, "case.prm"), "w").write(prm)
        r = ht.run(args.mpirun, args.hyfe, ["case.prm"], np=2, cwd=folder, timeout=600)
        if not checker.run_ok(r, name):
            return
        errors.append(ht.read_stats(os.path.join(folder, "output", "stats.csv"))[-1]["u_l2_error"])
    rates = [ht.rate(a, b) for a, b in zip(errors, errors[1:])]
    print("      Taylor-Green on a moving mesh, u L2 errors %s, rates %s" %
          (", ".join("%.3e" % e for e in errors), ", ".join("%.2f" % r for r in rates)))
    checker.check(rates[-1] >= 1.8, "Taylor-Green, moving mesh, BDF2: order of u %.2f >= 1.8" % rates[-1])


def amr_case():
    return ht.merge(scalar_case(2, "bdf2", refinements=3, end=0.48, dt=0.01), {
        "adaptivity": {"interval": 4, "refine fraction": 0.3, "coarsen fraction": 0.1, "minimum level": 2,
                       "maximum level": 5},
        "output": {"interval": 0, "write fields": False},
        "checkpoint": {"interval": 20},
        "advection diffusion": {
            "advection velocity": "-2*pi*(y-0.5); 2*pi*(x-0.5)", "diffusivity": "1e-3",
            "initial condition": "exp(-40*((x-0.75)^2+(y-0.5)^2))",
            "exact solution": "exp(-40*((x-0.5-0.25*cos(2*pi*t))^2+(y-0.5-0.25*sin(2*pi*t))^2))",
            "boundary conditions": {"dirichlet value": "0"},
            "linear solver": {"relative tolerance": 1e-13, "preconditioner": {"type": "boomeramg"}}},
    })


def check_restart(args, checker, name, settings, reference, tolerance, label=None):
    """Resumes a copy of the 2-rank run `<name>_np2` from its checkpoint after step 40: the rows after it
    must be @p reference's (the uninterrupted run) to @p tolerance, timings and solver residuals aside."""
    label = label or name
    folder = os.path.join(args.work, name + "_restart")
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(os.path.join(args.work, name + "_np2"), folder)
    ht.write_prm(os.path.join(folder, "case.prm"), ht.merge(settings, {"checkpoint": {"resume": "yes"}}))
    r = ht.run(args.mpirun, args.hyfe, ["case.prm"], np=2, cwd=folder, timeout=300)
    if not checker.run_ok(r, label + " restart"):
        return
    checker.check("resuming from the checkpoint" in r.stdout, "%s restart: resumed from the checkpoint" % label)
    rows = ht.read_stats(os.path.join(folder, "output", "stats.csv"))
    worst = 0.0
    for a, b in zip(reference, rows):
        for key in a:
            if key.endswith("_time") or key in ("linear_iterations", "final_residual"):
                continue
            worst = max(worst, ht.relative_difference(a[key], b[key]))
    checker.check([x["step"] for x in rows] == [x["step"] for x in reference] and worst <= tolerance,
                  "%s restart: the resumed run continues with the same rows (largest difference %.2e <= %.0e)" %
                  (label, worst, tolerance))


def test_amr(args, checker):
    # the area of the moved domain (integral of c = 1 would need a second run): the GCL run's mesh is
    # checked through the exact solution; here the comparison across ranks and the restart
    settings = ht.merge(amr_case(), mover(MOTION))
    results = {}
    for np in (1, 2):
        rows, r = run_case(args, checker, "amr_np%d" % np, settings, np=np)
        if rows is None:
            return
        results[np] = rows
        checker.check(min(row["mesh_mover_min_det_j"] for row in rows) > 0 and
                      max(row["mesh_mover_inverted_cells"] for row in rows) == 0,
                      "amr, %d rank(s): no cell inverted (smallest det J %.3e)" %
                      (np, min(row["mesh_mover_min_det_j"] for row in rows)))
        checker.check(len(set(row["cells"] for row in rows)) > 2, "amr, %d rank(s): the mesh adapts (%s cells)" %
                      (np, sorted(set(int(row["cells"]) for row in rows))[:6]))
    worst = 0.0
    for a, b in zip(results[1], results[2]):
        for key in ("cells", "dofs", "l2_error", "h1_error", "mesh_mover_max_displacement", "mesh_mover_min_det_j"):
            worst = max(worst, ht.relative_difference(a[key], b[key]))
    checker.check(len(results[1]) == len(results[2]) and worst <= 1e-10,
                  "amr: 1 and 2 ranks give the same rows (largest relative difference %.2e <= 1e-10)" % worst)
    # the displacement is continuous across hanging nodes: the mapped cells tile the moved domain, whose
    # area is that of the unit square (the motion vanishes on the boundary): checked with c = 1 on it
    area = ht.merge(settings, {"advection diffusion": {"initial condition": "1", "exact solution": "0",
                                                       "boundary conditions": {"dirichlet value": "1"}}})
    rows, _ = run_case(args, checker, "amr_area", area, np=2)
    if rows:
        # L2 error of c = 1 against 0 is sqrt(area)
        worst_area = max(abs(row["l2_error"] ** 2 - 1.0) for row in rows)
        checker.check(worst_area <= 1e-12, "amr: the adapted moved mesh covers the unit square exactly "
                      "(|area - 1| <= %.1e, hanging nodes continuous)" % worst_area)
    # restart: resume the 2-rank run from its checkpoint after step 40 and compare the rows after it
    check_restart(args, checker, "amr", settings, results[2], 1e-12)


def test_guard(args, checker):
    # x-displacement 2 t sin(pi x) sin(pi y): dx/dX = 1 + 2 pi t cos(pi x) sin(pi y) < 0 near x = 1 once
    # 2 pi t > 1 (t > 0.16)
    inverting = "2*t*sin(pi*x)*sin(pi*y); 0"
    for fallback in ("keep previous mesh", "reference mesh"):
        name = "guard_" + fallback.split()[0]
        rows, r = run_case(args, checker, name, ht.merge(scalar_case(1, "bdf2", refinements=4, end=0.4, dt=0.02),
                                                         mover(inverting, {"fallback": fallback})))
        if rows is None:
            continue
        late = [row for row in rows if row["time"] > 0.2]
        early = [row for row in rows if row["time"] < 0.1]
        checker.check(all(row["mesh_mover_fallback"] == 1 for row in late) and
                      all(row["mesh_mover_fallback"] == 0 for row in early),
                      "%s: the guard refuses every step after t = 0.2 and none before t = 0.1" % name)
        checker.check(all(row["mesh_mover_inverted_cells"] > 0 for row in late),
                      "%s: the refused candidates had inverted cells (%d at the end)" %
                      (name, rows[-1]["mesh_mover_inverted_cells"]))
        n = sum(row["mesh_mover_fallback"] for row in rows)
        match = re.search(r"mesh_mover_fallbacks: (\d+)", r.stdout)
        checker.check(match is not None and int(match.group(1)) == n,
                      "%s: the summary counts the %d fallbacks" % (name, n))
        checker.check(all(math.isfinite(row["l2_error"]) and row["l2_error"] <= 1e-12 for row in rows),
                      "%s: the solution stays finite and uniform on the meshes used" % name)


def test_bodies(args, checker):
    box = {
        "dimension": 2, "physics": "navier-stokes",
        "time": {"end time": 0.5, "time step": 0.01, "scheme": "bdf2"},
        "mesh": {"generator": "hyper_cube", "generator arguments": "0 : 1 : true", "global refinements": 3},
        "output": {"directory": "output", "write fields": False, "progress interval": 1000},
        "mesh mover": {"type": "prescribed", "moving boundary ids": "0, 1, 2, 3",
                       "prescribed": {"displacement": "0; 0.1*sin(2*pi*t)"}},
        "navier stokes": {
            "viscosity": 0.01, "function constants": "A=0.1, w=6.283185307179586",
            "initial velocity": "0; A*w", "exact velocity": "0; A*w*cos(w*t)",
            "exact pressure": "A*w^2*sin(w*t)*y",
            "boundary conditions": {"no-slip ids": "0, 1, 2, 3"},
            "velocity solver": {"relative tolerance": 1e-12}, "pressure solver": {"relative tolerance": 1e-12},
        },
    }
    errors = []
    for dt in (0.02, 0.01):
        rows, _ = run_case(args, checker, "rigid_box_dt%g" % dt, ht.merge(box, {"time": {"time step": dt}}), np=2)
        if rows is None:
            return
        errors.append(max(r["u_l2_error"] for r in rows))
    order = ht.rate(errors[0], errors[1])
    print("      rigid box: largest u L2 error %.3e (dt 0.02), %.3e (dt 0.01), order %.2f" % (errors[0], errors[1], order))
    checker.check(errors[1] < 5e-3 and order > 1.8, "rigid box: the flow moves with its walls (u error %.2e at "
                  "dt = 0.01, order %.2f > 1.8)" % (errors[1], order))

    source = os.path.join(os.path.dirname(args.hyfe_source), "cases", "dfg-2d-2", "case.prm")
    text = open(source).read().replace("../../meshes", os.path.join(os.path.dirname(args.hyfe_source), "meshes"))
    text = text.replace("set end time  = 8", "set end time = 0.05").replace("set global refinements = 1",
                                                                          "set global refinements = 0")
    forces = {}
    for name, amplitude in (("fixed", None), ("elastic0", "0"), ("elastic", "0.025")):
        folder = os.path.join(args.work, "cylinder_" + name)
        os.makedirs(folder)
        prm = text
        if amplitude is not None:
            prm += ht.prm_text({"mesh mover": {"type": "elasticity", "elasticity": {
                "boundary ids": "4", "boundary displacement": "0; %s*sin(10*pi*t)" % amplitude}}})
        open(os.path.join(folder, "case.prm"), "w").write(prm)
        r = ht.run(args.mpirun, args.hyfe, ["case.prm"], np=2, cwd=folder, timeout=300)
        if not checker.run_ok(r, "cylinder " + name):
            return
        with open(os.path.join(folder, "output", "forces.csv")) as f:
            forces[name] = f.read()
        if name == "elastic":
            rows = ht.read_stats(os.path.join(folder, "output", "stats.csv"))
            checker.check(abs(rows[-1]["time"] - 0.05) < 1e-12 and
                          abs(rows[-1]["mesh_mover_max_displacement"] - 0.025) < 1e-12,
                          "cylinder: displaced by the prescribed 0.025 at t = 0.05 (%.15f)" %
                          rows[-1]["mesh_mover_max_displacement"])
            checker.check(min(row["mesh_mover_min_quality"] for row in rows) > 0.9 and
                          sum(row["mesh_mover_fallback"] for row in rows) == 0,
                          "cylinder: quality >= %.3f > 0.9, no fallback" %
                          min(row["mesh_mover_min_quality"] for row in rows))
    checker.check(forces["elastic0"] == forces["fixed"],
                  "cylinder: zero amplitude gives the fixed mesh's forces.csv, identical")
    checker.check(forces["elastic"] != forces["fixed"], "cylinder: a moving cylinder changes the forces")


def helmholtz_case(mover_type, field="expression", solves=1):
    bump = "exp(-((x-0.51)^2 + (y-0.65)^2)/0.01)"
    return {
        "dimension": 2,
        "time": {"scheme": "steady", "end time": 1, "steady solves": solves},
        "mesh": {"generator": "subdivided_hyper_cube", "generator arguments": "20 : 0 : 1 : false"},
        "output": {"directory": "output", "write fields": False},
        "mesh mover": {"type": mover_type, "monge-ampere": {
            "monitor": "hessian", "alpha": 5, "field": field, "expression": bump, "pseudo time step": 0.3}},
        "advection diffusion": {
            "finite element degree": 1, "advection velocity": "0; 0", "diffusivity": "1", "reaction rate": "1",
            "source": bump + " * (1 + 400 - 40000*((x-0.51)^2 + (y-0.65)^2))",
            "initial condition": "0", "exact solution": bump,
            "boundary conditions": {"dirichlet ids": "0", "dirichlet value": bump},
            "linear solver": {"relative tolerance": 1e-12, "preconditioner": {"type": "direct"}}},
    }


def test_monge(args, checker):
    uniform, _ = run_case(args, checker, "monge_uniform", helmholtz_case("none"))
    moved, r = run_case(args, checker, "monge_exact", helmholtz_case("monge-ampere"))
    if uniform and moved:
        e0, e1 = uniform[-1]["l2_error"], moved[-1]["l2_error"]
        checker.check(e1 <= 0.6 * e0, "helmholtz: monge-ampere's L2 error %.4e is %.0f %% below the uniform "
                      "mesh's %.4e (>= 40 %%)" % (e1, 100 * (1 - e1 / e0), e0))
        its = int(re.search(r"mesh_mover_iterations: (\d+)", r.stdout).group(1))
        checker.check(20 <= its <= 500, "helmholtz: %d relaxation iterations in [20, 500]" % its)
        eq = moved[-1]["mesh_mover_equidistribution"]
        checker.check(eq <= 0.1, "helmholtz: equidistribution measure %.4f <= 0.1 (uniform mesh: about 0.49)" % eq)
        checker.check(moved[-1]["mesh_mover_fallback"] == 0 and moved[-1]["mesh_mover_min_quality"] > 0.3,
                      "helmholtz: no fallback, quality %.3f > 0.3" % moved[-1]["mesh_mover_min_quality"])
    # (b) hr-adaptivity with the recovered Hessian of c
    settings = ht.merge(amr_case(), {"mesh mover": {"type": "monge-ampere", "monge-ampere": {
        "monitor": "hessian", "alpha": 3, "field": "c", "move interval": 2, "pseudo time step": 0.2}}})
    results = {}
    for np in (1, 2):
        rows, r = run_case(args, checker, "monge_amr_np%d" % np, settings, np=np)
        if rows is None:
            return
        results[np] = rows
        checker.check(max(row["mesh_mover_inverted_cells"] for row in rows) == 0 and
                      sum(row["mesh_mover_fallback"] for row in rows) == 0,
                      "hr, %d rank(s): no cell inverted, no fallback (smallest quality %.3f)" %
                      (np, min(row["mesh_mover_min_quality"] for row in rows)))
        checker.check(max(row["mesh_mover_max_displacement"] for row in rows) > 0.01 and
                      len(set(row["cells"] for row in rows)) > 2,
                      "hr, %d rank(s): the mesh moves (largest displacement %.3f) and adapts" %
                      (np, max(row["mesh_mover_max_displacement"] for row in rows)))
    worst = 0.0
    for a, b in zip(results[1], results[2]):
        for key in ("cells", "dofs", "l2_error", "mesh_mover_max_displacement", "mesh_mover_min_det_j",
                    "mesh_mover_iterations", "mesh_mover_equidistribution"):
            worst = max(worst, ht.relative_difference(a[key], b[key]))
    checker.check(len(results[1]) == len(results[2]) and worst <= 1e-10,
                  "hr: 1 and 2 ranks give the same rows (largest relative difference %.2e <= 1e-10)" % worst)
    # the moved, adapted mesh tiles the unit square: the L2 norm of c = 1 is the area (with a monitor
    # that follows the rotating hill, since c = 1 has a flat one)
    area = ht.merge(amr_case(), {
        "mesh mover": {"type": "monge-ampere", "monge-ampere": {
            "monitor": "function", "move interval": 2, "pseudo time step": 0.2,
            "expression": "1 + 3*exp(-40*((x-0.5-0.25*cos(2*pi*t))^2+(y-0.5-0.25*sin(2*pi*t))^2))"}},
        "advection diffusion": {"initial condition": "1", "exact solution": "0",
                                "boundary conditions": {"dirichlet value": "1"}}})
    rows, _ = run_case(args, checker, "monge_amr_area1", area, np=2)
    if rows:
        worst_area = max(abs(row["l2_error"] ** 2 - 1.0) for row in rows)
        checker.check(worst_area <= 1e-12 and max(row["mesh_mover_max_displacement"] for row in rows) > 0.01,
                      "hr: the moved, adapted mesh covers the unit square exactly (|area - 1| = %.1e <= 1e-12)"
                      % worst_area)
    # restart from the checkpoint after step 40 of the 2-rank run. The prescribed mover restarts
    # bit-identically (--test amr); the relaxation's stopping test amplifies the round-off of the restarted
    # physics (its rows agree to the printed digits) to ~1e-11
    check_restart(args, checker, "monge_amr", settings, results[2], 1e-9, "hr")
    # Q1 (a MappingQEulerian) with a field monitor on 2 ranks: the point search meets artificial cells;
    # the first steps of cases/swirl on 1 and 2 ranks give the same rows
    swirl = open(os.path.join(args.source, "cases", "swirl", "case.prm")).read()
    swirl = re.sub(r"set end time\s*=\s*1", "set end time  = 0.01", swirl)
    swirl_rows = {}
    for np in (1, 2):
        folder = os.path.join(args.work, "monge_swirl_np%d" % np)
        os.makedirs(folder, exist_ok=True)
        open(os.path.join(folder, "case.prm"), "w").write(swirl)
        r = ht.run(args.mpirun, args.hyfe, ["case.prm"], np=np, cwd=folder, timeout=300)
        if checker.run_ok(r, "swirl, %d rank(s)" % np):
            swirl_rows[np] = ht.read_stats(os.path.join(folder, "output", "stats.csv"))
    if len(swirl_rows) == 2:
        worst = max(ht.relative_difference(a[key], b[key]) for a, b in zip(swirl_rows[1], swirl_rows[2])
                    for key in ("c_l2_norm", "mesh_mover_max_displacement", "mesh_mover_min_det_j",
                                "mesh_mover_equidistribution"))
        worst = max(worst, ht.relative_difference(swirl_rows[1][-1]["l2_error"], swirl_rows[2][-1]["l2_error"]))
        checker.check(len(swirl_rows[1]) == 5 and worst <= 1e-9 and
                      max(row["mesh_mover_max_displacement"] for row in swirl_rows[2]) > 0.01,
                      "swirl (Q1, field monitor): 1 and 2 ranks give the same moved meshes and rows (largest "
                      "relative difference %.2e <= 1e-9)" % worst)
    # 'move threshold': no step is due (interval 1000); the mesh moves when its measure exceeds 0.03
    folder = os.path.join(args.work, "monge_threshold")
    os.makedirs(folder, exist_ok=True)
    text = re.sub(r"set end time\s*=\s*1", "set end time  = 0.04", open(os.path.join(
        args.source, "cases", "swirl", "case.prm")).read())
    text = re.sub(r"set move interval\s*=\s*1", "set move interval = 1000\n    set move threshold = 0.03", text)
    open(os.path.join(folder, "case.prm"), "w").write(text)
    r = ht.run(args.mpirun, args.hyfe, ["case.prm"], np=1, cwd=folder, timeout=300)
    if checker.run_ok(r, "move threshold"):
        rows = ht.read_stats(os.path.join(folder, "output", "stats.csv"))
        moved = [row for row in rows if row["mesh_mover_iterations"] > 0]
        checker.check(3 <= len(moved) <= len(rows) - 3 and all(row["mesh_mover_equidistribution"] < 0.03
                                                               for row in moved),
                      "move threshold 0.03: %d of %d steps move, each back below it" % (len(moved), len(rows)))
    # 3-D: a bump on 8^3 Q1 cells, exact-Hessian monitor
    bump3 = "exp(-((x-0.5)^2 + (y-0.5)^2 + (z-0.5)^2)/0.04)"
    case3 = ht.merge(helmholtz_case("monge-ampere"), {
        "dimension": 3, "mesh": {"generator arguments": "8 : 0 : 1 : false"},
        "mesh mover": {"monge-ampere": {"expression": bump3}},
        "advection diffusion": {
            "advection velocity": "0; 0; 0", "exact solution": bump3,
            "source": bump3 + " * (1 + 6/0.04 - 4*((x-0.5)^2 + (y-0.5)^2 + (z-0.5)^2)/0.0016)",
            "boundary conditions": {"dirichlet value": bump3}}})
    moved3, _ = run_case(args, checker, "monge_3d", case3)
    uniform3, _ = run_case(args, checker, "monge_3d_uniform", ht.merge(case3, {"mesh mover": {"type": "none"}}))
    if moved3 and uniform3:
        e0, e1 = uniform3[-1]["l2_error"], moved3[-1]["l2_error"]
        checker.check(e1 <= 0.9 * e0 and moved3[-1]["mesh_mover_fallback"] == 0 and
                      moved3[-1]["mesh_mover_min_quality"] > 0.3,
                      "3-D bump on 8^3 cells: L2 error %.4e <= 0.9 x the uniform mesh's %.4e, no fallback, quality "
                      "%.3f > 0.3" % (e1, e0, moved3[-1]["mesh_mover_min_quality"]))
    # (c) no convergence: fallback (counted) or stop; a field the physics lacks
    cut = {"mesh mover": {"monge-ampere": {"max iterations": 3}}}
    rows, r = run_case(args, checker, "monge_cut_fallback", ht.merge(helmholtz_case("monge-ampere"), cut))
    if rows:
        match = re.search(r"mesh_mover_fallbacks: (\d+)", r.stdout)
        checker.check(match is not None and int(match.group(1)) >= 1 and rows[-1]["mesh_mover_max_displacement"] == 0,
                      "no convergence: the move falls back to the previous (uniform) mesh, counted (%s)" %
                      (match.group(1) if match else "no summary"))
    stop = ht.merge(helmholtz_case("monge-ampere"), {"mesh mover": {"monge-ampere": {
        "max iterations": 3, "if not converged": "stop"}}})
    _, r = run_case(args, checker, "monge_cut_stop", stop, np=2, timeout=60, expect_ok=False)
    checker.check(r.returncode not in (0, None) and not r.timed_out and "did not converge in 3 iterations" in r.output
                  and "if not converged" in r.output,
                  "no convergence with 'stop': a clear error, non-zero exit on 2 ranks (status %s)" % r.returncode,
                  r.describe())
    wrong = helmholtz_case("monge-ampere", field="temperature")
    _, r = run_case(args, checker, "monge_wrong_field", wrong, np=2, timeout=60, expect_ok=False)
    checker.check(r.returncode not in (0, None) and not r.timed_out and "mesh mover/monge-ampere/field" in r.output
                  and "temperature" in r.output and "expression, c" in r.output and "step     1" not in r.output,
                  "a field the physics lacks: the entry, the value and the valid fields, before any step",
                  r.describe())


def test_errors(args, checker):
    base = ht.merge(scalar_case(1, "bdf2"), mover(MOTION))
    cases = [
        ("missing_id", ht.merge(base, {"mesh mover": {"moving boundary ids": "7"}}),
         ["mesh mover/moving boundary ids", "7", "0, 1, 2, 3"]),
        ("elasticity_id", ht.merge(base, {"mesh mover": {"type": "elasticity",
                                                         "elasticity": {"boundary ids": "9"}}}),
         ["mesh mover/elasticity/boundary ids", "9", "0, 1, 2, 3"]),
        ("bad_expression", ht.merge(base, {"mesh mover": {"prescribed": {"displacement": "sin(x; 0"}}}),
         ["mesh mover/prescribed/displacement"]),
        ("wrong_components", ht.merge(base, {"mesh mover": {"prescribed": {"displacement": "0"}}}),
         ["mesh mover/prescribed/displacement"]),
        ("crank_nicolson", ht.merge(base, {"time": {"scheme": "crank-nicolson"}}),
         ["time/scheme", "crank-nicolson", "bdf1 or bdf2"]),
        ("bad_fallback", ht.merge(base, {"mesh mover": {"fallback": "monge"}}), ["fallback", "keep previous mesh"]),
    ]
    for name, settings, needles in cases:
        _, r = run_case(args, checker, "error_" + name, settings, np=2, timeout=60, expect_ok=False)
        checker.check(r.returncode not in (0, None) and not r.timed_out,
                      "%s: non-zero exit, no hang (status %s, %.1f s)" % (name, r.returncode, r.seconds))
        missing = [n for n in needles if n not in r.output]
        checker.check(not missing, "%s: the message names %s" % (name, ", ".join(needles)),
                      "missing %s in:\n%s" % (missing, r.describe()))
        checker.check("step     1" not in r.output and not os.path.exists(
            os.path.join(args.work, "error_" + name, "output", "stats.csv")), "%s: stops before any step" % name)


def main():
    def extra(parser):
        parser.add_argument("--test", required=True, choices=["gcl", "space", "time", "amr", "guard", "bodies",
                                                                 "errors", "monge"])
        parser.add_argument("--source", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                             ".."))

    args = ht.arguments(__doc__, extra)
    args.hyfe_source = os.path.join(os.path.abspath(args.source), "x")
    checker = ht.Checker("mesh motion: " + args.test)
    {"gcl": test_gcl, "space": test_space, "time": test_time, "amr": test_amr, "guard": test_guard,
     "bodies": test_bodies, "errors": test_errors, "monge": test_monge}[args.test](args, checker)
    checker.finish()


if __name__ == "__main__":
    main()
