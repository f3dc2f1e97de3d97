#!/usr/bin/env python3
"""Trains the learned mesh mover `learned-monge-ampere` on the meshes of hyfe's own `monge-ampere`
mover (generate_mover_data.py) and saves it with its contract.

Supervised: the loss is the mean squared distance between the network's and monge-ampere's vertex
positions, over the cell size h of each vertex, weighted by the monitor over its mean. monge-ampere's meshes are exact targets that hyfe makes
in seconds, and a supervised loss needs no differentiable Jacobian; the equidistribution that the targets
reach is what hyfe then measures on the held-out cases (benchmarks/mesh-movers.py).

Usage (from the repository root, after generate_mover_data.py):
  /usr/bin/python3 learned/training/train_mover.py [--data learned/training/data/mover]
      [--output learned/models/learned-monge-ampere.pt] [--epochs 60] [--seed 1]
Deterministic for a seed (one thread). About 15 minutes on one core.
"""
import argparse
import glob
import hashlib
import json
import math
import os
import random
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mover_data  # noqa: E402
import mover_model as mm  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
NORMALISATION = "mover-graph-v1: node features standardised inside the model ((x - mean) / std, over the training set)"
NODE_FEATURES = ["monitor_over_mean", "monitor_gradient_x", "monitor_gradient_y", "log2_cell_size_over_mean",
                 "sliding", "fixed", "hanging", "linearised_displacement_x", "linearised_displacement_y"]
EDGE_FEATURES = ["reference_offset_x", "reference_offset_y", "current_offset_x", "current_offset_y", "on_boundary"]


def contract(trained_on, command, layers, dimension=2):
    return json.dumps({"contract_version": 1, "system": "mesh mover", "model": "learned-monge-ampere",
                       "dtype": "float32", "inputs": ["node_features", "edge_index", "edge_features"],
                       "features": NODE_FEATURES + EDGE_FEATURES, "outputs": ["logits", "self_logits"],
                       "normalisation": NORMALISATION, "dimension": dimension, "layers": layers,
                       "trained_on": trained_on, "training_command": command})


def save(net, path, contract_text):
    """TorchScript with the contract inside, and the side file <path>.sha256 that hyfe checks."""
    net = net.float().eval()
    torch.jit.save(torch.jit.script(net), path, _extra_files={"contract.json": contract_text})
    with open(path + ".sha256", "w") as f:
        f.write("%s  %s\n" % (hashlib.sha256(open(path, "rb").read()).hexdigest(), os.path.basename(path)))


def load(pattern):
    graphs = []
    for path in sorted(glob.glob(pattern)):
        graphs += [mm.to_torch(s) for s in mover_data.read_samples(path)]
    return graphs


def loss_of(net, g):
    """The squared position error over h, weighted by m / mean(m): the cells where the monitor is large
    are those the mover is for."""
    d = mm.run(net, g)
    e = ((d - g["target"]) / g["h"].unsqueeze(1)) ** 2
    w = g["x"][:, 0].double()
    return (e.sum(1) * w).sum() / w.sum()


def metrics(net, graphs):
    """RMS position error over h of the network and of not moving at all (the target's own size)."""
    with torch.no_grad():
        err = ref = n = 0.0
        for g in graphs:
            d = mm.run(net, g)
            err += (((d - g["target"]) / g["h"].unsqueeze(1)) ** 2).sum().item()
            ref += ((g["target"] / g["h"].unsqueeze(1)) ** 2).sum().item()
            n += g["x"].shape[0]
    return {"rms_error_over_h": math.sqrt(err / n), "rms_target_over_h": math.sqrt(ref / n),
            "relative_error": math.sqrt(err / ref), "samples": len(graphs)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.join(ROOT, "learned", "training", "data", "mover"))
    ap.add_argument("--output", default=os.path.join(ROOT, "learned", "models", "learned-monge-ampere.pt"))
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--hidden", type=int, default=24)
    ap.add_argument("--layers", type=int, default=8)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)

    train = load(os.path.join(args.data, "train-n*.bin"))
    if not train:
        sys.exit(f"no training data in {args.data}: run learned/training/generate_mover_data.py first")
    x = torch.cat([g["x"] for g in train])
    mean, std = x.double().mean(0), x.double().std(0).clamp(min=0.05)
    net = mm.MoverNet(x.shape[1], train[0]["edge_attr"].shape[1], args.hidden, args.layers, mean, std)
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    steps = args.epochs * math.ceil(len(train) / args.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=steps)
    order = list(range(len(train)))
    start = time.time()
    for epoch in range(args.epochs):
        random.shuffle(order)
        total = 0.0
        for b in range(0, len(order), args.batch):
            g = mm.batch([train[i] for i in order[b:b + args.batch]])
            opt.zero_grad()
            loss = loss_of(net, g)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            sched.step()
            total += loss.item() * min(args.batch, len(order) - b)
        if epoch % 5 == 0 or epoch == args.epochs - 1:
            print(f"epoch {epoch:3d}  loss {total / len(order):.4f}  ({time.time() - start:.0f} s)", flush=True)
    held = {os.path.basename(p)[:-4]: load(p) for p in sorted(glob.glob(os.path.join(args.data, "heldout-*.bin")))}
    report = {"train": metrics(net, train)}
    for name, graphs in held.items():
        if graphs:
            report[name] = metrics(net, graphs)
    report["settings"] = vars(args) | {"training_seconds": round(time.time() - start, 1),
                                       "parameters": sum(p.numel() for p in net.parameters())}
    for name, r in report.items():
        print(name, r)
    trained_on = (f"{len(train)} monge-ampere meshes of hyfe (generate_mover_data.py: unit square 12..32 cells "
                  "a side, a third with hanging vertices, random anisotropic Gaussian and ring monitors)")
    command = "/usr/bin/python3 learned/training/train_mover.py " + " ".join(
        f"--{k} {v}" for k, v in (("epochs", args.epochs), ("hidden", args.hidden), ("layers", args.layers),
                                  ("seed", args.seed)))
    save(net, args.output, contract(trained_on, command, args.layers))
    with open(os.path.splitext(args.output)[0] + ".training.json", "w") as f:
        json.dump(report, f, indent=1, default=str)
    print("saved", args.output)


if __name__ == "__main__":
    main()
