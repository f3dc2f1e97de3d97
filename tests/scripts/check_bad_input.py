#!/usr/bin/python3
"""Bad input, tried as a new user would (issue 15): every malformed parameter, mesh or model file is
an input error, and an interrupted run leaves readable output.

Part 1 (default): for each bad input, `hyfe file` and `hyfe --validate file` (unless noted) must
  - exit with status 1 within 60 s (no hang, no crash),
  - print the message exactly once (one 'hyfe: ' line, also on 2 ranks), naming the file, the entry
    and what is wrong (the patterns of each case),
  - show no stack trace, no 'terminate called', no 'Aborted', no 'signal', no MPI_ABORT,
  - create nothing: no file or folder appears in the case folder (no stats.csv, no output folder).
The categories: reserved or non-finite function constants, include cycles, a refinement too large
for the machine (refused within 10 s), values outside their documented ranges, data expressions
that are not finite on the mesh, entries set twice (a reopened subsection is fine), pressure points outside the
domain, output names and folders that cannot work, a parameter file that is a directory, UTF-8
byte-order marks (accepted) and UTF-16 text, JSON input (same messages as .prm), truncated or
corrupt gmsh files, time steps that give too many steps, and (with --models) a model file whose
SHA-256 differs from its side file or that has none. The good baselines pass --validate.

Part 2 (--interrupted, 2 ranks): a small run that writes output every step is stopped (a) by SIGTERM
to mpirun, (b) by SIGTERM to the hyfe ranks themselves (as Slurm does), (c) by SIGKILL to the whole
process group, at three moments. Afterwards solution.pvd parses, every .pvtu and .vtu that it lists
exists and parses as XML, no *.vtu / *.pvtu file in the folder is cut off, every line of stats.csv
has the header's number of fields; after (a) and (b) the exit status is non-zero and exactly one
'hyfe: ' line says 'interrupted'.
"""

import concurrent.futures
import contextlib
import csv
import hashlib
import io
import json
import os
import re
import resource
import signal
import struct
import subprocess
import time
import xml.etree.ElementTree as ET
import zipfile

import hyfetest as ht
from check_parameter_errors import GOOD, GOOD_NS

SOURCE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MESH = os.path.join(SOURCE, "meshes", "dfg-2d.msh")
TIMEOUT = 60
DIRECTORY = object()  # a file entry that is a folder, not a file

# the lines that mpirun adds around a failed job (not hyfe's message)
MPIRUN_LINES = ("---", "mpirun", "Primary", "a non-zero", "  Process", "  Exit", "the job to be terminated",
                "Per user-direction")
# a crash, an abort or a stack trace instead of a clean message
# (case-sensitive: mpirun's own "the job has been aborted" after a non-zero exit is not a crash)
CRASH = re.compile(r"Stacktrace|An error occurred in line|terminate called|Aborted|[Ss]ignal\b|Segmentation fault|"
                   r"core dumped|MPI_ABORT|ORTE_ERROR_LOG|Traceback")

# a point with coordinates in parentheses: (0.25, 0) or (-1, 0.5, 1)
POINT = r"\(\s*[-+]?\d[\d.eE+-]*\s*,\s*[-+]?\d[\d.eE+-]*"
NOT_FINITE = r"not\s+(a\s+)?finite|non-?finite|infinit|\binf\b|\bnan\b"
POSITIVE = r">\s*0\b|positive|greater than (0|zero)"

# advection-diffusion in 3D (8 cells)
GOOD_3D = ht.merge(GOOD, {"dimension": 3, "mesh": {"global refinements": 1},
                          "advection diffusion": {"advection velocity": "0; 0; 0",
                                                  "initial condition": "sin(pi*x)*sin(pi*y)*sin(pi*z)"}})
# advection-diffusion on the DFG gmsh mesh (ids 1..4)
GOOD_MESH = ht.merge(GOOD, {"mesh": {"source": "file", "file": "mesh.msh", "global refinements": 0},
                            "advection diffusion": {"boundary conditions": {"dirichlet ids": "1, 2, 3, 4"}}})


class Case:
    """One input: the files of its folder, the file given to hyfe, what the message must say.

    files: {relative path: text (str) | bytes | prm settings (dict) | DIRECTORY}
    patterns: [(description, regex)] that the output must match (case-insensitive);
    absent: [(description, regex)] that it must not match.
    expect: 1 (an input error) or 0 (accepted: '--validate' says 'is valid').
    """

    def __init__(self, name, files, target="case.prm", patterns=(), absent=(), modes=("run", "validate"),
                 expect=1, cwd="", max_seconds=None, memory_limit=None, validate_too=False):
        self.name = name
        self.files = files
        self.target = target
        self.patterns = list(patterns)
        self.absent = list(absent)
        self.modes = modes
        self.expect = expect
        self.cwd = cwd
        self.max_seconds = max_seconds
        self.memory_limit = memory_limit
        self.validate_too = validate_too


def text_of(settings):
    return settings if isinstance(settings, str) else ht.prm_text(settings)


def line_of(text, needle, start=1):
    """The number of the first line at or after @p start that contains @p needle."""
    for number, text_line in enumerate(text.splitlines(), 1):
        if number >= start and needle in text_line:
            return number
    raise SystemExit("test setup: '%s' not found" % needle)


def insert_after(text, needle, new_lines):
    """@p text with @p new_lines inserted after the first line that contains @p needle."""
    lines = text.splitlines()
    k = line_of(text, needle)
    return "\n".join(lines[:k] + new_lines + lines[k:]) + "\n"


