#!/usr/bin/env python3
"""Trains the learned-ic preconditioner network on linear systems that hyfe dumped, and writes the
TorchScript file with its contract (learned/models/learned-ic.pt by default).

  /usr/bin/python3 learned/training/generate_data.py          # the systems, from hyfe (1 min)
  /usr/bin/python3 learned/training/train_learned_ic.py       # the model (5 min on one core)

Model (default `--model ric`, learned_ic.LearnedRIC): one round of message passing (`--layers`)
gives a relaxation per node and a correction per edge; four differentiable fixed-point sweeps
(`--sweeps`) of a relaxed incomplete Cholesky factorisation (Chow-Patel sweeps over the triangles of
the lower graph) give L. `--model ic` is the first version (learned_ic.LearnedIC), which outputs L
directly. Measured on the 2-refinement DFG matrix (CG iterations to 1e-8): 2 layers and 6 sweeps
(the previous default) 87 in 5.6 ms of inference, 1 layer and 4 sweeps 86 in 2.4 ms.

Seeds: a model is trained for each of `--seeds` (1234, 1, 2) and the one with the fewest CG
iterations on the validation matrices (`--validate`, the DFG matrix with 3 refinements) is kept.
The outcome depends on the seed: measured at 2 / 3 refinements, seed 1234 gives 86 / 163, seed 1
114 / 242, and seed 2 stalls at a broken factor (its random start makes the sweeps break down).

Loss (default `mixed`): NeuralIF's E_z ||(L L^T - S) z||^2 / ||z||^2 over Gaussian z (fixed, 16 per
matrix), plus `--smooth-weight` (1e-3) times ||(L L^T) S^-1 z - z||^2 / ||z||^2: the same residual for
the smooth vectors w = S^-1 z (one sparse direct solve per matrix, scipy), which IC(0) gets wrong and
on which CG with an incomplete factorisation converges slowly. The alternatives: `neuralif` (first
term only), `inverse` (second term only), `rayleigh` (variance of log Rayleigh quotients of rough
and smooth probes; scale-free). Measured, CG iterations to 1e-8 on the DFG matrix with 2 refinements
(IC(0): 138), `--model ic`, 500 steps: neuralif 190, inverse 116, mixed 110; rayleigh (older,
larger network) 216 already at 0 refinements. `--model ric`, mixed: 86.

Deterministic: fixed seeds, one thread, CPU only, full-batch Adam with a cosine schedule; the weights
are bit-identical from run to run.
"""
import argparse
import hashlib
import json
import os
import sys
import time

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import learned_ic  # noqa: E402
import petsc_binary  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TRAIN = ["dfg-2d-2-ref0", "dfg-2d-2-ref1", "dfg-2d-2-ref2"]
VALIDATE = ["dfg-2d-2-ref3"]


class System:
    """One matrix with its features, as tensors, and its sample vectors."""

    def __init__(self, name, path, n_vectors, rng):
        n, ptr, col, val, rhs = petsc_binary.read_system(path)
        self.name, self.n = name, n
        self.A = sp.csr_matrix((np.asarray(val), np.asarray(col), np.asarray(ptr)), shape=(n, n))
        self.rhs = np.asarray(rhs)
        node, edge_index, edge, diag = learned_ic.features(n, ptr, col, val)
        self.diag = diag
        self.node = torch.from_numpy(node)
        self.edge_index = torch.from_numpy(edge_index)
        self.edge = torch.from_numpy(edge)
        self.row, self.col = self.edge_index[0], self.edge_index[1]
        self.triangles = torch.from_numpy(learned_ic.triangles(n, edge_index, edge))
        self.is_lower = self.edge[:, 1] > 0
        self.s = self.edge[:, 0]
        d = 1.0 / np.sqrt(diag)
        self.S = sp.diags(d) @ self.A @ sp.diags(d)
        z = rng.standard_normal((n, n_vectors))
        solver = spla.splu(self.S.tocsc())
        w1 = solver.solve(z)
        w2 = solver.solve(w1)
        self.z = torch.from_numpy(z.astype(np.float32))
        self.w = torch.from_numpy(w1.astype(np.float32))
        # probes from rough to smooth, each column of unit norm (for the rayleigh loss)
        probes = np.concatenate([z, w1, w2], axis=1)
        self.probes = torch.from_numpy((probes / np.linalg.norm(probes, axis=0)).astype(np.float32))
        self.s_probes = learned_ic.scaled_times(self.s, self.row, self.col, self.probes)


