"""Reads the vertex graphs that hyfe's `monge-ampere` mover writes ('training data file'):
solver/modules/mesh_graph.cc, VertexGraph::write_sample()."""
import numpy as np

MAGIC = b"HYFEGR01"


def read_samples(path):
    """All samples of one file, as dicts of numpy arrays."""
    data = open(path, "rb").read()
    samples, at = [], 0
    while at < len(data):
        if data[at:at + 8] != MAGIC:
            raise ValueError(f"{path}: no sample at byte {at} (not a hyfe vertex graph file)")
        at += 8
        dim, n, e, nf, ef = np.frombuffer(data, np.int32, 5, at)
        at += 20

        def take(dtype, count):
            nonlocal at
            a = np.frombuffer(data, dtype, count, at)
            at += a.nbytes
            return a

        s = {"dim": int(dim)}
        s["x"] = take(np.float32, n * nf).reshape(n, nf)
        s["edge_index"] = take(np.int64, 2 * e).reshape(2, e)
        s["edge_attr"] = take(np.float32, e * ef).reshape(e, ef)
        s["kind"] = take(np.uint8, n)
        s["h"] = take(np.float64, n)
        s["target"] = take(np.float64, n * dim).reshape(n, dim)
        s["xi"] = take(np.float64, n * dim).reshape(n, dim)
        s["normal"] = take(np.float64, n * dim).reshape(n, dim)
        s["linear"] = take(np.float64, n * dim).reshape(n, dim)
        samples.append(s)
    return samples