def json_settings(settings):
    """deal.II's JSON input: nested objects, every value a string."""
    out = {}
    for key, value in settings.items():
        if isinstance(value, dict):
            out[key] = json_settings(value)
        elif isinstance(value, bool):
            out[key] = "true" if value else "false"
        else:
            out[key] = str(value)
    return out


def json_text(settings):
    return json.dumps(json_settings(settings), indent=2) + "\n"


def named(name):
    """A pattern for a file or entry name, as a description and a regex."""
    return ("names '%s'" % name, re.escape(name))


def line(number):
    return ("names line %d" % number, r"line\D{0,3}%d\b" % number)


# ---------------------------------------------------------------------------------------------------
# the cases
# ---------------------------------------------------------------------------------------------------

def constants_cases():
    """1 and 6: function constants named like a coordinate, the time or a function; non-finite ones."""
    out = []
    reserved = ("reserved, a coordinate or a variable", r"reserved|coordinate|variable")
    for name, base, section, constants in (
            ("constant_x", GOOD, "advection diffusion", "a=1, x=1"),
            ("constant_t_ns", GOOD_NS, "navier stokes", "U=1, t=2"),
            ("constant_z_3d", GOOD_3D, "advection diffusion", "z=1")):
        bad = constants.split(", ")[-1].split("=")[0]
        settings = ht.merge(base, {section: {"function constants": constants}})
        if base is GOOD_NS:
            settings = ht.merge(settings, {section: {"boundary conditions": {"velocity value": "U; 0"}}})
        out.append(Case(name, {"case.prm": settings}, patterns=[
            named("case.prm"), named("function constants"), ("names the constant '%s'" % bad, r"\b%s\b" % bad),
            reserved]))
    out.append(Case("constant_named_sin", {"case.prm": ht.merge(GOOD, {"advection diffusion": {
        "function constants": "sin=2"}})}, patterns=[
            named("function constants"), ("names the constant 'sin'", r"\bsin\b"),
            ("says it is the name of a function", r"reserved|built-?in|predefined|name of a function|"
                                                  r"is a function|clash|conflict")]))
    for name, value in (("constant_nan", "nan"), ("constant_1e400", "1e400"), ("constant_inf", "inf")):
        out.append(Case(name, {"case.prm": ht.merge(GOOD, {"advection diffusion": {
            "function constants": "kappa=%s" % value, "diffusivity": "kappa"}})}, patterns=[
                named("case.prm"), named("function constants"), named("kappa"),
                ("says not finite", r"not\s+(a\s+)?finite|non-?finite|infinit")]))
    out.append(Case("constant_inf_ns", {"case.prm": ht.merge(GOOD_NS, {"navier stokes": {
        "function constants": "Um=inf", "boundary conditions": {"velocity value": "Um; 0"}}})}, patterns=[
            named("function constants"), named("Um"), ("says not finite", r"not\s+(a\s+)?finite|non-?finite|infinit")]))
    return out


def include_cases():
    """2: a file that includes itself, a cycle of two files, a missing included file."""
    out = []
    text = ht.prm_text(GOOD) + "include case.prm\n"
    n = line_of(text, "include case.prm")
    cycle = ("says it includes itself / a cycle", r"itself|cycl|recursi|loop")
    out.append(Case("include_itself", {"case.prm": text}, patterns=[
        named("case.prm"), named("include"), cycle, line(n)]))
    text = ht.prm_text(GOOD) + "include b.prm\n"
    out.append(Case("include_cycle", {"a.prm": text, "b.prm": "# includes a.prm again\ninclude a.prm\n"},
                    target="a.prm", patterns=[named("a.prm"), named("b.prm"), named("include"), cycle]))
    text = ht.prm_text(GOOD) + "include missing.prm\n"
    out.append(Case("include_missing", {"case.prm": text}, patterns=[
        named("missing.prm"), ("says it is missing", r"include|not found|does not exist|no such|cannot (open|read)")]))
    return out


def refinement_cases():
    """3: global refinements inside the pattern's range but far beyond the machine's memory."""
    out = []
    for name, base, levels in (("refinements_20", GOOD, 20), ("refinements_10_3d", GOOD_3D, 10)):
        out.append(Case(name, {"case.prm": ht.merge(base, {"mesh": {"global refinements": levels}})}, patterns=[
            named("case.prm"), named("global refinements"),
            ("gives an estimated number of cells", r"\d\s*(\w+\s+){0,2}cells|cells\W{0,3}(of\s+|about\s+|~\s*)?\d"),
            ("gives the memory (bytes/GB/GiB)", r"\d\s*(?:[kmgtpe]i?)?b\b|bytes"),
            ("says memory", r"memory|RAM")],
            max_seconds=10, memory_limit=8 << 30, validate_too=True))
    return out


