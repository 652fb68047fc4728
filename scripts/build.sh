#!/usr/bin/env bash
# Configures (once) and builds Brasa in Release mode under build/.
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache hits across clones of the repository (paths below it are made relative).
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
[ -f build/build.ninja ] || cmake --preset release
cmake --build build -j "$(nproc)"
