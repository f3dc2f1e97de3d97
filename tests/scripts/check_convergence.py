#!/usr/bin/python3
"""Convergence rates against exact solutions (stats.csv `l2_error`, `h1_error` of the last step).

--study space: steady scheme, manufactured solution u = sin(pi x) sin(pi y) + x y / 2 (3D: with
    sin(pi z), x y z / 2) on the unit square/cube, f = -div(kappa grad u) + sigma u + b.grad u:
    (a) "diffusion": kappa = 1 + x y, sigma = 1, b = 0, Dirichlet = u on the whole boundary;
    (b) "advection": kappa = 0.1 (1 + x y), sigma = 0, b = (1, 0.5), SUPG off, Dirichlet = u on
        x = 0 and y = 0, Neumann flux kappa du/dn on x = 1 and y = 1 (colorized cube).
    Expected: Q1 L2 2, H1 1; Q2 L2 3, H1 2.
--study space_supg: (c) as (b) but with SUPG on (hyfe's default) and Dirichlet everywhere: SUPG
    must stay consistent, so the same rates are expected.
--study space_3d: (a) and (b) in 3D, Q1 levels 2-5, Q2 levels 2-4, on 2 ranks (long only).
--study time: u = exp(-2 pi^2 kappa t) sin(pi (x - bx t)) sin(pi (y - by t)), which solves
    c_t + b.grad c = kappa lap c (f = 0) with kappa = 0.05, b = (1, 0.5); Dirichlet = u on the whole
    boundary, Q2 on a fine mesh (SUPG off, so that no spatial term pollutes), t in [0, 0.2] with
    5, 10, 20 (long: to 40) steps. Expected: bdf1 1, bdf2 2, crank-nicolson 2 (L2 error).

Every observed rate between successive refinements is printed; the rate of the finest pair must be
within the tolerance of the expected order: +-0.2 (quick) and +-0.15 (long), and the errors must
decrease monotonically.
"""

import os

import hyfetest as ht


def manufactured(dim, k0, kappa_variable, sigma, b):
    """Expression strings for u, f, kappa and the Neumann flux (for the faces x = 1 and y = 1)."""
    if dim == 2:
        s = "sin(pi*x)*sin(pi*y)"
        u = "%s + 0.5*x*y" % s
        grad = ["pi*cos(pi*x)*sin(pi*y) + 0.5*y", "pi*sin(pi*x)*cos(pi*y) + 0.5*x"]
        lap = "(-2*pi^2*%s)" % s
    else:
        s = "sin(pi*x)*sin(pi*y)*sin(pi*z)"
        u = "%s + 0.5*x*y*z" % s
        grad = ["pi*cos(pi*x)*sin(pi*y)*sin(pi*z) + 0.5*y*z", "pi*sin(pi*x)*cos(pi*y)*sin(pi*z) + 0.5*x*z",
                "pi*sin(pi*x)*sin(pi*y)*cos(pi*z) + 0.5*x*y"]
        lap = "(-3*pi^2*%s)" % s
    kappa = "%g*(1 + x*y)" % k0 if kappa_variable else "%g" % k0
    grad_kappa = (["%g*y" % k0, "%g*x" % k0] + ["0"] * (dim - 2)) if kappa_variable else ["0"] * dim
    terms = ["-(%s)*%s" % (kappa, lap)]
    terms += ["-(%s)*(%s)" % (gk, g) for gk, g in zip(grad_kappa, grad) if gk != "0"]
    if sigma:
        terms.append("%g*(%s)" % (sigma, u))
    terms += ["%g*(%s)" % (bi, g) for bi, g in zip(b, grad) if bi]
    source = " + ".join(terms)
    flux = "(%s)*((x > 1 - 1e-6)*(%s) + (y > 1 - 1e-6)*(%s))" % (kappa, grad[0], grad[1])
    return {"u": u, "source": source, "kappa": kappa, "flux": flux}


def steady_case(dim, degree, refinements, variant):
    b = [0.0] * dim
    if variant == "diffusion":
        m = manufactured(dim, 1.0, True, 1.0, b)
        supg, mixed = False, False
    else:
        b = [1.0, 0.5] + [0.25] * (dim - 2)
        m = manufactured(dim, 0.1, variant != "supg", 0.0, b)
        supg, mixed = variant == "supg", variant != "supg"
    if mixed:
        bc = {"dirichlet ids": "0, 2" + (", 4, 5" if dim == 3 else ""), "dirichlet value": m["u"],
              "neumann ids": "1, 3", "neumann flux": m["flux"]}
    else:
        bc = {"dirichlet ids": ", ".join(str(i) for i in range(2 * dim)), "dirichlet value": m["u"]}
    return {
        "dimension": dim,
        "time": {"end time": 1, "scheme": "steady"},
        "mesh": {"generator": "hyper_cube", "generator arguments": "0 : 1 : true", "global refinements": refinements},
        "output": {"directory": "output", "write fields": False, "progress interval": 1000},
        "advection diffusion": {
            "finite element degree": degree,
            "advection velocity": "; ".join("%g" % v for v in b),
            "diffusivity": m["kappa"],
            "reaction rate": "1" if variant == "diffusion" else "0",
            "source": m["source"],
            "exact solution": m["u"],
            "supg": supg,
            "boundary conditions": bc,
            "linear solver": {"relative tolerance": 1e-12, "absolute tolerance": 0,
                              "preconditioner": {"type": "direct" if dim == 2 else "boomeramg"}},
        },
    }