def range_cases():
    """4 and 5: coefficients and entries outside their documented ranges."""
    out = []
    negative = ("says '>= 0' or negative", r">=\s*0|\u2265\s*0|negative")
    for name, changes, entry in (
            ("diffusivity_negative", {"diffusivity": "-1"}, "diffusivity"),
            ("diffusivity_negative_somewhere", {"diffusivity": "x - 2"}, "diffusivity"),
            ("reaction_rate_negative", {"reaction rate": "-1"}, "reaction rate"),
            ("diffusivity_negative_later", {"diffusivity": "1 - 20*t"}, "diffusivity")):
        out.append(Case(name, {"case.prm": ht.merge(GOOD, {"advection diffusion": changes})}, patterns=[
            named("case.prm"), named(entry), negative, ("names a point", POINT)]))
    for name, changes, entry in (
            ("max_cfl_zero", {"navier stokes": {"adaptive time step": True, "max cfl": 0}}, "max cfl"),
            ("cfl_limit_zero", {"navier stokes": {"cfl limit": 0}}, "cfl limit"),
            ("viscosity_zero", {"navier stokes": {"viscosity": 0}}, "viscosity"),
            ("time_step_zero", {"time": {"time step": 0}}, "time step"),
            ("reference_velocity_zero", {"navier stokes": {"forces": {"boundary ids": "0",
                                                                      "reference velocity": 0}}},
             "reference velocity")):
        settings = ht.merge(GOOD_NS, changes)
        text = ht.prm_text(settings)
        out.append(Case(name, {"case.prm": settings}, patterns=[
            named("case.prm"), named(entry), ("says '> 0'", POSITIVE),
            line(line_of(text, "set %s = 0" % entry))]))
    return out


def expression_cases():
    """7 and 8: initial, boundary and other data that are not finite somewhere on the mesh."""
    out = []
    for name, base, changes, entry in (
            ("initial_sqrt_negative", ht.merge(GOOD, {"mesh": {"generator arguments": "-1 : 1 : false"}}),
             {"advection diffusion": {"initial condition": "sqrt(x)"}}, "initial condition"),
            ("initial_log_negative", GOOD, {"advection diffusion": {"initial condition": "log(x-10)"}},
             "initial condition"),
            ("dirichlet_infinite", GOOD, {"advection diffusion": {"boundary conditions": {
                "dirichlet value": "1/x"}}}, "dirichlet value"),
            ("source_nan_at_end_time", GOOD, {"advection diffusion": {"source": "sqrt(0.05 - t)"}}, "source"),
            ("ns_initial_velocity_infinite", GOOD_NS, {"navier stokes": {"initial velocity": "1/y; 0"}},
             "initial velocity"),
            ("ns_velocity_value_infinite", GOOD_NS, {"navier stokes": {"boundary conditions": {
                "velocity value": "1/(x-0.5); 0"}}}, "velocity value")):
        out.append(Case(name, {"case.prm": ht.merge(base, changes)}, patterns=[
            named("case.prm"), named(entry), ("says nan / not finite", NOT_FINITE), ("names a point", POINT)]))
    return out


def duplicate_cases():
    """9: an entry set twice in one subsection (also in JSON); a subsection opened twice at the same level
    may be reopened (commit c1ab69e: the entries of both blocks count, as deal.II reads them), but an
    entry that the second block sets again is a duplicate, naming both lines."""
    out = []
    text = insert_after(ht.prm_text(GOOD), "set diffusivity = 1", ["  set diffusivity = 2"])
    first = line_of(text, "set diffusivity = 1")
    second = line_of(text, "set diffusivity = 2")
    twice = ("says twice / duplicate / again", r"twice|duplicat|again|more than once|already|second time")
    out.append(Case("duplicate_entry", {"case.prm": text}, patterns=[
        named("case.prm"), named("diffusivity"), twice,
        ("names line %d" % first, r"\b%d\b" % first), ("names line %d" % second, r"\b%d\b" % second)]))
    text = ht.prm_text(GOOD)
    end = line_of(text, "  end", line_of(text, "subsection boundary conditions"))
    lines = text.splitlines()

    def reopened(entry):
        return "\n".join(lines[:end] + ["  subsection boundary conditions", "    set %s = 0" % entry, "  end"] +
                         lines[end:]) + "\n"

    out.append(Case("subsection_reopened", {"case.prm": reopened("neumann flux")}, modes=("validate",), expect=0))
    text = reopened("dirichlet value")
    first = line_of(text, "set dirichlet value")
    second = line_of(text, "set dirichlet value", first + 1)
    out.append(Case("subsection_reopened_entry_again", {"case.prm": text}, patterns=[
        named("case.prm"), named("dirichlet value"), twice,
        ("names line %d" % first, r"\b%d\b" % first), ("names line %d" % second, r"\b%d\b" % second)]))
    text = json_text(GOOD).replace('"diffusivity": "1",', '"diffusivity": "1",\n    "diffusivity": "2",')
    out.append(Case("duplicate_entry_json", {"case.json": text}, target="case.json", patterns=[
        named("case.json"), named("diffusivity"), twice]))
    return out


def pressure_point_cases():
    """10: DFG 2D-1 (its case.prm and mesh, as in the repository) with pressure points off the domain."""
    out = []
    text = open(os.path.join(SOURCE, "cases", "dfg-2d-1", "case.prm")).read()
    mesh = open(MESH).read()
    old = "set pressure points    = 0.15, 0.2; 0.25, 0.2"
    if old not in text:
        raise SystemExit("test setup: '%s' not in cases/dfg-2d-1/case.prm" % old)
    files = {"cases/dfg-2d-1/case.prm": text, "meshes/dfg-2d.msh": mesh}
    out.append(Case("dfg_2d_1_copy", files, cwd="cases/dfg-2d-1", modes=("validate",), expect=0))
    outside = ("says outside", r"outside|not (in|inside) (the )?(domain|mesh)|no cell")
    for name, points, shown in (("pressure_point_outside", "5, 5; 0.25, 0.2", r"\b5\b"),
                                ("pressure_point_in_cylinder", "0.15, 0.2; 0.2, 0.2", r"0\.2(?!\d)")):
        files = {"cases/dfg-2d-1/case.prm": text.replace(old, "set pressure points = " + points),
                 "meshes/dfg-2d.msh": mesh}
        out.append(Case(name, files, cwd="cases/dfg-2d-1", modes=("validate",), patterns=[
            named("case.prm"), named("pressure points"), ("names the point", shown), outside]))
    return out


