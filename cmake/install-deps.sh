#!/usr/bin/env bash
# Idempotent installer for hyfe's dependencies: Debian 12 packages only.
# Runs `apt-get update` once, and only when something is missing.
#   cmake/install-deps.sh              build, run and test dependencies
#   cmake/install-deps.sh --benchmark  also the deal.II tutorial sources (step-40)
#   cmake/install-deps.sh --training   also PyTorch and SciPy for learned/training
#   cmake/install-deps.sh --render     only ParaView's pvbatch, its python and xvfb, for cases/common/render.sh.
#                                      In Debian 12 python3-paraview conflicts with python3-vtk9, on which
#                                      libvtk9-dev (the test suite's VTK) depends: apt removes libvtk9-dev, and
#                                      a later plain run of this script removes python3-paraview again.
set -euo pipefail

packages=(build-essential cmake ninja-build ccache pkg-config
          libdeal.ii-dev libtorch-dev libvtk9-dev openmpi-bin libopenmpi-dev
          libgtest-dev python3 clang-format)
for arg in "$@"; do
  case "$arg" in
    --benchmark) packages+=(libdeal.ii-doc) ;;
    --training) packages+=(python3-torch python3-scipy) ;;
    --render) packages=(paraview python3-paraview xvfb xauth)
              echo "install-deps: --render swaps libvtk9-dev (build and tests) for python3-paraview (they conflict" \
                   "in Debian 12); cmake/install-deps.sh swaps back" ;;
    *) echo "install-deps.sh: unknown option '$arg' (valid: --benchmark, --training, --render)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
# ParaView's python (from --render) blocks libvtk9-dev: remove it first when the build needs VTK again
if [[ " ${missing[*]} " == *" libvtk9-dev "* ]] &&
  dpkg-query -W -f='${Status}' python3-paraview 2>/dev/null | grep -q "install ok installed"; then
  echo "install-deps: removing python3-paraview, which conflicts with libvtk9-dev (cmake/install-deps.sh --render reinstalls it)"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get remove -y -qq python3-paraview
fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
