#!/usr/bin/env python3
"""Writes the tiny TorchScript models of the contract tests (tests/unit/torch_model_tests.cc).

Run with Debian's python3 (python3-torch):  /usr/bin/python3 tests/models/make_test_models.py
Deterministic: no training, no random weights.
"""
import hashlib
import json
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))


class Scale(torch.nn.Module):
    """y = 2 x (the graph-index input is only checked for its presence)."""

    def forward(self, x: torch.Tensor, edges: torch.Tensor) -> torch.Tensor:
        return 2.0 * x + 0.0 * edges.sum().to(x.dtype)


class Truncate(torch.nn.Module):
    """Returns the first row only: the wrong output shape."""

    def forward(self, x: torch.Tensor, edges: torch.Tensor) -> torch.Tensor:
        return x[:1]


class BrokenIC(torch.nn.Module):
    """A learned-ic network that returns a negative diagonal: the guard must fall back."""

    def forward(self, node: torch.Tensor, edge_index: torch.Tensor, edge: torch.Tensor):
        return edge[:, 0] * 0.0, -torch.ones(node.shape[0])


class NanIC(torch.nn.Module):
    """A learned-ic network whose off-diagonal values are NaN."""

    def forward(self, node: torch.Tensor, edge_index: torch.Tensor, edge: torch.Tensor):
        return edge[:, 0] * float("nan"), torch.ones(node.shape[0])


class ConstantC2(torch.nn.Module):
    """learned-eddy-viscosity with C^2 = 0.17^2 everywhere: Smagorinsky with C_s = 0.17."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.full([x.shape[0]], 0.17 * 0.17, dtype=x.dtype)


class NanC2(torch.nn.Module):
    """learned-eddy-viscosity returning NaN where the strain dominates (f0 > 0), a negative C^2 elsewhere."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.where(x[:, 0] > 0, torch.full_like(x[:, 0], float("nan")), -torch.ones_like(x[:, 0]))


CLOSURE_FEATURES = ["strain_rotation_ratio", "strain_shape", "stretching", "rotation_strain_squared",
                    "log_cell_reynolds"]
CLOSURE = dict(inputs=("invariants",), outputs=("c2",), normalisation="closure-invariants-v1 (test model)",
               features=CLOSURE_FEATURES, dimension=3)

LEARNED_IC = dict(inputs=("node_features", "edge_index", "edge_features"), outputs=("lower", "diag"),
                  normalisation="diagonal-scaling-v1 (test model)")


def contract(system, model, inputs=("x", "edges"), outputs=("y",), normalisation="none", **extra):
    return json.dumps(dict({"contract_version": 1, "system": system, "model": model, "dtype": "float32",
                            "inputs": list(inputs), "outputs": list(outputs), "normalisation": normalisation,
                            "trained_on": "nothing: fixed weights for the tests",
                            "training_command": "python3 tests/models/make_test_models.py"}, **extra))


def save(module, name, contract_text):
    path = os.path.join(HERE, name)
    extra = {"contract.json": contract_text} if contract_text is not None else {}
    torch.jit.save(torch.jit.script(module), path, _extra_files=extra)
    write_sha256(path)
    return path


def write_sha256(path):
    """The side file <model>.sha256 (as sha256sum writes it) that hyfe checks the model against."""
    with open(path + ".sha256", "w") as f:
        f.write("%s  %s\n" % (hashlib.sha256(open(path, "rb").read()).hexdigest(), os.path.basename(path)))


def main():
    ok = save(Scale(), "scale.pt", contract("test", "scale"))
    save(Scale(), "wrong-kind.pt", contract("preconditioner", "other"))
    save(Scale(), "no-contract.pt", None)
    save(Truncate(), "truncate.pt", contract("test", "scale"))
    save(BrokenIC(), "broken-ic.pt", contract("preconditioner", "learned-ic", **LEARNED_IC))
    save(NanIC(), "nan-ic.pt", contract("preconditioner", "learned-ic", **LEARNED_IC))
    save(BrokenIC(), "wrong-inputs-ic.pt",
         contract("preconditioner", "learned-ic", inputs=("node_features", "edge_features", "edge_index"),
                  outputs=("lower", "diag"), normalisation="diagonal-scaling-v1"))
    save(ConstantC2(), "constant-c2.pt", contract("closure model", "learned-eddy-viscosity", **CLOSURE))
    save(NanC2(), "nan-c2.pt", contract("closure model", "learned-eddy-viscosity", **CLOSURE))
    save(ConstantC2(), "wrong-dimension-c2.pt",
         contract("closure model", "learned-eddy-viscosity", **dict(CLOSURE, dimension=2)))
    save(ConstantC2(), "wrong-features-c2.pt",
         contract("closure model", "learned-eddy-viscosity", **dict(CLOSURE, features=CLOSURE_FEATURES[::-1])))
    with open(os.path.join(HERE, "corrupt.pt"), "wb") as f:
        f.write(b"this is not a TorchScript archive\n")
    write_sha256(os.path.join(HERE, "corrupt.pt"))
    assert os.path.exists(ok + ".sha256")
    print("wrote the test models in", HERE)


if __name__ == "__main__":
    main()
