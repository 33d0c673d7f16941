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
# included; N + 1 passes with the warm-up), so start-up and loading are not in the profile.
profile() {
  local file=$out/$1.profile.out
  valgrind --tool=callgrind --callgrind-out-file="$file" --collect-atstart=no \
    --toggle-collect="*bench::parse_$1(*" "$bin" --instr="$1" --iterations="$iters" \
    >/dev/null 2>"$out/$1.profile.log"
  callgrind_annotate --auto=no --inclusive=no "$file" >"$out/$1.self.txt" 2>/dev/null || true
  callgrind_annotate --auto=no --inclusive=yes "$file" >"$out/$1.inclusive.txt" 2>/dev/null || true
}
# "Ir function" rows of an annotate file, file names dropped, so one function is one row:
# self costs of inlined parts are summed; with "max", the largest row is kept (inclusive).
by_function() {
  awk -v mode="${2:-sum}" 'f && !NF {exit}
       f {
         ir = $1; gsub(",", "", ir); ir += 0
         fn = $0; sub(/^ *[0-9,]+ +\( *[0-9.]+%\) +/, "", fn); sub(/ \[[^]]*\]$/, "", fn)
         sub(/^[^:]*:/, "", fn)
         if (mode == "max") { if (ir > sum[fn]) sum[fn] = ir } else sum[fn] += ir
       }
       /file:function/ {getline; f = 1}
       END {for (fn in sum) print sum[fn], fn}' "$1" | sort -rn
}
# Top self-cost functions of parse_<parser>(), as instructions per message byte.
top_functions() {  # top_functions PARSER COUNT
  by_function "$out/$1.self.txt" | awk -v d="$(( (iters + 1) * total_bytes ))" -v n="$2" \
    'NR <= n {fn = $0; sub(/^[0-9]+ /, "", fn); printf "  %6.2f  %s\n", $1 / d, substr(fn, 1, 110)}'
}
# Inclusive instr/byte of sipline's steps (each includes its malloc/free).
sipline_steps() {
  local d=$(( (iters + 1) * total_bytes ))
  # Inclusive rows are not additive across files: take the largest row (the whole function).
  by_function "$out/sipline.inclusive.txt" max >"$out/sipline.inclusive.by_function.txt"
  local step pat
  for step in "parse_sipline() in all|sipline::bench::parse_sipline(" \
              "Message::parse (start line, header index, body)|sipline::msg::Message::parse(std::" \
              "  of which header_id|sipline::msg::header_id(" \
              "Message::top_via|sipline::msg::Message::top_via()" \
              "Message::cseq|sipline::msg::Message::cseq()" \
              "Message::call_id|sipline::msg::Message::call_id()" \
              "Message::from|sipline::msg::Message::from()" \
              "Message::contacts|sipline::msg::Message::contacts()" \
              "malloc (all callers)|=malloc" \
              "free (all callers)|=free"; do
    pat=${step#*|}
    awk -v p="$pat" -v name="${step%%|*}" -v d="$d" '
      {fn = $0; sub(/^[0-9]+ /, "", fn)}
      (p ~ /^=/ && fn == substr(p, 2)) || (p !~ /^=/ && index(fn, p) == 1) {if ($1 > s) s = $1}
      END {printf "  %6.2f  %s\n", s / d, name}' \
      "$out/sipline.inclusive.by_function.txt"
  done
}

declare -A ipb nspm
for p in "${parsers[@]}"; do
  base=$(ir "$p" 0)
  full=$(ir "$p" "$iters")
  total_bytes=$(sed -n 's/.*bytes_per_pass=\([0-9]*\).*/\1/p' "$out/$p.0.stdout")
  ipb[$p]=$(awk -v a="$full" -v b="$base" -v n="$iters" -v t="$total_bytes" \
    'BEGIN {printf "%.2f", (a - b) / (n * t)}')
  # Median over repetitions (--benchmark_repetitions), or the single run.
  nspm[$p]=$(jq --arg n "all/$p" '[.benchmarks[] | select(.run_name == $n and .run_type == "iteration")
      | 1e9 / .items_per_second] | sort | .[length / 2 | floor] | . * 10 | round / 10' "$json")
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
  printf '\nwhere sipline spends them (instr/byte, inclusive, in parse_sipline()):\n'
  sipline_steps
  printf '          (the rest: copying the bytes into a std::string, ~Message)\n'
  printf '\nsipline top functions (instr/byte, self, in parse_sipline()):\n'
  top_functions sipline 20
  exit 1
fi
