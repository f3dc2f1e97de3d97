#!/usr/bin/env bash
# Runs cases/common/render.py under xvfb-run with pvbatch (Debian 12's paraview has no pvpython), with the
# same arguments. pvbatch sometimes aborts while it connects to the fresh X server: up to 3 tries.
#   cases/common/render.sh OUTPUT/solution.pvd PICTURE.png [render.py options]
set -u
here=$(cd "$(dirname "$0")" && pwd)
pvbatch=$(command -v pvbatch || command -v pvbatch3.11 || true)
[ -n "$pvbatch" ] || { echo "render.sh: no pvbatch (Debian package paraview, with python3-paraview and xvfb)" >&2; exit 2; }
for try in 1 2 3; do
  xvfb-run -a "$pvbatch" "$here/render.py" "$@" && exit 0
  echo "render.sh: pvbatch failed (try $try of 3)" >&2
done
exit 1
