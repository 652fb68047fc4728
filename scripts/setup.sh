#!/usr/bin/env bash
# Installs what Brasa needs on Debian 12 (as root, or with sudo) and builds
# it in Release mode under build/.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  libtbb-dev libspdlog-dev libfmt-dev libeigen3-dev libboost-graph-dev
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  libgtest-dev libgmock-dev libbenchmark-dev libcereal-dev libcli11-dev
  libcpp-httplib-dev libssl-dev zlib1g-dev libbrotli-dev libzstd-dev  # the web UI, event logs
  chromium  # the web UI's browser test
  iproute2
  clang libclang-rt-14-dev  # libFuzzer targets (tests/fuzz)
  slurm-wlm munge  # running on Slurm: scripts/slurm-local.sh, tests/slurm
  python3-dask python3-distributed python3-numpy python3-pandas  # peers of bench/
  python3-sklearn python3-scipy python3-networkx python3-igraph libopenblas0-pthread
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "== installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

./scripts/build.sh
