#!/usr/bin/env python3
"""Lid-driven cavity at Re = 1000: see ../cavity-re100/validate.py (run with --re 1000)."""
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "output")
sys.exit(subprocess.call([sys.executable, os.path.join(here, "..", "cavity-re100", "validate.py"), folder, "--re", "1000"]))
