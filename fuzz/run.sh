#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for SECONDS.
#   fuzz/run.sh [SECONDS] [TARGET...]       (default 60 s, every fuzz_* target)
# The event-body targets (fuzz_mwi, fuzz_dialog_info, fuzz_reginfo: small parsers that saturate
# quickly) run for a third of SECONDS (at least 5 s), so 30 s per target costs 4x30 + 3x10 s.
# Seeds come from fuzz/corpus/<name> (fuzz_<name>); new inputs go to build-fuzz/corpus/<name>,
# never into the repository. A crash leaves its input in build-fuzz/artifacts/ and makes the
# script exit 1. Environment: BUILD_DIR (default <repo>/build-fuzz), JOBS (parallel runs).
set -euo pipefail

seconds=${1:-60}
shift || true
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$repo/build-fuzz}

cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
  -DSIPLINE_FUZZ=ON -DSIPLINE_TESTS=OFF -DSIPLINE_BENCH=OFF >/dev/null
targets=("$@")
if ((${#targets[@]} == 0)); then
  mapfile -t targets < <(ninja -C "$build" -t targets all | sed -n 's/^\(fuzz_[a-z0-9_]*\): .*/\1/p' | sort -u)
fi
cmake --build "$build" --target "${targets[@]}"

mkdir -p "$build/artifacts" "$build/logs"
status=0
for t in "${targets[@]}"; do
  name=${t#fuzz_}
  work=$build/corpus/$name
  mkdir -p "$work"
  seeds=()
  [[ -d $repo/fuzz/corpus/$name ]] && seeds=("$repo/fuzz/corpus/$name")
  dict=()
  [[ -f $repo/fuzz/$name.dict ]] && dict=("-dict=$repo/fuzz/$name.dict")
  budget=$seconds
  case $t in fuzz_mwi | fuzz_dialog_info | fuzz_reginfo) budget=$((seconds / 3 > 5 ? seconds / 3 : 5)) ;; esac
  echo "== $t: ${budget}s"
  if ! "$build/fuzz/$t" "$work" "${seeds[@]}" "${dict[@]}" -max_total_time="$budget" \
      -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$build/artifacts/$t-" >"$build/logs/$t.log" 2>&1; then
    echo "!! $t failed; log: $build/logs/$t.log" >&2
    grep -E "ERROR|SUMMARY|Test unit written" "$build/logs/$t.log" | head -20 >&2 || true
    status=1
  else
    grep -E "^stat::number_of_executed_units|^stat::new_units_added" "$build/logs/$t.log" \
      | tr '\n' ' '
    echo
  fi
done
exit $status
