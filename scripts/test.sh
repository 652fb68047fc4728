#!/usr/bin/env bash
# Builds Brasa and runs the whole test suite (GoogleTest under ctest).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
