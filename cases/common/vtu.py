"""Reads the .vtu pieces that hyfe writes (deal.II's zlib-compressed, base64-encoded binary arrays) and
draws the cell edges of a 2-D mesh, for the cases' pictures without ParaView.

read_vtu(path) -> {"points": [(x, y, z)], "cells": [[point indices]], "fields": {name: [values]}}
read_vtu_pieces(path) -> the same for every piece of the file
mesh_segments(records) -> the edges of every cell, for matplotlib's LineCollection
"""
import base64
import re
import struct
import zlib

TYPES = {"Float32": "f", "Float64": "d", "Int32": "i", "Int64": "q", "UInt8": "B", "UInt32": "I", "UInt64": "Q"}


def _decode(text, kind):
    """One binary DataArray: a base64 header of uint32 (blocks, block size, last size, compressed sizes),
    then the base64 of the concatenated zlib blocks."""
    text = "".join(text.split())
    first = base64.b64decode(text[:8])
    n_blocks = struct.unpack("<I", first[:4])[0]
    header_chars = 4 * ((4 * (3 + n_blocks) + 2) // 3)
    header = struct.unpack("<%dI" % (3 + n_blocks), base64.b64decode(text[:header_chars])[:4 * (3 + n_blocks)])
    data = base64.b64decode(text[header_chars:])
    raw, offset = b"", 0
    for size in header[3:]:
        raw += zlib.decompress(data[offset:offset + size])
        offset += size
    code = TYPES[kind]
    return list(struct.unpack("<%d%s" % (len(raw) // struct.calcsize(code), code), raw))


def _parse(xml):
    arrays = {}
    for attributes, body in re.findall(r"<DataArray([^>]*)>(.*?)</DataArray>", xml, re.S):
        kind = re.search(r'type="(\w+)"', attributes).group(1)
        name = re.search(r'Name="([^"]+)"', attributes)
        name = name.group(1) if name else "points"
        if 'format="ascii"' in attributes:
            continue
        components = re.search(r'NumberOfComponents="(\d+)"', attributes)
        values = _decode(body, kind)
        n = int(components.group(1)) if components else 1
        arrays[name] = values if n == 1 else [tuple(values[i:i + n]) for i in range(0, len(values), n)]
    offsets = arrays.pop("offsets")
    connectivity = arrays.pop("connectivity")
    arrays.pop("types", None)
    cells, start = [], 0
    for end in offsets:
        cells.append(connectivity[start:end])
        start = end
    points = arrays.pop("points")
    return {"points": points, "cells": cells, "fields": arrays}


def read_vtu(path):
    """The points, cells (point indices) and point fields of a .vtu file, its pieces (a grouped file holds
    those of several ranks) joined."""
    pieces = read_vtu_pieces(path)
    out = {"points": [], "cells": [], "fields": {name: [] for name in pieces[0]["fields"]}}
    for piece in pieces:
        shift = len(out["points"])
        out["points"] += piece["points"]
        out["cells"] += [[i + shift for i in cell] for cell in piece["cells"]]
        for name, values in piece["fields"].items():
            out["fields"][name] += values
    return out


def read_vtu_pieces(path):
    """The same for every piece of a .vtu file (a grouped file holds those of several ranks)."""
    with open(path) as f:
        xml = f.read()
    return [_parse(piece) for piece in re.findall(r"<Piece.*?</Piece>", xml, re.S)]


def mesh_segments(records):
    """The edges of the quadrilateral cells (linear, or quadratic with their edges' middles) of the pieces
    @p records, as ((x0, y0), (x1, y1))."""
    segments = []
    for record in records:
        p = record["points"]
        for cell in record["cells"]:
            if len(cell) == 9:  # a quadratic (Lagrange) cell: corners, then the edges' middles
                loop = [cell[0], cell[4], cell[1], cell[5], cell[2], cell[6], cell[3], cell[7]]
            else:
                loop = list(cell[:4])
            points = [p[i][:2] for i in loop]
            for a, b in zip(points, points[1:] + points[:1]):
                segments.append((a, b))
    return segments
