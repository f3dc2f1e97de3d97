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
  triangles     [3, T] int64:   (LearnedRIC only) the triangles of the lower graph, see triangles()
Outputs:
  lower [E] float32: L_ij for the edges with j < i (the values of the other edges are ignored)
  diag  [n] float32: L_ii > 0

Architectures (cheap enough to run once per matrix on every rank): node embeddings updated by
message passing whose messages are s_ij h_j summed over the lower and the upper neighbours
separately (scatter_add_), then per-node MLPs. LearnedRIC (the shipped model) turns them into a
relaxation per node and a correction per edge and computes the factor by a few differentiable
fixed-point sweeps of a relaxed incomplete Cholesky factorisation; LearnedIC (the first version,
`--model ic`) outputs L_ij = s_ij / L_jj (1 + t_ij) and L_ii directly.
"""
import numpy as np
from typing import Tuple

import torch
from torch import Tensor, nn


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
    inverse_sqrt = 1.0 / np.sqrt(diag)
    s = val * inverse_sqrt[row] * inverse_sqrt[col]  # the operations of the C++ side, in this order
    degree = np.bincount(row, minlength=n).astype(np.float64)
    n_lower = np.bincount(row[col < row], minlength=n).astype(np.float64)
    row_sum = 1.0 + np.bincount(row, weights=s, minlength=n)
    abs_sum = np.bincount(row, weights=np.abs(s), minlength=n)
    node = np.stack([degree / 8.0, n_lower / np.maximum(degree, 1.0), row_sum, abs_sum], axis=1)
    edge_index = np.stack([row, col])
    edge = np.stack([s, np.where(col < row, 1.0, -1.0)], axis=1)
    return node.astype(np.float32), edge_index, edge.astype(np.float32), diag


class FastLinear(nn.Linear):
    """nn.Linear whose inference (eval mode, float32) goes through oneDNN (mkldnn_linear): the network's
    GEMMs are tall and thin ([n, 24] x [24, 8]), and Debian's LibTorch has no optimised BLAS for them
    (BLAS_INFO=generic), so oneDNN is 5x faster there. Training and other builds use F.linear."""

    def forward(self, x: Tensor) -> Tensor:
        if self.training or x.dtype != torch.float32 or not torch.backends.mkldnn.is_available():
            return torch.nn.functional.linear(x, self.weight, self.bias)
        return torch.ops.aten.mkldnn_linear(x.to_mkldnn(), self.weight.to_mkldnn(), self.bias.to_mkldnn()).to_dense()


def mlp(inputs: int, hidden: int, outputs: int):
    return nn.Sequential(FastLinear(inputs, hidden), nn.ReLU(), FastLinear(hidden, outputs))


class Layer(nn.Module):
    """One round of message passing: the sums of s_ij h_j over the lower and over the upper neighbours
    j of each node i (one gather over all edges and one scatter_add_, feature-major), then a node MLP
    on [h, lower sum, upper sum]."""

    def __init__(self, hidden: int):
        super().__init__()
        self.mlp = mlp(3 * hidden, hidden, hidden)

    def forward(self, h, col, s, target):
        # feature-major ([hidden, E] messages, scattered along the edges into [hidden, 2 n], column 2 i
        # for the lower and 2 i + 1 for the upper neighbours of i; target is that column per edge, expanded
        # over the features without copies): no [E, hidden] index or coefficient array is built, which
        # made the node-major variant up to 6x slower on 8 k rows through the allocator's page faults
        n, hidden = h.shape[0], h.shape[1]
        messages = h.t().contiguous().index_select(1, col) * s
        sums = torch.zeros(hidden, 2 * n, dtype=h.dtype).scatter_add_(1, target, messages)
        return h + self.mlp(torch.cat([h, sums.t().reshape(n, 2 * hidden)], dim=1))


class Trunk(nn.Module):
    """The message-passing part shared by LearnedIC and LearnedRIC: returns the node embeddings after
    `layers` rounds, with the lower edges (numbers, rows, columns, s_ij)."""

    def __init__(self, hidden: int, layers: int):
        super().__init__()
        self.hidden = hidden
        self.encode = mlp(4, hidden, hidden)
        self.layers = nn.ModuleList([Layer(hidden) for _ in range(layers)])

    def forward(self, node_features, edge_index, edge_features) -> Tuple[Tensor, Tensor, Tensor, Tensor, Tensor]:
        row = edge_index[0]
        col = edge_index[1]
        s = edge_features[:, 0]
        is_lower = edge_features[:, 1] > 0
        lower_edges = torch.nonzero(is_lower).squeeze(1)
        row_l, col_l, s_l = row.index_select(0, lower_edges), col.index_select(0, lower_edges), s.index_select(0, lower_edges)
        target = (2 * row + torch.logical_not(is_lower).to(row.dtype)).unsqueeze(0).expand(self.hidden, -1)
        h = self.encode(node_features)
        for layer in self.layers:
            h = layer(h, col, s, target)
        return h, lower_edges, row_l, col_l, s_l


class LearnedIC(nn.Module):
    """Message-passing network that returns an incomplete Cholesky factor of the scaled block.

    diag = "ic": the diagonal follows IC(0)'s formula L_ii^2 = 1 - sum_j L_ij^2 - g_i with a learned
    compensation g_i (as modified IC puts the dropped fill on the diagonal), iterated `sweeps`
    times from a learned start, and bounded below by 0.05; diag = "free": L_ii = softplus(r_i) + 1e-3.
    """

    def __init__(self, hidden: int = 8, layers: int = 2, diag: str = "free", sweeps: int = 2):
        super().__init__()
        self.trunk = Trunk(hidden, layers)
        self.heads = mlp(hidden, hidden, 4)
        self.coupling = nn.Parameter(torch.zeros(1))
        self.ic_diagonal = diag == "ic"
        self.sweeps = sweeps

    def forward(self, node_features, edge_index, edge_features):
        s = edge_features[:, 0]
        h, lower_edges, row_l, col_l, s_l = self.trunk(node_features, edge_index, edge_features)
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


def triangles(n, edge_index, edge):
    """The triangles of the lower graph, as a [3, T] int64 array of lower-edge numbers (lower edges
    numbered in the order of the edge list): columns (ij, ik, jk) with k < j < i, i.e. the products
    L_ik L_jk that IC(0) subtracts from s_ij. Rows of the lower graph are sorted by column."""
    row, col = edge_index
    is_lower = edge[:, 1] > 0
    lrow, lcol = row[is_lower], col[is_lower]
    number = np.arange(len(lrow))
    start = np.searchsorted(lrow, np.arange(n + 1))  # the lower edges of row i: start[i]:start[i+1]
    out = []
    for p in range(len(lrow)):
        i, j = lrow[p], lcol[p]
        a, a_end = start[i], start[i + 1]
        b, b_end = start[j], start[j + 1]
        while a < a_end and b < b_end:
            ka, kb = lcol[a], lcol[b]
            if ka >= j or kb >= j:
                break
            if ka == kb:
                out.append((p, number[a], number[b]))
                a += 1
                b += 1
            elif ka < kb:
                a += 1
            else:
                b += 1
    return np.array(out, dtype=np.int64).reshape(-1, 3).T.copy()


class LearnedRIC(nn.Module):
    """A learned relaxed incomplete Cholesky: the message-passing network of LearnedIC gives, per
    node, a relaxation omega_i in (0, 1) and, per lower edge, a correction t_ij; `sweeps`
    fixed-point sweeps (Chow and Patel's fine-grained parallel IC) then solve
      L_ij L_jj = s_ij (1 + t_ij) - sum_k L_ik L_jk                     (k < j < i, the triangles)
      L_ii^2    = 1 - sum_k L_ik^2 - omega_i (fill that IC(0) drops in row i)
    omega = 0, t = 0 is IC(0), omega = 1 modified IC (row sums kept); the dropped fill of row i is
    sum_k L_ik (sum_m L_mk - L_ik) minus the pairs that lie in the pattern (the triangles).
    Extra input: triangles [3, T] int64 of lower-edge numbers (learned_ic.triangles()).
    """

    def __init__(self, hidden: int = 8, layers: int = 1, sweeps: int = 4):
        super().__init__()
        self.trunk = Trunk(hidden, layers)
        self.heads = mlp(hidden, hidden, 3)
        self.coupling = nn.Parameter(torch.zeros(1))
        self.sweeps = sweeps

    def forward(self, node_features, edge_index, edge_features, triangles):
        s = edge_features[:, 0]
        h, lower_edges, row_l, col_l, s_l = self.trunk(node_features, edge_index, edge_features)
        out = self.heads(h)
        omega = torch.sigmoid(out[:, 0] + 2.0)
        t = 0.5 * torch.tanh(out[:, 1].index_select(0, row_l) + out[:, 2].index_select(0, col_l) + self.coupling * s_l)
        target = s_l * (1.0 + t)
        tri_ij, tri_ik, tri_jk = triangles[0], triangles[1], triangles[2]
        n = node_features.shape[0]
        values = s_l
        diag = torch.ones(n, dtype=s.dtype)
        # rows of the dropped-fill sum, in one scatter: every lower edge (i, k) for sum_k L_ik sum_m L_mk,
        # and both ends of every lower edge (i, j) for its pairs in the pattern, sum_k L_ik L_jk (subtracted)
        fill_index = torch.cat([row_l, col_l])
        squares = torch.zeros_like(diag).scatter_add_(0, row_l, values * values)
        for _ in range(self.sweeps):
            products = values.index_select(0, tri_ik) * values.index_select(0, tri_jk)
            cross = torch.zeros_like(values).scatter_add_(0, tri_ij, products)
            column_sum = torch.zeros_like(diag).scatter_add_(0, col_l, values)
            fill = torch.cat([values * column_sum.index_select(0, col_l) - cross, -cross])
            dropped = torch.zeros_like(diag).scatter_add_(0, fill_index, fill) - squares
            values = (target - cross) / diag.index_select(0, col_l)
            squares = torch.zeros_like(diag).scatter_add_(0, row_l, values * values)
            diag = torch.sqrt(torch.clamp(1.0 - squares - omega * dropped, min=1e-4))
        lower = torch.zeros_like(s).index_copy_(0, lower_edges, values)
        return lower, diag
