#!/usr/bin/env python3
"""Taylor-Green vortex at Re = 1600: E(t) and -dE/dt of a run against the 512^3 spectral DNS.

usage: validate.py [output folder] [--max-dissipation-error E] [--max-energy-error E] [--json FILE]
E = kinetic_energy / (2 pi)^3 (stats.csv holds integrals over the box); -dE/dt by central differences
of E (one-sided at the ends), compared with the DNS's dissipation rate interpolated to the run's times,
over the run's times in [0, 20] (the DNS ends at 19.99). Reports:
- the relative L2 error of -dE/dt, sqrt(int (eps - eps_DNS)^2 dt / int eps_DNS^2 dt), checked against
  --max-dissipation-error (default 1: a report, not a verdict);
- the relative L2 error of E, checked against --max-energy-error (default 1);
- the peak of -dE/dt and its time, against the DNS's (1.28575e-2 near t = 8.97);
- the resolved (2 nu <|eps(u)|^2>), SGS (closure_sgs_dissipation) and grad-div (grad_div_dissipation,
  gamma <|div u|^2>) dissipations at the peak.
The reference is DNS data (../shared/refdata/tgv_re1600_spectral512.gdiag); it never enters training.
"""
import json
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from hyfe_validate import REFDATA, Checks, command_line, interpolate, read_csv  # noqa: E402

folder, options = command_line(__file__, {"--max-dissipation-error": 1.0, "--max-energy-error": 1.0,
                                          "--json": ""})
volume = (2 * math.pi) ** 3
stats = read_csv(os.path.join(folder, "stats.csv"))
times = [0.0] + [r["time"] for r in stats]
energy = [0.125] + [r["kinetic_energy"] / volume for r in stats]   # E(0) of the initial field, exactly
dns = []
with open(os.path.join(REFDATA, "tgv_re1600_spectral512.gdiag")) as f:
    for line in f:
        if line.strip() and not line.startswith("#"):
            dns.append([float(v) for v in line.split()])
dns_t = [r[0] for r in dns]
dns_e = [r[1] for r in dns]
dns_eps = [r[2] for r in dns]


def derivative(i):
    """-dE/dt at times[i]: central differences inside, one-sided at the ends."""
    if i == 0:
        return -(energy[1] - energy[0]) / (times[1] - times[0])
    if i == len(times) - 1:
        return -(energy[i] - energy[i - 1]) / (times[i] - times[i - 1])
    return -(energy[i + 1] - energy[i - 1]) / (times[i + 1] - times[i - 1])


eps = [derivative(i) for i in range(len(times))]
keep = [i for i in range(len(times)) if times[i] <= dns_t[-1] + 1e-12]


def relative_l2(values, reference):
    """sqrt(int (a - b)^2 dt / int b^2 dt) by the trapezoidal rule over the kept times."""
    num = den = 0.0
    for k in range(1, len(keep)):
        i, j = keep[k - 1], keep[k]
        dt = times[j] - times[i]
        num += 0.5 * dt * ((values[i] - reference[i]) ** 2 + (values[j] - reference[j]) ** 2)
        den += 0.5 * dt * (reference[i] ** 2 + reference[j] ** 2)
    return math.sqrt(num / den)


ref_eps = [interpolate(dns_t, dns_eps, min(t, dns_t[-1])) for t in times]
ref_e = [interpolate(dns_t, dns_e, min(t, dns_t[-1])) for t in times]
eps_error = relative_l2(eps, ref_eps)
e_error = relative_l2(energy, ref_e)
peak = max(keep, key=lambda i: eps[i])
dns_peak = max(range(len(dns)), key=lambda i: dns_eps[i])
row = stats[peak - 1] if peak > 0 else stats[0]
resolved = row.get("viscous_dissipation", float("nan")) / volume
sgs = row.get("closure_sgs_dissipation", 0.0)
sgs = (sgs if isinstance(sgs, float) else 0.0) / volume
grad_div = row.get("grad_div_dissipation", 0.0) / volume   # gamma ||div u||^2, with grad-div only
times_per_step = [r["assembly_time"] + r["velocity_solve_time"] + r["pressure_solve_time"] for r in stats]
closure_time = [r.get("closure_time", 0.0) for r in stats]

checks = Checks("Taylor-Green 3D, Re 1600, to t = %g, %d cells, %d velocity DoFs, closure: %s"
                % (times[-1], stats[-1]["cells"], stats[-1]["velocity_dofs"],
                   "yes" if "closure_sgs_dissipation" in stats[0] else "none"))
checks.check("relative L2 error of -dE/dt", eps_error, eps_error <= options["--max-dissipation-error"],
             "(t in [0, %g]; tolerance %g)" % (times[keep[-1]], options["--max-dissipation-error"]))
checks.check("relative L2 error of E", e_error, e_error <= options["--max-energy-error"],
             "(tolerance %g)" % options["--max-energy-error"])
checks.check("peak of -dE/dt", eps[peak], True,
             "at t = %.2f (DNS: %.5e at t = %.2f); resolved %.4e + SGS %.4e + grad-div %.4e there"
             % (times[peak], dns_eps[dns_peak], dns_t[dns_peak], resolved, sgs, grad_div))
if options["--json"]:
    with open(options["--json"], "w") as f:
        json.dump({"dissipation_l2_error": eps_error, "energy_l2_error": e_error, "peak": eps[peak],
                   "peak_time": times[peak], "dns_peak": dns_eps[dns_peak], "dns_peak_time": dns_t[dns_peak],
                   "steps": len(stats), "velocity_dofs": stats[-1]["velocity_dofs"],
                   "median_step_time": sorted(times_per_step)[len(times_per_step) // 2],
                   "median_closure_time": sorted(closure_time)[len(closure_time) // 2],
                   "fallback_points": sum(r.get("closure_fallback_points", 0.0) for r in stats),
                   "times": times, "dissipation": eps}, f)
checks.finish()
