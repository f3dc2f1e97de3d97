#!/usr/bin/env python3
"""Makes the tiny hand-built mover models of the tests (tests/models/mover-*.pt), with contracts:

  mover-tangle.pt   swaps neighbours: a vertex whose monitor is above the mean moves onto its left
                    neighbour, the others onto their right one, so cells at the front invert (the guard
                    must catch every one and fall back)
  mover-nan.pt      returns NaN logits (a non-finite displacement: the fallback)

Usage: /usr/bin/python3 tests/models/make_mover_test_models.py
"""
import os
import sys
from typing import Tuple

import torch
from torch import nn

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "learned", "training"))
import train_mover  # noqa: E402


class Tangle(nn.Module):
    def __init__(self, nan: bool):
        super().__init__()
        self.nan = nan

    @torch.jit.export
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, 0:1].clone()

    @torch.jit.export
    def layer(self, k: int, h: torch.Tensor, edge_index: torch.Tensor,
              edge_attr: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        t = edge_index[0]
        dx, dy = edge_attr[:, 0], edge_attr[:, 1]
        horizontal = (dy.abs() < 1e-3) & (dx.abs() > 1e-3)
        wanted = torch.where(h[t, 0] > 1.0, dx < 0, dx > 0) & horizontal
        logits = torch.where(wanted, torch.full_like(dx, 8.0), torch.full_like(dx, -8.0))
        own = torch.full((h.shape[0],), -8.0)
        if self.nan:
            logits = logits * float("nan")
        return h, logits, own

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.encode(x)


def main():
    for name, nan in (("mover-tangle", False), ("mover-nan", True)):
        path = os.path.join(ROOT, "tests", "models", name + ".pt")
        train_mover.save(Tangle(nan), path,
                         train_mover.contract("hand-built test model (no training)",
                                              "/usr/bin/python3 tests/models/make_mover_test_models.py", 1))
        print("wrote", path)


if __name__ == "__main__":
    main()
