#!/bin/sh
# Compile time of a user's program: each core program of examples/, built
# against an install of this build tree the way its CMakeLists.txt builds
# it (CMake's Release flags), timed with brasa.h precompiled and without.
#
#   bench/compile_times.sh [BUILD_DIR [RUNS]]     # defaults: build 3
#
# Prints the median and the range of RUNS compiles of each program. The
# README's compile-time table comes from this.
set -eu
build=${1:-build}
runs=${2:-3}
source_dir=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/prefix" > /dev/null
cmake -S "$source_dir/examples" -B "$work/examples" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" > /dev/null
programs="word_count logistic_regression kmeans page_rank"  # the ones that share the precompiled header
ninja -C "$work/examples" $programs > /dev/null  # the precompiled header, and each program once

# Seconds of wall time of one run of the command in $1.
seconds() {
  start=$(date +%s.%N)
  sh -c "$1" > /dev/null
  end=$(date +%s.%N)
  awk "BEGIN { print $end - $start }"
}

# "median (min-max)" of $runs runs of the command in $1.
timed() {
  i=0
  times=""
  while [ $i -lt "$runs" ]; do
    times="$times $(seconds "$1")"
    i=$((i + 1))
  done
  echo $times | tr ' ' '\n' | sort -n | awk '{ t[NR] = $1 } END {
    m = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
    printf "%.2f s (%.2f-%.2f)", m, t[1], t[NR] }'
}

printf '| program | without a precompiled header | brasa.h precompiled |\n|---|---|---|\n'
cd "$work/examples"
for program in $programs; do
  object=CMakeFiles/$program.dir/$program.cc.o
  with_pch=$(ninja -t commands "$object" | tail -n 1)
  without_pch=$(echo "$with_pch" | sed 's|-Winvalid-pch -include [^ ]*cmake_pch.hxx||')
  printf '| %s.cc | %s | %s |\n' "$program" "$(timed "$without_pch")" "$(timed "$with_pch")"
done
