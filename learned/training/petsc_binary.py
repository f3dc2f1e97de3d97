"""Reads the linear systems that hyfe dumps (`dump matrices at steps`): PETSc's binary format.

A file holds a matrix (AIJ, as MatView writes it) followed by the right-hand side (VecView).
Standard library only; returns CSR arrays (row pointers, column indices, values) and the vector.
Format: big-endian int32 class id 1211216 (Mat) with rows, columns, nonzeros, row lengths,
column indices and float64 values; class id 1211214 (Vec) with length and float64 values.
"""
import struct

MAT_CLASSID = 1211216
VEC_CLASSID = 1211214


def _ints(data, offset, n):
    return list(struct.unpack_from(">%di" % n, data, offset)), offset + 4 * n


def _doubles(data, offset, n):
    return list(struct.unpack_from(">%dd" % n, data, offset)), offset + 8 * n


def read_system(path):
    """(n, row_pointers, column_indices, values, rhs) of a file written by hyfe."""
    data = open(path, "rb").read()
    (classid, rows, cols, nnz), offset = _ints(data, 0, 4)
    if classid != MAT_CLASSID:
        raise ValueError("%s: not a PETSc binary matrix (class id %d)" % (path, classid))
    if rows != cols:
        raise ValueError("%s: matrix is %d x %d, not square" % (path, rows, cols))
    lengths, offset = _ints(data, offset, rows)
    columns, offset = _ints(data, offset, nnz)
    values, offset = _doubles(data, offset, nnz)
    pointers = [0]
    for n in lengths:
        pointers.append(pointers[-1] + n)
    (vec_classid, length), offset = _ints(data, offset, 2)
    if vec_classid != VEC_CLASSID or length != rows:
        raise ValueError("%s: no right-hand side of length %d after the matrix" % (path, rows))
    rhs, offset = _doubles(data, offset, length)
    return rows, pointers, columns, values, rhs
