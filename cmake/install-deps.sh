#!/usr/bin/env bash
# Idempotent installer for hyfe's dependencies: Debian 12 packages only.
# Runs `apt-get update` once, and only when something is missing.
#   cmake/install-deps.sh              build, run and test dependencies
#   cmake/install-deps.sh --benchmark  also the deal.II tutorial sources (step-40)
#   cmake/install-deps.sh --training   also PyTorch and SciPy for learned/training
#   cmake/install-deps.sh --render     also ParaView's pvbatch and xvfb for cases/common/render.sh
set -euo pipefail

packages=(build-essential cmake ninja-build ccache pkg-config
          libdeal.ii-dev libtorch-dev libvtk9-dev openmpi-bin libopenmpi-dev
          libgtest-dev python3 clang-format)
for arg in "$@"; do
  case "$arg" in
    --benchmark) packages+=(libdeal.ii-doc) ;;
    --training) packages+=(python3-torch python3-scipy) ;;
    --render) packages+=(paraview python3-paraview xvfb xauth) ;;
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
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