def time_case(scheme, steps, refinements):
    u = "exp(-2*pi^2*kappa*t)*sin(pi*(x-bx*t))*sin(pi*(y-by*t))"
    return {
        "dimension": 2,
        "time": {"end time": 0.2, "time step": 0.2 / steps, "scheme": scheme},
        "mesh": {"generator": "hyper_cube", "generator arguments": "0 : 1 : false", "global refinements": refinements},
        "output": {"directory": "output", "write fields": False, "progress interval": 1000},
        "advection diffusion": {
            "finite element degree": 2,
            "function constants": "kappa=0.05, bx=1, by=0.5",
            "advection velocity": "bx; by",
            "diffusivity": "kappa",
            "initial condition": u,
            "exact solution": u,
            "supg": False,
            "boundary conditions": {"dirichlet ids": "0", "dirichlet value": u},
            "linear solver": {"relative tolerance": 1e-12, "absolute tolerance": 0,
                              "preconditioner": {"type": "direct"}},
        },
    }


def sweep(args, checker, title, cases, ratio, expected, tolerance, np=1):
    """Runs @p cases [(label, settings)], checks the rates of l2/h1 (@p expected: {column: order})."""
    errors = []
    for label, settings in cases:
        folder = os.path.join(args.work, ("%s_%s" % (title, label)).replace(" ", "_"))
        os.makedirs(folder)
        ht.write_prm(os.path.join(folder, "case.prm"), settings)
        r = ht.run(args.mpirun, args.hyfe, ["case.prm"], np=np, cwd=folder, timeout=1200)
        if not checker.run_ok(r, "%s, %s" % (title, label)):
            return
        row = ht.read_stats(os.path.join(folder, "output", "stats.csv"))[-1]
        errors.append((label, row))
        print("      %s, %s: dofs %d, steps %d, L2 error %.6e, H1 error %.6e" %
              (title, label, row["dofs"], row["step"], row["l2_error"], row["h1_error"]), flush=True)
    for column, order in expected.items():
        values = [row[column] for _, row in errors]
        rates = [ht.rate(a, b, ratio) for a, b in zip(values, values[1:])]
        print("      %s %s rates: %s" % (title, column, ", ".join("%.3f" % r for r in rates)))
        checker.check(all(b < a for a, b in zip(values, values[1:])),
                      "%s: %s decreases monotonically (%s)" % (title, column, ", ".join("%.3e" % v for v in values)))
        checker.near(rates[-1], order, tolerance, "%s: %s rate of the finest pair" % (title, column))


def main():
    def extra(parser):
        parser.add_argument("--study", required=True, choices=["space", "space_supg", "space_3d", "time"])
        parser.add_argument("--size", default="quick", choices=["quick", "long"])
        parser.add_argument("--np", type=int, default=1)

    args = ht.arguments(__doc__, extra)
    long = args.size == "long"
    tolerance = 0.15 if long else 0.2
    checker = ht.Checker("convergence %s (%s)" % (args.study, args.size))
    orders = {1: {"l2_error": 2, "h1_error": 1}, 2: {"l2_error": 3, "h1_error": 2}}

    if args.study in ("space", "space_supg", "space_3d"):
        dim = 3 if args.study == "space_3d" else 2
        variants = ["supg"] if args.study == "space_supg" else ["diffusion", "advection"]
        if dim == 2:
            levels = {1: range(3, 8) if long else range(3, 6), 2: range(2, 7) if long else range(2, 5)}
        else:
            # from level 2: 8-cell meshes hang on 2 ranks (see two_ranks_small_mesh)
            levels = {1: range(2, 6), 2: range(2, 5)}
        for variant in variants:
            for degree in (1, 2):
                cases = [("level %d" % l, steady_case(dim, degree, l, variant)) for l in levels[degree]]
                sweep(args, checker, "%dD %s Q%d" % (dim, variant, degree), cases, 2.0, orders[degree], tolerance,
                      args.np)
    else:
        refinements = 6 if long else 5
        steps = [5, 10, 20, 40] if long else [5, 10, 20]
        for scheme, order in (("bdf1", 1), ("bdf2", 2), ("crank-nicolson", 2)):
            cases = [("%d steps" % n, time_case(scheme, n, refinements)) for n in steps]
            sweep(args, checker, "%s Q2 level %d" % (scheme, refinements), cases, 2.0, {"l2_error": order},
                  tolerance, args.np)
    checker.finish()


if __name__ == "__main__":
    main()