def run_model(model, system):
    if isinstance(model, learned_ic.LearnedRIC) or getattr(model, "original_name", "") == "LearnedRIC":
        return model(system.node, system.edge_index, system.edge, system.triangles)
    return model(system.node, system.edge_index, system.edge)


def loss_of(model, system, kind, generator, smooth_weight=0.0):
    lower, diag = run_model(model, system)
    if kind == "rayleigh":
        lt = learned_ic.transpose_times(lower, diag, system.row, system.col, system.is_lower, system.probes)
        log_rho = torch.log((system.probes * system.s_probes).sum(0)) - torch.log((lt * lt).sum(0))
        return ((log_rho - log_rho.mean()) ** 2).mean()
    if kind == "inverse":
        r = learned_ic.factor_times(lower, diag, system.row, system.col, system.is_lower, system.w) - system.z
        return (r * r).sum() / (system.z * system.z).sum()
    w = system.z
    r = learned_ic.factor_times(lower, diag, system.row, system.col, system.is_lower, w) - learned_ic.scaled_times(
        system.s, system.row, system.col, w
    )
    loss = (r * r).sum() / (w * w).sum()
    if kind == "mixed":
        r = learned_ic.factor_times(lower, diag, system.row, system.col, system.is_lower, system.w) - system.z
        loss = loss + smooth_weight * (r * r).sum() / (system.z * system.z).sum()
    return loss


def factor_matrix(system, lower, diag):
    """The learned L of the scaled block, as a scipy CSR matrix."""
    mask = system.is_lower.numpy()
    r, c = system.row.numpy()[mask], system.col.numpy()[mask]
    n = system.n
    return sp.csr_matrix(
        (np.concatenate([lower[mask], diag]), (np.concatenate([r, np.arange(n)]), np.concatenate([c, np.arange(n)]))),
        shape=(n, n),
    )


def pcg_iterations(A, b, apply, tolerance=1e-8, max_iterations=5000):
    """Iterations of preconditioned CG to ||b - A x|| <= tolerance ||b|| from x = 0."""
    x = np.zeros_like(b)
    r = b.copy()
    z = apply(r)
    p = z.copy()
    rz = r @ z
    norm_b = np.linalg.norm(b)
    for k in range(1, max_iterations + 1):
        q = A @ p
        alpha = rz / (p @ q)
        x += alpha * p
        r -= alpha * q
        if np.linalg.norm(r) <= tolerance * norm_b:
            return k
        if not np.isfinite(alpha):  # a broken factor (a stalled training): no use in going on
            return max_iterations
        z = apply(r)
        rz_new = r @ z
        p = z + (rz_new / rz) * p
        rz = rz_new
    return max_iterations


def evaluate(model, system, max_iterations=1000):
    """CG iterations to 1e-8 with the learned factor (float64 application, as in hyfe), at most
    max_iterations (a factor that needs more is of no use, and a stalled training gives one)."""
    with torch.no_grad():
        lower, diag = run_model(model, system)
    L = factor_matrix(system, lower.double().numpy(), diag.double().numpy())
    Lt = L.T.tocsr()
    d = 1.0 / np.sqrt(system.diag)

    def apply(r):
        y = spla.spsolve_triangular(L, d * r, lower=True)
        return d * spla.spsolve_triangular(Lt, y, lower=False)

    return pcg_iterations(system.A, system.rhs, apply, max_iterations=max_iterations)


