"""The learned-ic network, its input features and its loss: shared by train_learned_ic.py and the
evaluation scripts. The feature construction here is the reference for the C++ side
(learned/precond_learned_ic.cc), which must compute exactly the same inputs.

Graph: the rank-local diagonal block A of an SPD matrix. Nodes are the rows; edges are the nonzero
off-diagonal entries, in both directions (row i, column j), as they come in the CSR rows.

Normalisation: the block is scaled symmetrically by its diagonal, S = D^-1/2 A D^-1/2, so that the
network sees unit diagonals and s_ij = a_ij / sqrt(a_ii a_jj) in [-1, 1] whatever the mesh size,
the dimension or the coefficient scale. The factor it returns is that of S: S ~ L L^T. hyfe applies
z = D^-1/2 (L L^T)^-1 D^-1/2 r.

Inputs (contract order):
  node_features [n, 4] float32: degree / 8, (number of lower neighbours j < i) / max(degree, 1),
                                row sum of S (1 + sum_j s_ij), sum_j |s_ij| (j != i)
  edge_index    [2, E] int64:   row i, column j of each off-diagonal nonzero
  edge_features [E, 2] float32: s_ij, +1 if j < i (an entry of the lower triangle) else -1
Outputs:
  lower [E] float32: L_ij for the edges with j < i (the values of the other edges are ignored)
  diag  [n] float32: L_ii > 0

Architecture (cheap enough to run once per matrix on every rank): node embeddings updated by
message passing whose messages are s_ij h_j summed over the lower and the upper neighbours
separately (index_add_), then per-node MLPs; the factor follows the structure of IC(0),
L_ij = s_ij / L_jj (1 + t_ij), with t_ij = tanh(p_i + q_j + c s_ij) from node outputs p, q, and
the diagonal from IC(0)'s formula with a learned compensation (see LearnedIC).
"""
import numpy as np
import torch
from torch import nn


def features(n, pointers, columns, values):
    """(node_features, edge_index, edge_features, diagonal) of a CSR block, as numpy arrays."""
    pointers = np.asarray(pointers, dtype=np.int64)
    columns = np.asarray(columns, dtype=np.int64)
    values = np.asarray(values, dtype=np.float64)
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(pointers))
    is_diag = rows == columns
    diag = np.zeros(n)
    diag[rows[is_diag]] = values[is_diag]
    if np.any(diag <= 0):
        raise ValueError("the block has a non-positive diagonal entry: not SPD")
    keep = (~is_diag) & (values != 0)
    row, col, val = rows[keep], columns[keep], values[keep]
    s = val / np.sqrt(diag[row] * diag[col])
    degree = np.bincount(row, minlength=n).astype(np.float64)
    n_lower = np.bincount(row[col < row], minlength=n).astype(np.float64)
    row_sum = 1.0 + np.bincount(row, weights=s, minlength=n)
    abs_sum = np.bincount(row, weights=np.abs(s), minlength=n)
    node = np.stack([degree / 8.0, n_lower / np.maximum(degree, 1.0), row_sum, abs_sum], axis=1)
    edge_index = np.stack([row, col])
    edge = np.stack([s, np.where(col < row, 1.0, -1.0)], axis=1)
    return node.astype(np.float32), edge_index, edge.astype(np.float32), diag


class Layer(nn.Module):
    """One round of message passing: sums of s_ij h_j over the lower and over the upper neighbours
    (one gather and one index_add_ over each half of the edges), then a node MLP."""

    def __init__(self, hidden: int):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(3 * hidden, hidden), nn.ReLU(), nn.Linear(hidden, hidden))

    def forward(self, h, row_l, col_l, s_l, row_u, col_u, s_u):
        lower = torch.zeros_like(h).index_add_(0, row_l, h.index_select(0, col_l) * s_l.unsqueeze(1))
        upper = torch.zeros_like(h).index_add_(0, row_u, h.index_select(0, col_u) * s_u.unsqueeze(1))
        return h + self.mlp(torch.cat([h, lower, upper], dim=1))


class LearnedIC(nn.Module):
    """Message-passing network that returns an incomplete Cholesky factor of the scaled block.

    diag = "ic": the diagonal follows IC(0)'s formula L_ii^2 = 1 - sum_j L_ij^2 - g_i with a learned
    compensation g_i (as modified IC puts the dropped fill on the diagonal), iterated `sweeps`
    times from a learned start, and bounded below by 0.05; diag = "free": L_ii = softplus(r_i) + 1e-3.
    """

    def __init__(self, hidden: int = 8, layers: int = 2, diag: str = "free", sweeps: int = 2):
        super().__init__()
        self.encode = nn.Sequential(nn.Linear(4, hidden), nn.ReLU(), nn.Linear(hidden, hidden))
        self.layers = nn.ModuleList([Layer(hidden) for _ in range(layers)])
        self.heads = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 4))
        self.coupling = nn.Parameter(torch.zeros(1))
        self.ic_diagonal = diag == "ic"
        self.sweeps = sweeps

    def forward(self, node_features, edge_index, edge_features):
        row = edge_index[0]
        col = edge_index[1]
        s = edge_features[:, 0]
        lower_edges = torch.nonzero(edge_features[:, 1] > 0).squeeze(1)
        upper_edges = torch.nonzero(edge_features[:, 1] <= 0).squeeze(1)
        row_l, col_l, s_l = row.index_select(0, lower_edges), col.index_select(0, lower_edges), s.index_select(0, lower_edges)
        row_u, col_u, s_u = row.index_select(0, upper_edges), col.index_select(0, upper_edges), s.index_select(0, upper_edges)
        h = self.encode(node_features)
        for layer in self.layers:
            h = layer(h, row_l, col_l, s_l, row_u, col_u, s_u)
        out = self.heads(h)
        t = torch.tanh(out[:, 1].index_select(0, row_l) + out[:, 2].index_select(0, col_l) + self.coupling * s_l)
        diag = torch.nn.functional.softplus(out[:, 0] + 1.0) + 1e-3
        if self.ic_diagonal:
            for _ in range(self.sweeps):
                values = s_l / diag.index_select(0, col_l) * (1.0 + t)
                squares = torch.zeros_like(diag).index_add_(0, row_l, values * values)
                diag = torch.sqrt(torch.clamp(1.0 - squares - out[:, 3], min=0.0025))
        values = s_l / diag.index_select(0, col_l) * (1.0 + t)
        lower = torch.zeros_like(s).index_copy_(0, lower_edges, values)
        return lower, diag


def transpose_times(lower, diag, row, col, is_lower, w):
    """L^T w for the factor (lower entries on the edges with is_lower, diagonal diag); w is [n, K]."""
    r, c, v = row[is_lower], col[is_lower], lower[is_lower].unsqueeze(1)
    return (diag.unsqueeze(1) * w).index_add(0, c, v * w.index_select(0, r))


def factor_times(lower, diag, row, col, is_lower, w):
    """(L L^T) w for the factor (lower entries on the edges with is_lower, diagonal diag); w is [n, K]."""
    r, c, v = row[is_lower], col[is_lower], lower[is_lower].unsqueeze(1)
    y = diag.unsqueeze(1) * w
    y = y.index_add(0, c, v * w.index_select(0, r))  # L^T w
    z = diag.unsqueeze(1) * y
    return z.index_add(0, r, v * y.index_select(0, c))  # L y


def scaled_times(s, row, col, w):
    """S w for the scaled block S (unit diagonal, off-diagonals s on the edges)."""
    return w.index_add(0, row, s.unsqueeze(1) * w.index_select(0, col))