def output_cases():
    """11 and 12: output names and folders that cannot work; found by --validate too."""
    out = []

    def output(changes):
        return {"case.prm": ht.merge(GOOD, {"output": ht.merge({"write fields": True}, changes)})}

    out.append(Case("base_name_empty", output({"base name": ""}), validate_too=True, patterns=[
        named("case.prm"), named("base name"), ("says empty", r"empty|blank|must not be|cannot be|no name")]))
    out.append(Case("base_name_with_folder", output({"base name": "sub/solution"}), validate_too=True, patterns=[
        named("case.prm"), named("base name"), named("sub/solution")]))
    files = output({"directory": "blocker/out"})
    files["blocker"] = "a regular file\n"
    out.append(Case("directory_under_a_file", files, validate_too=True, patterns=[
        named("case.prm"), named("directory"), named("blocker"),
        ("says not a folder", r"not a (folder|directory)|is a (regular )?file|regular file|not a dir")]))
    too_long = ("says too long", r"too long|longer than|more than the \d+|\d+ characters")
    out.append(Case("directory_name_too_long", output({"directory": "d" * 300}), validate_too=True, patterns=[
        named("case.prm"), named("directory"), too_long]))
    out.append(Case("directory_path_too_long", output({"directory": "/".join(["abcdefghi"] * 500)}),
                    validate_too=True, patterns=[named("case.prm"), named("directory"), too_long]))
    return out


def file_cases():
    """13, 14 and more: the parameter or mesh file is a directory; byte-order marks; UTF-16; syntax."""
    out = []
    is_dir = ("says directory", r"director|folder")
    out.append(Case("parameter_file_is_a_directory", {"case.prm": DIRECTORY}, patterns=[named("case.prm"), is_dir]))
    out.append(Case("json_file_is_a_directory", {"case.json": DIRECTORY}, target="case.json",
                    patterns=[named("case.json"), is_dir]))
    out.append(Case("mesh_file_is_a_directory", {"case.prm": GOOD_MESH, "mesh.msh": DIRECTORY},
                    patterns=[named("mesh.msh"), is_dir]))
    bom = b"\xef\xbb\xbf"
    out.append(Case("bom_prm", {"case.prm": bom + ht.prm_text(GOOD).encode()}, modes=("validate",), expect=0))
    out.append(Case("bom_json", {"case.json": bom + json_text(GOOD).encode()}, target="case.json",
                    modes=("validate",), expect=0))
    out.append(Case("utf16_prm", {"case.prm": ht.prm_text(GOOD).encode("utf-16")}, patterns=[
        named("case.prm"), ("says UTF-16 / not text", r"utf-?16|binary|not (a )?text|encoding")]))
    text = ht.prm_text(GOOD).replace("set diffusivity = 1", "set diffusivity 1")
    out.append(Case("set_without_equals", {"case.prm": text}, patterns=[
        named("case.prm"), line(line_of(text, "set diffusivity 1")), named("diffusivity"),
        ("says '=' is expected", r"'='|=\s*<value>|missing\s+'?=|without\s+'?=|expected")]))
    text = ht.prm_text(GOOD).rstrip("\n")
    text = text[: text.rindex("end")]
    out.append(Case("unclosed_subsection", {"case.prm": text}, patterns=[
        named("case.prm"), named("advection diffusion"),
        ("says not closed", r"not closed|unclosed|missing 'end'|without (an )?'?end")]))
    text = ht.prm_text(GOOD) + "end\n"
    out.append(Case("end_without_subsection", {"case.prm": text}, patterns=[
        named("case.prm"), line(line_of(text, "end", len(text.splitlines()))), named("end")]))
    return out


def json_cases():
    """15: JSON input gets the messages of .prm input."""
    out = []
    out.append(Case("good_json", {"case.json": json_text(GOOD)}, target="case.json", modes=("validate",), expect=0))
    settings = json_settings(GOOD)
    ad = settings["advection diffusion"]
    ad["difusivity"] = ad.pop("diffusivity")
    text = json.dumps(settings, indent=2) + "\n"
    out.append(Case("json_misspelled_entry", {"case.json": text}, target="case.json", patterns=[
        named("case.json"), line(line_of(text, '"difusivity"')), named("difusivity"),
        ("suggests 'diffusivity'", r"did you mean\W+diffusivity\b"),
        ("lists the valid entries", r"valid entries|valid (names|choices)|one of"),
        ("lists 'reaction rate' among them", r"reaction rate"),
        ("names the subsection 'advection diffusion'", r"advection diffusion")]))
    settings = json_settings(GOOD)
    settings["advection diffusion"]["finite element degree"] = "two"
    text = json.dumps(settings, indent=2) + "\n"
    out.append(Case("json_wrong_type", {"case.json": text}, target="case.json", patterns=[
        named("case.json"), line(line_of(text, '"finite element degree"')), named("finite element degree"),
        ("names the value 'two'", r"\btwo\b"), ("gives the valid range 1..2", r"1\s*(\.\.\.?|,|-|to)\s*2")]))
    settings = json_settings(GOOD)
    ad = settings["advection diffusion"]
    ad["boundary condition"] = ad.pop("boundary conditions")
    text = json.dumps(settings, indent=2) + "\n"
    out.append(Case("json_misspelled_subsection", {"case.json": text}, target="case.json", patterns=[
        named("case.json"), line(line_of(text, '"boundary condition"')), ("names 'boundary condition'",
                                                                          r"boundary condition\b"),
        ("suggests 'boundary conditions'", r"did you mean\W+boundary conditions\b")]))
    text = json_text(GOOD).rstrip().rstrip("}").rstrip() + "\n"  # the last closing brace missing
    out.append(Case("json_syntax_error", {"case.json": text}, target="case.json", patterns=[
        named("case.json"), ("names a line", r"line\D{0,3}\d+")], absent=[
            ("no '<unspecified file>'", r"unspecified file")]))
    return out