def train(args, seed, systems, start):
    """A model trained with this seed (full-batch Adam with a cosine schedule)."""
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    if args.model == "ric":
        model = learned_ic.LearnedRIC(args.hidden, args.layers, args.sweeps)
    else:
        model = learned_ic.LearnedIC(args.hidden, args.layers, args.diag)
    optimiser = torch.optim.Adam(model.parameters(), lr=args.learning_rate)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, args.steps)
    for step in range(1, args.steps + 1):
        optimiser.zero_grad()
        losses = [loss_of(model, s, args.loss, generator, args.smooth_weight) for s in systems]
        total = sum(losses) / len(losses)
        total.backward()
        optimiser.step()
        schedule.step()
        if step == 1 or step % 100 == 0:
            print(
                "seed %d step %4d  loss %.5f  (%s)  %.0f s"
                % (seed, step, total.item(), ", ".join("%.4f" % l.item() for l in losses), time.time() - start),
                flush=True,
            )
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.path.join(ROOT, "learned", "training", "data"))
    parser.add_argument("--train", nargs="*", default=TRAIN)
    parser.add_argument("--out", default=os.path.join(ROOT, "learned", "models", "learned-ic.pt"))
    parser.add_argument("--loss", choices=["mixed", "rayleigh", "inverse", "neuralif"], default="mixed")
    parser.add_argument("--smooth-weight", type=float, default=1e-3)
    parser.add_argument("--hidden", type=int, default=8)
    parser.add_argument("--layers", type=int, default=1)
    parser.add_argument("--diag", choices=["ic", "free"], default="free")
    parser.add_argument("--model", choices=["ric", "ic"], default="ric")
    parser.add_argument("--sweeps", type=int, default=4)
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--vectors", type=int, default=16)
    parser.add_argument("--learning-rate", type=float, default=3e-3)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1234, 1, 2])
    parser.add_argument("--seed", type=int, default=1234, help="seed of the sample vectors")
    parser.add_argument("--validate", nargs="*", default=VALIDATE)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    start = time.time()
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    rng = np.random.default_rng(args.seed)
    systems, validation = [], []
    for names, into in ((args.train, systems), (args.validate, validation)):
        for name in names:
            path = os.path.join(args.data, name + ".petsc")
            if not os.path.exists(path):
                sys.exit("%s missing: run learned/training/generate_data.py first" % path)
            into.append(System(name, path, args.vectors, rng))
            print("loaded %-16s n = %6d, edges = %7d" % (name, into[-1].n, into[-1].row.numel()), flush=True)

    # one model per seed; the one with the fewest CG iterations on the validation matrices is kept
    best = None
    for seed in args.seeds:
        model = train(args, seed, systems, start)
        iterations = [evaluate(model, s) for s in systems + validation]
        print(
            "seed %d: CG iterations to 1e-8 with the learned factor: %s"
            % (seed, ", ".join("%s %d" % (s.name, k) for s, k in zip(systems + validation, iterations))),
            flush=True,
        )
        score = sum(iterations[len(systems):]) if validation else sum(iterations)
        if best is None or score < best[0]:
            best = (score, seed, model)
    _, seed, model = best
    print("kept seed %d" % seed, flush=True)

    command = "/usr/bin/python3 learned/training/train_learned_ic.py " + " ".join(sys.argv[1:])
    contract = {
        "contract_version": 1,
        "system": "preconditioner",
        "model": "learned-ic",
        "dtype": "float32",
        "inputs": ["node_features", "edge_index", "edge_features"] + (["triangles"] if args.model == "ric" else []),
        "outputs": ["lower", "diag"],
        "normalisation": "diagonal-scaling-v1: S = D^-1/2 A D^-1/2 of the rank-local diagonal block; "
        "node_features [n, 4] = degree/8, lower-degree/max(degree,1), row sum of S, sum |s_ij|; "
        "edge_index [2, E] = (i, j) of the nonzero off-diagonal entries; edge_features [E, 2] = s_ij, "
        "+1 if j < i else -1; triangles [3, T] = lower-edge numbers (ij, ik, jk), k < j < i, lower edges "
        "numbered in edge order; outputs: L_ij of S on the edges with j < i, L_ii > 0",
        "architecture": ("message passing, %d layers, %d hidden, then %d relaxed-IC fixed-point sweeps" % (
            args.layers, args.hidden, args.sweeps)) if args.model == "ric" else (
            "message passing, %d layers, %d hidden, IC(0)-structured output, %s diagonal" % (
                args.layers, args.hidden, args.diag)),
        "loss": args.loss,
        "trained_on": "pressure Poisson matrices (Q1, 1 rank) of cases/dfg-2d-2 dumped by hyfe: " + ", ".join(args.train),
        "training_command": command.strip(),
        "seed": seed,
        "validated_on": args.validate,
        "steps": args.steps,
    }
    model.eval()  # inference paths (oneDNN linears) in the exported file
    scripted = torch.jit.script(model)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    torch.jit.save(scripted, args.out, _extra_files={"contract.json": json.dumps(contract, indent=1)})
    # hyfe checks the model against this side file (a corrupt or changed byte anywhere in the archive)
    with open(args.out + ".sha256", "w") as f:
        f.write("%s  %s\n" % (hashlib.sha256(open(args.out, "rb").read()).hexdigest(), os.path.basename(args.out)))
    print("wrote %s (%d bytes) in %.0f s" % (args.out, os.path.getsize(args.out), time.time() - start))


if __name__ == "__main__":
    main()
