#!/usr/bin/env bash
# Instructions per byte of each parser, measured with callgrind on parse_bench's --instr mode:
#   instr/byte = (Ir(N iterations) - Ir(0 iterations)) / (N * total message bytes)
# Both runs load the messages and make one warm-up pass, so set-up cancels out.
# ns/msg comes from the all/<parser> benchmarks of a Google Benchmark JSON file.
#
# usage: bench/callgrind.sh PARSE_BENCH [BENCH_JSON] [N]
#   BENCH_JSON: output of parse_bench --benchmark_out=FILE --benchmark_out_format=json;
#               when absent or missing, the all/* benchmarks are run to produce it.
#   N:          iterations under callgrind (default 200).
# Exit status 1 when sipline misses a target (<= 10 instr/byte, >= 4x fewer than Sofia-SIP).
set -euo pipefail

bin=${1:?usage: callgrind.sh PARSE_BENCH [BENCH_JSON] [N]}
json=${2:-}
iters=${3:-200}
parsers=(sipline sofia osip)
out=$(dirname "$bin")/callgrind
mkdir -p "$out"

if [[ -z "$json" || ! -f "$json" ]]; then
  json=$out/all.json
  "$bin" --benchmark_filter='^all/' --benchmark_out="$json" --benchmark_out_format=json \
    >/dev/null 2>"$out/all.log" || { cat "$out/all.log" >&2; exit 2; }
fi

ir() {  # ir PARSER N -> total Ir of one callgrind run
  local file=$out/$1.$2.out
  valgrind --tool=callgrind --callgrind-out-file="$file" "$bin" --instr="$1" --iterations="$2" \
    >"$out/$1.$2.stdout" 2>"$out/$1.$2.log"
  awk '/^summary:/ {print $2; exit}' "$file"
}

# Where the instructions go: a third run that counts only inside parse_<parser>() (callees
# included), annotated by self cost, so start-up and loading do not crowd the list.
profile() {
  local file=$out/$1.profile.out
  valgrind --tool=callgrind --callgrind-out-file="$file" --collect-atstart=no \
    --toggle-collect="*bench::parse_$1(*" "$bin" --instr="$1" --iterations="$iters" \
    >/dev/null 2>"$out/$1.profile.log"
  callgrind_annotate --inclusive=no "$file" >"$out/$1.annotate.txt" 2>/dev/null || true
}
top_functions() {  # top_functions PARSER COUNT
  awk 'f && NF {print} /file:function/ {getline; f=1}' "$out/$1.annotate.txt" | head -"$2"
}

declare -A ipb nspm
for p in "${parsers[@]}"; do
  base=$(ir "$p" 0)
  full=$(ir "$p" "$iters")
  total_bytes=$(sed -n 's/.*bytes_per_pass=\([0-9]*\).*/\1/p' "$out/$p.0.stdout")
  ipb[$p]=$(awk -v a="$full" -v b="$base" -v n="$iters" -v t="$total_bytes" \
    'BEGIN {printf "%.2f", (a - b) / (n * t)}')
  nspm[$p]=$(jq --arg n "all/$p" '.benchmarks[] | select(.name == $n)
      | 1e9 / .items_per_second | . * 10 | round / 10' "$json")
  profile "$p"
done

printf '\nmessages: %s bytes per pass; callgrind N=%s; files in %s\n\n' "$total_bytes" "$iters" "$out"
printf '%-8s | %10s | %8s | %17s | %16s\n' parser instr/byte ns/msg "instr vs sipline" "time vs sipline"
printf -- '---------+------------+----------+-------------------+-----------------\n'
for p in "${parsers[@]}"; do
  ri=$(awk -v a="${ipb[$p]}" -v b="${ipb[sipline]}" 'BEGIN {printf "%.2fx", a / b}')
  rt=$(awk -v a="${nspm[$p]}" -v b="${nspm[sipline]}" 'BEGIN {printf "%.2fx", a / b}')
  printf '%-8s | %10s | %8s | %17s | %16s\n' "$p" "${ipb[$p]}" "${nspm[$p]}" "$ri" "$rt"
done

t1=$(awk -v a="${ipb[sipline]}" 'BEGIN {print (a <= 10) ? "PASS" : "FAIL"}')
t2=$(awk -v a="${ipb[sofia]}" -v b="${ipb[sipline]}" 'BEGIN {print (a >= 4 * b) ? "PASS" : "FAIL"}')
printf '\ntarget: sipline <= 10 instr/byte ............ %s\n' "$t1"
printf 'target: sipline >= 4x fewer than Sofia-SIP ... %s\n' "$t2"
if [[ $t1 == FAIL || $t2 == FAIL ]]; then
  printf '\nsipline top functions inside parse_sipline() (self Ir, %s passes):\n' "$iters"
  top_functions sipline 25
  exit 1
fi