def mesh_cases():
    """16: truncated, empty and corrupt gmsh files."""
    out = []
    mesh = open(MESH).read()
    lines = mesh.splitlines(keepends=True)
    out.append(Case("mesh_good_copy", {"case.prm": GOOD_MESH, "mesh.msh": mesh}, modes=("validate",), expect=0))
    nodes = line_of(mesh, "$Nodes")
    elements = line_of(mesh, "$Elements")
    end_nodes = line_of(mesh, "$EndNodes")
    end_elements = line_of(mesh, "$EndElements")
    middle = (nodes + end_nodes) // 2
    cut_nodes = "".join(lines[:middle - 1]) + lines[middle - 1][:len(lines[middle - 1]) // 2]  # mid-line
    cut_elements = "".join(lines[:(elements + end_elements) // 2])  # at a line end
    last = lines[end_elements - 2].split()
    bad_index = "".join(lines[:end_elements - 2]) + " ".join(last[:-1] + ["99999"]) + "\n" + \
        "".join(lines[end_elements - 1:])
    broken = ("says truncated / corrupt", r"truncat|corrupt|incomplete|unexpected end|premature|ends (before|early)|"
                                          r"end of (the )?file")
    for name, content, extra in (
            ("mesh_cut_in_nodes", cut_nodes, []),
            ("mesh_cut_in_elements", cut_elements, []),
            ("mesh_empty", "", [("says empty / truncated / corrupt", r"empty|truncat|corrupt|no (nodes|mesh)")]),
            ("mesh_bad_node_index", bad_index, [("names the index 99999 or says corrupt",
                                                 r"99999|corrupt|invalid|does not exist|unknown (node|vertex)")]),
            ("mesh_not_gmsh", "this is not a mesh\n", [("says not a gmsh file",
                                                       r"not a (valid )?(gmsh|mesh)|MeshFormat|corrupt|truncat")])):
        out.append(Case(name, {"case.prm": GOOD_MESH, "mesh.msh": content}, patterns=[named("mesh.msh")] +
                        (extra or [broken])))
    return out


def time_cases():
    """17: time steps that give too many steps."""
    out = []
    too_many = ("says too many steps", r"too many|number of (time )?steps|time steps, more than")
    out.append(Case("time_step_1e-300", {"case.prm": ht.merge(GOOD, {"time": {"end time": 1, "time step": 1e-300}})},
                    patterns=[named("case.prm"), named("time step"), ("shows 1e-300", r"\b1(\.0*)?e-300\b"), too_many],
                    absent=[("not '0.000000'", r"0\.000000")]))
    out.append(Case("end_time_1e30", {"case.prm": ht.merge(GOOD, {"time": {"end time": 1e30, "time step": 0.1}})},
                    patterns=[named("case.prm"), named("end time"), too_many],
                    absent=[("not 'multiple'", r"multiple")]))
    out.append(Case("end_time_not_a_multiple", {"case.prm": ht.merge(GOOD, {"time": {"end time": 0.1,
                                                                                       "time step": 0.03}})},
                    patterns=[named("case.prm"), named("time step"), ("says not a multiple", r"multiple")]))
    return out


def corrupt_padding(data):
    """@p data (a TorchScript zip) with one byte changed that no reader checks: the first padding byte
    ('Z') in the extra field of a member's local header (PyTorch aligns every member's data to 64
    bytes with such padding; readers skip the local extra field, and it is not part of any CRC)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for info in z.infolist():
            offset = info.header_offset
            name_length, extra_length = struct.unpack("<HH", data[offset + 26:offset + 30])
            extra = offset + 30 + name_length
            field = data[extra:extra + extra_length]
            if field[:2] == b"FB" and len(field) > 4 and field[4:5] == b"Z":
                return data[:extra + 4] + b"Y" + data[extra + 5:], info.filename
    raise SystemExit("test setup: no padding byte found in the model file")


def model_cases(models, checker):
    """18: the model's SHA-256 against its side file <model>.sha256."""
    out = []
    model = os.path.join(models, "learned-ic.pt")
    data = open(model, "rb").read()
    digest = hashlib.sha256(data).hexdigest()
    side = model + ".sha256"
    shipped = open(side).read().split()[0] if os.path.isfile(side) else None
    checker.check(shipped == digest, "the shipped model has its side file learned-ic.pt.sha256 with its SHA-256 "
                                     "(%s)" % (shipped or "missing"))
    corrupt, member = corrupt_padding(data)
    with zipfile.ZipFile(io.BytesIO(corrupt)) as z:
        checker.check(z.testzip() is None and len(corrupt) == len(data) and corrupt != data,
                      "test setup: the corrupted copy (one padding byte of '%s') is still a sound zip, every "
                      "member's CRC matching" % member)
    settings = ht.merge(GOOD, {"advection diffusion": {"linear solver": {"preconditioner": {
        "type": "learned-ic", "learned-ic": {"model file": "learned-ic.pt"}}}}})
    # the copy with its side file (the shipped one, or one line with the hex digest where there is none yet)
    side_text = open(side).read() if shipped else digest + "\n"
    out.append(Case("model_good_copy", {"case.prm": settings, "learned-ic.pt": data, "learned-ic.pt.sha256": side_text},
                    modes=("validate",), expect=0))
    out.append(Case("model_sha256_mismatch", {"case.prm": settings, "learned-ic.pt": corrupt,
                                              "learned-ic.pt.sha256": side_text}, patterns=[
        named("learned-ic.pt"), ("says SHA-256", r"sha-?256"),
        ("says mismatch / corrupt", r"mismatch|corrupt|does not match|differ")]))
    out.append(Case("model_sha256_missing", {"case.prm": settings, "learned-ic.pt": data}, patterns=[
        named("learned-ic.pt"), ("names the side file 'learned-ic.pt.sha256'", r"learned-ic\.pt\.sha256")]))
    return out


# ---------------------------------------------------------------------------------------------------
# running the cases
# ---------------------------------------------------------------------------------------------------

@contextlib.contextmanager
def memory_limit(limit):
    """Limits the address space of the processes started inside (inherited by mpirun and hyfe), so that
    a run that today tries to allocate a huge mesh fails early instead of exhausting the machine."""
    if not limit:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def write_files(folder, files):
    for relative, content in files.items():
        path = os.path.join(folder, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if content is DIRECTORY:
            os.makedirs(path)
        elif isinstance(content, bytes):
            open(path, "wb").write(content)
        else:
            open(path, "w").write(text_of(content))


def tree(folder):
    """Every path below @p folder (files and folders)."""
    paths = set()
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            paths.add(os.path.relpath(os.path.join(root, name), folder))
    return paths


def message_of(result):
    return "\n".join(l for l in result.output.splitlines() if not l.startswith(MPIRUN_LINES))


def modes_of(args, case):
    """--modes both: every case as a run and with --validate; --modes run: as a run, and with --validate
    only where that is the point (output folders, validate-only cases)."""
    if args.modes == "both" or len(case.modes) == 1 or case.validate_too:
        return case.modes
    return ("run",)


def run_case(args, case, mode):
    """Runs one case in one mode in a fresh folder; returns (result, paths created)."""
    folder = os.path.join(args.work, "%s_%s" % (case.name, mode))
    os.makedirs(folder)
    write_files(folder, case.files)
    before = tree(folder)
    command = [case.target] if mode == "run" else ["--validate", case.target]
    timeout = 2 * case.max_seconds if case.max_seconds else TIMEOUT
    with memory_limit(case.memory_limit):
        r = ht.run(args.mpirun, args.hyfe, command, np=args.np, cwd=os.path.join(folder, case.cwd), timeout=timeout)
    return r, sorted(tree(folder) - before)


def check_case(args, checker, case, mode, r, created):
    what = "%s (%s, %d rank(s))" % (case.name, mode, args.np)
    hyfe_lines = [l for l in r.output.splitlines() if l.startswith("hyfe: ")]
    print("      %s: %s" % (what, (hyfe_lines[0] if hyfe_lines else "(no 'hyfe:' line)")[:300]), flush=True)
    if case.expect == 0:
        checker.check(r.returncode == 0 and not r.timed_out, "%s: accepted (exit 0)" % what, r.describe())
        checker.check(len(hyfe_lines) == 1 and "is valid" in hyfe_lines[0], "%s: 'is valid' printed once" % what,
                      r.describe())
        checker.check(not created, "%s: nothing created%s" % (what, (" (found %s)" % ", ".join(created[:3]))
                                                                 if created else ""))
        return
    timeout = 2 * case.max_seconds if case.max_seconds else TIMEOUT
    checker.check(not r.timed_out, "%s: exits within %d s (no hang)" % (what, timeout), r.describe())
    if case.max_seconds:
        checker.check(r.seconds < case.max_seconds, "%s: refused within %d s (took %.1f s)" %
                      (what, case.max_seconds, r.seconds), r.describe())
    checker.check(r.returncode == 1, "%s: exit status 1 (got %s)" % (what, r.returncode), r.describe())
    message = message_of(r)
    for description, pattern in case.patterns:
        checker.check(re.search(pattern, message, re.IGNORECASE) is not None,
                      "%s: the message %s" % (what, description), "pattern %r\n%s" % (pattern, r.describe()))
    for description, pattern in case.absent:
        checker.check(re.search(pattern, message, re.IGNORECASE) is None,
                      "%s: the message says %s" % (what, description), "pattern %r\n%s" % (pattern, r.describe()))
    checker.check(len(hyfe_lines) == 1, "%s: the error is printed once (%d 'hyfe:' lines)" %
                  (what, len(hyfe_lines)), r.describe())
    crash = CRASH.search(r.output)
    checker.check(crash is None, "%s: no crash, abort or stack trace%s" %
                  (what, " (found '%s')" % crash.group(0) if crash else ""), r.describe())
    checker.check(not created, "%s: nothing computed or created%s" %
                  (what, (" (found %s)" % ", ".join(created[:3])) if created else ""))


def bad_input(args, checker):
    cases = []
    for group in (constants_cases, include_cases, refinement_cases, range_cases, expression_cases,
                  duplicate_cases, pressure_point_cases, output_cases, file_cases, json_cases, mesh_cases,
                  time_cases):
        cases += group()
    if args.models:
        cases += model_cases(args.models, checker)
    # the good baselines first: a failure there makes the rest meaningless
    for settings, name in ((GOOD_3D, "good_3d"), (GOOD_NS, "good_navier_stokes"), (GOOD, "good_2d")):
        cases.insert(0, Case(name, {"case.prm": settings}, modes=("validate",), expect=0))
    if args.only:
        cases = [c for c in cases if re.search(args.only, c.name)]
    runs = [(case, mode) for case in cases for mode in modes_of(args, case)]
    start = time.time()
    # the runs with a memory limit (it is set on this process and inherited) and a time limit one by one,
    # the others args.jobs at a time; the checks are printed in the order of the cases
    results = {}
    for case, mode in runs:
        if case.memory_limit or case.max_seconds:
            results[case.name, mode] = run_case(args, case, mode)
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {(case.name, mode): pool.submit(run_case, args, case, mode) for case, mode in runs
                   if (case.name, mode) not in results}
        for case, mode in runs:
            r, created = results[case.name, mode] if (case.name, mode) in results else futures[case.name, mode].result()
            check_case(args, checker, case, mode, r, created)
    print("bad input: %d cases, %d runs in %.0f s" % (len(cases), len(runs), time.time() - start), flush=True)


# ---------------------------------------------------------------------------------------------------
# interrupted runs
# ---------------------------------------------------------------------------------------------------

INTERRUPTED = ht.merge(GOOD, {
    # 100 steps, several seconds: mpirun forwards a SIGTERM to the ranks only after odls_base_sigkill_timeout (1 s)
    "time": {"end time": 0.2, "time step": 0.002, "scheme": "bdf2"},
    "mesh": {"global refinements": 5},
    "output": {"directory": "output", "write fields": True, "interval": 1, "groups": 1, "progress interval": 1000},
    "advection diffusion": {"finite element degree": 2, "diffusivity": "0.01", "advection velocity": "1; 0.5",
                            "linear solver": {"preconditioner": {"type": "boomeramg"}}},
})


def start_time(pid):
    """The start time of process @p pid (field 22 of /proc/pid/stat), None if there is none."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return int(f.read().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def children(pid):
    """The children of @p pid (the hyfe ranks of an mpirun), as (pid, start time): a pid is signalled
    later only while it still has that start time, never a process that reuses the number."""
    out = set()
    for task in os.listdir("/proc/%d/task" % pid) if os.path.isdir("/proc/%d/task" % pid) else []:
        try:
            out.update(int(p) for p in open("/proc/%d/task/%s/children" % (pid, task)).read().split())
        except OSError:
            pass
    return sorted((p, start_time(p)) for p in out)


def signal_rank(rank, sig):
    pid, started = rank
    if started is not None and start_time(pid) == started:
        with contextlib.suppress(OSError):
            os.kill(pid, sig)


def alive(rank):
    pid, started = rank
    try:
        with open("/proc/%d/stat" % pid) as f:
            return start_time(pid) == started and f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def parses(path):
    try:
        ET.parse(path)
        return True
    except (ET.ParseError, OSError):
        return False


def check_output_folder(checker, folder, what):
    """The files that an interrupted run left are whole: pvd, its records and pieces, stats.csv."""
    pvd = os.path.join(folder, "solution.pvd")
    listed = []
    if os.path.isfile(pvd):
        ok = parses(pvd)
        checker.check(ok, "%s: solution.pvd parses as XML" % what)
        if ok:
            records = [d.get("file") for d in ET.parse(pvd).iter("DataSet")]
            for record in records:
                path = os.path.join(folder, record)
                listed.append(record)
                if os.path.isfile(path) and parses(path):
                    listed += [p.get("Source") for p in ET.parse(path).iter("Piece") if p.get("Source")]
            missing = [f for f in listed if not os.path.isfile(os.path.join(folder, f))]
            broken = [f for f in listed if f not in missing and not parses(os.path.join(folder, f))]
            checker.check(records and not missing and not broken,
                          "%s: the %d records and pieces that solution.pvd lists exist and parse%s" %
                          (what, len(listed), "" if not (missing or broken) else
                           " (missing %s, broken %s)" % (missing[:3], broken[:3])))
    else:
        checker.check(True, "%s: (no solution.pvd written yet)" % what)
    files = sorted(f for f in os.listdir(folder) if f.endswith((".vtu", ".pvtu"))) if os.path.isdir(folder) else []
    broken = [f for f in files if not parses(os.path.join(folder, f))]
    checker.check(not broken, "%s: every one of the %d *.vtu / *.pvtu files parses as XML%s" %
                  (what, len(files), " (cut off: %s)" % ", ".join(broken[:3]) if broken else ""))
    stats = os.path.join(folder, "stats.csv")
    if os.path.isfile(stats):
        rows = list(csv.reader(open(stats, newline="")))  # empty when killed before the first step
        bad = [k + 1 for k, row in enumerate(rows) if len(row) != len(rows[0])]
        checker.check(not bad, "%s: every line of stats.csv (%d) has the header's %d fields%s" %
                      (what, len(rows), len(rows[0]) if rows else 0, " (not lines %s)" % bad[:3] if bad else ""))


def interrupted_run(args, checker, name, how, delay):
    """Starts the run, waits until its first record is written plus @p delay s, stops it by @p how."""
    folder = os.path.join(args.work, name)
    os.makedirs(folder)
    ht.write_prm(os.path.join(folder, "case.prm"), INTERRUPTED)
    env = dict(os.environ)
    # OpenMPI's default: on SIGTERM, mpirun sends the ranks SIGCONT, SIGTERM and SIGKILL, this many
    # seconds apart (ctest sets 0: SIGKILL at once; a large value delays the SIGTERM as much)
    env["OMPI_MCA_odls_base_sigkill_timeout"] = "1"
    command = [args.mpirun, "-np", str(args.np), args.hyfe, "case.prm"]
    start = time.time()
    process = subprocess.Popen(command, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True, env=env)
    pvd = os.path.join(folder, "output", "solution.pvd")
    while time.time() - start < TIMEOUT and process.poll() is None and not os.path.isfile(pvd):
        time.sleep(0.02)
    time.sleep(delay)
    running = process.poll() is None
    ranks = children(process.pid)
    what = "%s (%s after the first record + %.1f s, %d ranks)" % (name, how, delay, args.np)
    checker.check(running and len(ranks) == args.np, "%s: the run was still going when stopped (%.1f s, %d rank "
                                                     "processes)" % (what, time.time() - start, len(ranks)))
    if how == "SIGTERM to mpirun":
        with contextlib.suppress(OSError):  # (the run may have ended meanwhile: then the check above failed)
            os.kill(process.pid, signal.SIGTERM)
    elif how == "SIGTERM to the ranks":
        for rank in ranks:
            signal_rank(rank, signal.SIGTERM)
    else:
        with contextlib.suppress(OSError):
            os.killpg(process.pid, signal.SIGKILL)
        for rank in ranks:
            signal_rank(rank, signal.SIGKILL)
    timed_out = False
    try:
        stdout, stderr = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        timed_out = True
        with contextlib.suppress(OSError):
            os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
    for rank in ranks:  # last-resort cleanup: no rank outlives the test
        signal_rank(rank, signal.SIGKILL)
    r = ht.Result(command, process.returncode, stdout, stderr, time.time() - start, timed_out)
    checker.check(not timed_out, "%s: the job ended within 30 s" % what, r.describe())
    if how != "SIGKILL":
        checker.check(r.returncode not in (0, None), "%s: exit status non-zero (got %s)" % (what, r.returncode),
                      r.describe())
        said = [l for l in r.output.splitlines() if l.startswith("hyfe: ") and "interrupted" in l.lower()]
        checker.check(len(said) == 1, "%s: one 'hyfe: ' line says 'interrupted' (got %d)" % (what, len(said)),
                      r.describe())
        crash = re.search(r"Stacktrace|terminate called|Segmentation fault|core dumped|MPI_ABORT", r.output)
        checker.check(crash is None, "%s: no crash or stack trace" % what, r.describe())
    time.sleep(0.2)
    checker.check(not any(alive(rank) for rank in ranks), "%s: no rank left running" % what)
    check_output_folder(checker, os.path.join(folder, "output"), what)


def interrupted(args, checker):
    start = time.time()
    # the case itself runs and writes good output (and long enough to be interrupted: a few seconds)
    folder = os.path.join(args.work, "complete")
    os.makedirs(folder)
    ht.write_prm(os.path.join(folder, "case.prm"), INTERRUPTED)
    r = ht.run(args.mpirun, args.hyfe, ["case.prm"], np=args.np, cwd=folder, timeout=120)
    checker.run_ok(r, "the uninterrupted run")
    check_output_folder(checker, os.path.join(folder, "output"), "the uninterrupted run")
    interrupted_run(args, checker, "sigterm_mpirun", "SIGTERM to mpirun", 0.5)
    interrupted_run(args, checker, "sigterm_ranks", "SIGTERM to the ranks", 0.5)
    for k, delay in enumerate((0.1, 0.45, 1.0)):
        interrupted_run(args, checker, "sigkill_%d" % k, "SIGKILL", delay)
    print("interrupted runs: %.0f s" % (time.time() - start), flush=True)


def main():
    def extra(parser):
        parser.add_argument("--np", type=int, default=1)
        parser.add_argument("--models", default="", help="learned/models (LibTorch builds): the SHA-256 cases")
        parser.add_argument("--interrupted", action="store_true", help="the interrupted runs instead of the bad input")
        parser.add_argument("--modes", choices=("both", "run"), default="both",
                            help="both: every case as a run and with --validate; run: --validate only where noted")
        parser.add_argument("--jobs", type=int, default=1, help="cases run at the same time")
        parser.add_argument("--only", default="", help="only the cases whose name matches this regex")

    args = ht.arguments(__doc__, extra)
    if args.jobs > 1:
        # OpenMPI binds rank 0 of every job to core 0: concurrent jobs would share one core
        os.environ["OMPI_MCA_hwloc_base_binding_policy"] = "none"
    if args.interrupted:
        checker = ht.Checker("interrupted runs on %d ranks" % args.np)
        interrupted(args, checker)
    else:
        checker = ht.Checker("bad input on %d rank(s)" % args.np)
        bad_input(args, checker)
    checker.finish()


if __name__ == "__main__":
    main()
