#!/usr/bin/python3
"""Features, network and contract of the learned closure `learned-eddy-viscosity`.

The features must match learned/closure_learned_eddy_viscosity.cc exactly (`closure-invariants-v1`). With
S and W the symmetric and antisymmetric parts of g = grad u, s = S:S, w = W:W and t = s + w:
  f0 = (s - w) / t,  f1 = sqrt(6) tr(S^3) / s^(3/2),  f2 = tr(W^2 S) / t^(3/2),  f3 = tr(W^2 S^2) / t^2,
  f4 = log10(1 + Delta^2 |S| / nu),  |S| = sqrt(2 s);
0 where a denominator vanishes. The network returns C^2 = softplus(MLP(f)) >= 0 and hyfe sets
nu_t = C^2 Delta^2 |S|.
"""
import hashlib
import json
import os

import torch

FEATURES = ["strain_rotation_ratio", "strain_shape", "stretching", "rotation_strain_squared",
            "log_cell_reynolds"]
NORMALISATION = ("closure-invariants-v1: f0 = (S:S - W:W)/(S:S + W:W), f1 = sqrt(6) tr(S^3)/(S:S)^(3/2), "
                 "f2 = tr(W^2 S)/(S:S + W:W)^(3/2), f3 = tr(W^2 S^2)/(S:S + W:W)^2, "
                 "f4 = log10(1 + Delta^2 |S|/nu); nu_t = c2 Delta^2 |S|")


def features(g, delta, nu):
    """The [N, 5] features of velocity gradients g ([N, 3, 3], float64), filter widths delta ([N]) and nu."""
    S = 0.5 * (g + g.transpose(1, 2))
    W = 0.5 * (g - g.transpose(1, 2))
    s = (S * S).sum((1, 2))
    w = (W * W).sum((1, 2))
    t = s + w
    S2, W2 = S @ S, W @ W
    tr = lambda a: a.diagonal(dim1=1, dim2=2).sum(1)  # noqa: E731
    safe_t = torch.where(t > 0, t, torch.ones_like(t))
    safe_s = torch.where(s > 0, s, torch.ones_like(s))
    zero = torch.zeros_like(t)
    f0 = torch.where(t > 0, (s - w) / safe_t, zero)
    f1 = torch.where(s > 0, 6 ** 0.5 * tr(S2 @ S) / safe_s ** 1.5, zero)
    f2 = torch.where(t > 0, tr(W2 @ S) / safe_t ** 1.5, zero)
    f3 = torch.where(t > 0, tr(W2 @ S2) / safe_t ** 2, zero)
    f4 = torch.log10(1 + delta ** 2 * torch.sqrt(2 * s) / nu)
    return torch.stack([f0, f1, f2, f3, f4], 1)


class EddyViscosityNet(torch.nn.Module):
    """C^2 = softplus(MLP(f)) * scale: non-negative; the scale keeps C^2 of order C_s^2 at initialisation."""

    def __init__(self, width: int = 16):
        super().__init__()
        self.mlp = torch.nn.Sequential(torch.nn.Linear(len(FEATURES), width), torch.nn.Tanh(),
                                       torch.nn.Linear(width, width), torch.nn.Tanh(),
                                       torch.nn.Linear(width, 1))
        self.scale = 0.03

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.scale * torch.nn.functional.softplus(self.mlp(x)).squeeze(1)


def contract(trained_on, training_command, dimension=3):
    return json.dumps({"contract_version": 1, "system": "closure model", "model": "learned-eddy-viscosity",
                       "dtype": "float32", "inputs": ["invariants"], "features": FEATURES, "outputs": ["c2"],
                       "normalisation": NORMALISATION, "dimension": dimension, "trained_on": trained_on,
                       "training_command": training_command})


def save(module, path, contract_text):
    """TorchScript with the contract inside, and the side file <path>.sha256 that hyfe checks."""
    module = module.float().eval()
    torch.jit.save(torch.jit.script(module), path, _extra_files={"contract.json": contract_text})
    with open(path + ".sha256", "w") as f:
        f.write("%s  %s\n" % (hashlib.sha256(open(path, "rb").read()).hexdigest(), os.path.basename(path)))
