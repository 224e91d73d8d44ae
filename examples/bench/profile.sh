#!/usr/bin/env bash
# Instructions and heap allocations per request of each benchmarked route,
# fsa and bare, through actix's test service, under callgrind (exact
# counts, unaffected by the noise of a shared machine). Optional arguments:
# routes (default: hello open group perm basic). Needs valgrind.
#
#   bash examples/bench/profile.sh            # the table
#   KEEP=1 bash examples/bench/profile.sh open # keeps callgrind.out.* in $OUT
set -euo pipefail
cd "$(dirname "$0")/../.."
routes=${*:-hello open group perm basic}
n=${N:-2000}
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"
cargo bench --no-run -p fsa-runtime --bench pipeline 2>"$out/build.log" || {
  cat "$out/build.log"
  exit 1
}
bin=$(sed -n 's/.*Executable benches\/pipeline.rs (\(.*\))/\1/p' "$out/build.log" | tail -1)
# totals of one run: instructions, then calls to malloc/realloc
measure() { # route app count
  local file="$out/callgrind.out.$1.$2.$3"
  FSA_BENCH_PROFILE="$1:$2" FSA_BENCH_PROFILE_N="$3" \
    valgrind --tool=callgrind --callgrind-out-file="$file" "$bin" >/dev/null 2>&1
  local ir
  ir=$(sed -n 's/^summary: //p;s/^totals: //p' "$file" | head -1)
  # calls of malloc, calloc and realloc, from every caller (callgrind
  # names a function once in full, then by its number)
  local mallocs
  mallocs=$(python3 - "$file" <<'PY'
import re, sys
names, callee, total = {}, None, 0
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"c?fn=\((\d+)\)(?: (.*))?", line)
    if m:
        if m.group(2):
            names[m.group(1)] = m.group(2).strip()
        callee = names.get(m.group(1)) if line.startswith("cfn=") else None
    elif line.startswith("calls=") and callee in ("malloc", "calloc", "realloc"):
        total += int(line[6:].split()[0])
print(total)
PY
)
  echo "$ir $mallocs"
}
echo "| route | app | instructions / request | allocations / request |"
echo "|-------|-----|-----------------------:|----------------------:|"
for route in $routes; do
  n_route=$n
  [ "$route" = basic ] && n_route=$(( n / 20 + 1 ))  # bcrypt: slow under valgrind
  for app in fsa bare; do
    read -r ir0 m0 < <(measure "$route" "$app" 0)
    read -r ir1 m1 < <(measure "$route" "$app" "$n_route")
    echo "| $route | $app | $(( (ir1 - ir0) / n_route )) | $(awk "BEGIN{printf \"%.1f\", ($m1 - $m0) / $n_route}") |"
  done
done
[ -n "${KEEP:-}" ] && echo "callgrind files in $out" || rm -rf "$out"
