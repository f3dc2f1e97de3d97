#!/usr/bin/env python3
"""Writes learned/models/selfcheck.pt: a TorchScript model y = W x + b with W = [[1, 2]], b = 0.5.

`hyfe --version` loads it through LibTorch and checks f([3, 4]) = 11.5, which shows that LibTorch
loads and runs TorchScript files in this build. Deterministic: no training, fixed weights.
Run with Debian's python3 (package python3-torch):  /usr/bin/python3 learned/training/make_selfcheck_model.py
"""
import json
import os

import torch


def main():
    model = torch.nn.Linear(2, 1)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[1.0, 2.0]]))
        model.bias.fill_(0.5)
    scripted = torch.jit.script(model)
    contract = {"contract_version": 1, "system": "selfcheck", "model": "linear-2-1",
                "inputs": ["x0", "x1"], "outputs": ["y = x0 + 2 x1 + 0.5"], "dtype": "float32",
                "training_command": "python3 learned/training/make_selfcheck_model.py"}
    out = os.path.join(os.path.dirname(__file__), "..", "models", "selfcheck.pt")
    torch.jit.save(scripted, out, _extra_files={"contract.json": json.dumps(contract)})
    print("wrote", os.path.normpath(out))


if __name__ == "__main__":
    main()
