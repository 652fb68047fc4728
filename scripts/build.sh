#!/usr/bin/env bash
# Configures (once) and builds Brasa in Release mode under build/.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/build.ninja ] || cmake --preset release
cmake --build build -j "$(nproc)"
