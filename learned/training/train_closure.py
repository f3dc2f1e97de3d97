#!/usr/bin/python3
"""Trains the shipped learned closure learned/models/learned-eddy-viscosity.pt (issue 11).

Data: learned/training/closure_data.py (hyfe's resolved Taylor-Green runs at Re = 400 and 800, box-filtered
at the widths 2 pi/8 and 2 pi/16). Target: the subfilter production P = -tau^d : S of each box. The model's
dissipation at the cell is D = 2 nu_t S:S = C^2 Delta^2 |S|^3, and the loss is the least-squares
mismatch sum (D - P)^2 / sum P^2: for a constant C^2 its minimiser is Lilly's least-squares coefficient
from the true subfilter stress, so the network generalises the dynamic procedure's fit to a coefficient
that depends on the local invariants (strain against rotation, strain shape, stretching, cell Reynolds
number). Matching the energy transfer (not the stress tensor, which an eddy viscosity cannot represent
in its non-aligned part) is what an a-posteriori energy budget needs.

  /usr/bin/python3 learned/training/train_closure.py [--train 400 800] [--held-out 1200]

Deterministic: seed 0, one thread, full-batch Adam. Under a minute on one core. It prints the a-priori
figures (relative least-squares error and correlation of D with P) for the network, the best constant
C^2 and Smagorinsky's C_s = 0.17, on the training data and on any held-out Reynolds number.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import closure_features as cf  # noqa: E402


def load(re_numbers, tag=""):
    parts = [np.load(os.path.join(HERE, "data", "closure-%d%s.npz" % (r, tag))) for r in re_numbers]
    g = torch.tensor(np.concatenate([p["g"] for p in parts]))
    delta = torch.tensor(np.concatenate([p["delta"] for p in parts]))
    nu = torch.tensor(np.concatenate([np.full(len(p["P"]), float(p["nu"])) for p in parts]))
    P = torch.tensor(np.concatenate([p["P"] for p in parts]))
    x = cf.features(g, delta, nu)
    S = 0.5 * (g + g.transpose(1, 2))
    smag = torch.sqrt(2 * (S * S).sum((1, 2)))
    return x.float(), (delta ** 2 * smag ** 3).float(), P.float()


def figures(c2, basis, P):
    D = c2 * basis
    err = float(((D - P) ** 2).sum() / (P ** 2).sum())
    corr = float(torch.corrcoef(torch.stack([D, P]))[0, 1]) if D.std() > 0 else float("nan")
    return {"relative_ls_error": err, "correlation": corr, "dissipation_ratio": float(D.sum() / P.sum())}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", type=int, nargs="+", default=[400, 800])
    parser.add_argument("--held-out", type=int, nargs="*", default=[])
    parser.add_argument("--data-tag", default="-gd1", help="suffix of the data files, e.g. -gd1 (closure_data.py"
                        " --grad-div 1)")
    parser.add_argument("--iterations", type=int, default=3000)
    parser.add_argument("--output", default=os.path.join(ROOT, "learned", "models", "learned-eddy-viscosity.pt"))
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(1)
    x, basis, P = load(args.train, args.data_tag)
    net = cf.EddyViscosityNet()
    optimiser = torch.optim.Adam(net.parameters(), lr=3e-3)
    norm = (P ** 2).sum()
    for it in range(args.iterations + 1):
        optimiser.zero_grad()
        loss = ((net(x) * basis - P) ** 2).sum() / norm
        loss.backward()
        optimiser.step()
        if it % 500 == 0:
            print("iteration %5d: relative least-squares error %.4f" % (it, float(loss)))
    net.eval()
    report = {}
    with torch.no_grad():
        best = float((P * basis).sum() / (basis * basis).sum())
        sets = [("train Re " + "+".join(map(str, args.train)), (x, basis, P))]
        sets += [("held-out Re %d" % r, load([r], args.data_tag)) for r in args.held_out]
        for name, (xs, bs, ps) in sets:
            report[name] = {"network": figures(net(xs), bs, ps),
                            "best constant C^2 = %.4f" % best: figures(torch.full_like(ps, best), bs, ps),
                            "smagorinsky C_s = 0.17": figures(torch.full_like(ps, 0.17 ** 2), bs, ps)}
            c2 = net(xs)
            report[name]["network"]["c2_mean"] = float(c2.mean())
            report[name]["network"]["c2_range"] = [float(c2.min()), float(c2.max())]
    print(json.dumps(report, indent=1))
    grad_div = args.data_tag[3:] if args.data_tag.startswith("-gd") else "0"
    command = "/usr/bin/python3 learned/training/closure_data.py --re %s --grad-div %s && /usr/bin/python3 " \
              "learned/training/train_closure.py --train %s --data-tag=%s" % (
                  " ".join(map(str, args.train)), grad_div, " ".join(map(str, args.train)), args.data_tag)
    trained_on = ("hyfe's Taylor-Green vortex, Re = %s, 16^3 Q2 cells, grad-div %s, t in [2, 8], box-filtered at widths "
                  "2 pi/8 and 2 pi/16 (Delta = the box width: use filter width = volume/(k+1)); target: the "
                  "subfilter production -tau^d:S; "
                  "a-priori relative LS error %.3f (best constant C^2: %.3f)"
                  % ("/".join(map(str, args.train)), grad_div,
                     report[sets[0][0]]["network"]["relative_ls_error"],
                     report[sets[0][0]]["best constant C^2 = %.4f" % best]["relative_ls_error"]))
    cf.save(net, args.output, cf.contract(trained_on, command))
    with open(os.path.splitext(args.output)[0] + ".training.json", "w") as f:
        json.dump(report, f, indent=1)
    print("wrote", args.output)


if __name__ == "__main__":
    main()
