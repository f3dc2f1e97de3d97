"""The graph network of the learned mesh mover (learned/mesh_mover_learned.cc runs it in hyfe) and the
deformation it drives, the same operations as VertexGraph::deform() in solver/modules/mesh_graph.cc.

Per layer k: messages m_ij = M_k([h_i, h_j, a_ij]), h_i += U_k([h_i, mean_j m_ij]), an edge logit
l_ij = S_k . m_ij and a self logit s_i = T_k . h_i, both bounded to (-8, 8); every vertex moves
to the convex combination of its own and its neighbours' positions with the weights softmax(s_i, l_ij)
(a sliding vertex: only neighbours along its boundary, the normal part removed; a fixed vertex stays).
a_ij are the edge features: the reference and current offsets over the cell size h_i, a boundary flag.
"""
from typing import Tuple

import torch
from torch import nn


def mlp(n_in: int, hidden: int, n_out: int) -> nn.Module:
    return nn.Sequential(nn.Linear(n_in, hidden), nn.SiLU(), nn.Linear(hidden, n_out))


class Layer(nn.Module):
    """One message-passing and deformation layer."""

    def __init__(self, hidden: int, n_edge: int):
        super().__init__()
        self.message = mlp(2 * hidden + n_edge, hidden, hidden)
        self.update = mlp(2 * hidden, hidden, hidden)
        self.edge_score = nn.Linear(hidden, 1)
        self.self_score = nn.Linear(hidden, 1)

    def forward(self, h: torch.Tensor, edge_index: torch.Tensor,
                edge_attr: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        t, s = edge_index[0], edge_index[1]
        m = self.message(torch.cat([h[t], h[s], edge_attr], 1))
        total = torch.zeros_like(h).index_add_(0, t, m)
        count = torch.zeros(h.shape[0], dtype=h.dtype).index_add_(0, t, torch.ones_like(t, dtype=h.dtype))
        h = h + self.update(torch.cat([h, total / count.clamp(min=1.0).unsqueeze(1)], 1))
        logits = 8.0 * torch.tanh(self.edge_score(m).squeeze(1) / 8.0)
        own = 8.0 * torch.tanh(self.self_score(h).squeeze(1) / 8.0)
        return h, logits, own


class MoverNet(nn.Module):
    """encode / layer(k), as learned/mesh_mover_learned.cc calls them."""

    def __init__(self, n_node: int, n_edge: int, hidden: int, layers: int, mean: torch.Tensor, std: torch.Tensor):
        super().__init__()
        self.register_buffer("mean", mean.clone().float())
        self.register_buffer("std", std.clone().float())
        self.encoder = mlp(n_node, hidden, hidden)
        self.layers = nn.ModuleList([Layer(hidden, n_edge) for _ in range(layers)])

    @torch.jit.export
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder((x - self.mean) / self.std)

    @torch.jit.export
    def layer(self, k: int, h: torch.Tensor, edge_index: torch.Tensor,
              edge_attr: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        for i, layer in enumerate(self.layers):
            if i == k:
                return layer(h, edge_index, edge_attr)
        raise RuntimeError("no such layer")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.encode(x)


def edge_features(g, d):
    """VertexGraph::edge_features(): reference and current offsets over h_i, the boundary flag."""
    t, s = g["edge_index"][0], g["edge_index"][1]
    ref = g["edge_attr"][:, : g["dim"]]
    cur = ref + ((d[s] - d[t]) / g["h"][t].unsqueeze(1)).float()
    return torch.cat([ref, cur, g["edge_attr"][:, -1:]], 1)


def deform(g, d, logits, self_logits):
    """VertexGraph::deform(): one Jacobi step of the convex combinations (float64 positions)."""
    t, s = g["edge_index"][0], g["edge_index"][1]
    kind = g["kind"]
    allowed = ((kind[t] == 0) | (g["edge_attr"][:, -1] > 0.5)).double()
    w = torch.exp(logits.double()) * allowed
    offset = (g["xi"][s] - g["xi"][t]) + (d[s] - d[t])
    shift = torch.zeros_like(d).index_add_(0, t, w.unsqueeze(1) * offset)
    total = torch.exp(self_logits.double()) + torch.zeros(d.shape[0], dtype=d.dtype).index_add_(0, t, w)
    delta = shift / total.unsqueeze(1)
    n = g["normal"]
    sliding = (kind == 1).double().unsqueeze(1)
    delta = delta - sliding * (delta * n).sum(1, keepdim=True) * n
    delta = delta * (kind != 2).double().unsqueeze(1)
    return d + delta


def run(net, g):
    """The network's displacement of a whole graph (one rank, no ghosts), float64 [N, dim], from the
    linearised Monge-Ampere displacement."""
    d = g["linear"].clone()
    h = net.encode(g["x"])
    for k in range(len(net.layers)):
        h, logits, own = net.layers[k](h, g["edge_index"], edge_features(g, d))
        d = deform(g, d, logits, own)
    return d


def to_torch(sample):
    """A sample of mover_data.read_samples() as torch tensors."""
    g = {"dim": sample["dim"]}
    g["x"] = torch.from_numpy(sample["x"].copy())
    g["edge_index"] = torch.from_numpy(sample["edge_index"].copy())
    g["edge_attr"] = torch.from_numpy(sample["edge_attr"].copy())
    g["kind"] = torch.from_numpy(sample["kind"].astype("int64"))
    for key in ("h", "target", "xi", "normal", "linear"):
        g[key] = torch.from_numpy(sample[key].copy())
    return g


def batch(graphs):
    """Several graphs as one (node indices shifted)."""
    out, offset = {"dim": graphs[0]["dim"]}, 0
    parts = {k: [] for k in ("x", "edge_index", "edge_attr", "kind", "h", "target", "xi", "normal", "linear")}
    for g in graphs:
        for k in parts:
            parts[k].append(g[k] + offset if k == "edge_index" else g[k])
        offset += g["x"].shape[0]
    for k, v in parts.items():
        out[k] = torch.cat(v, 1 if k == "edge_index" else 0)
    return out
