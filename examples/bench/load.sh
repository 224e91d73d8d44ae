#!/usr/bin/env bash
# Load test over loopback: fsa's acme-like routes and their bare actix-web
# equivalents (examples/bench/src/apps.rs), in the same run.
#
#   bash examples/bench/load.sh
#   ROUNDS=7 DURATION=10 CONNECTIONS=32 bash examples/bench/load.sh
#
# Each server (one actix worker) is pinned to CPU 0 and wrk to CPU 1
# (taskset); rounds are interleaved (every route, fsa and bare, in an order
# that alternates from round to round); the table gives the medians over
# the rounds of requests per second, p99 latency and the server's CPU time
# per request (user + system, from /proc), the ratios, and the peak RSS
# (VmHWM) of each server. acme itself (release, prod mode, SQLite, JWT) is
# measured in the same run on its token read (`GET /store`) and its write
# (`POST /store/1/product`), against fsa's in-memory group route, then its
# token read again while a brute-force client floods it with wrong
# passwords (BRUTE=0 skips it): login throttling answers the flood with
# 429s, without a password hash, and the token users keep their pace. Everything
# is bounded in time; only the servers this script started are stopped
# (trap). Only 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-32}
FSA_PORT=${FSA_PORT:-18081}
BARE_PORT=${BARE_PORT:-18082}
ROUTES=${ROUTES:-hello open group basic perm}
ACME=${ACME:-1}
ACME_PORT=${ACME_PORT:-18083}
BRUTE=${BRUTE:-1}
SERVER_CPU=${SERVER_CPU:-0}
WRK_CPU=${WRK_CPU:-1}

source examples/servers.sh
install_missing wrk wrk
command -v taskset >/dev/null || { echo "taskset (util-linux) is needed"; exit 1; }

echo "== building the servers"
cargo build --release -q -p fsa-bench
bin=target/release/fsa-bench
[ "$ACME" = 1 ] && cargo build --release -q -p acme

serve fsa taskset -c "$SERVER_CPU" "$bin" fsa "127.0.0.1:$FSA_PORT"
fsa_pid=$pid
serve bare taskset -c "$SERVER_CPU" "$bin" bare "127.0.0.1:$BARE_PORT"
bare_pid=$pid
if [ "$ACME" = 1 ]; then
  serve acme env FSA_MODE=prod ACME_SECRET="acme bench secret, long enough for prod!" ACME_DB="$work/acme.db" \
    ACME_BIND="127.0.0.1:$ACME_PORT" RUST_LOG=warn taskset -c "$SERVER_CPU" target/release/acme
  acme_pid=$pid
  acme_token=$(curl -sS --fail -u calvin:hobbes-rules "http://127.0.0.1:$ACME_PORT/login" | tr -d '"')
fi
token=$("$bin" token 2>/dev/null)
basic=$(printf 'calvin:hobbes-rules' | base64)

# wrk scripts: headers and bodies of each route
acme_routes=
[ "$ACME" = 1 ] && acme_routes="acme_read acme_write"
for route in $ROUTES $acme_routes; do
  {
    case $route in
      group) echo "wrk.headers[\"Authorization\"] = \"Bearer $token\"" ;;
      basic) echo "wrk.headers[\"Authorization\"] = \"Basic $basic\"" ;;
      perm)
        echo "wrk.method = \"POST\""
        echo "wrk.body = \"product=pen&quantity=3\""
        echo "wrk.headers[\"Content-Type\"] = \"application/x-www-form-urlencoded\""
        echo "wrk.headers[\"Authorization\"] = \"Bearer $token\""
        ;;
      acme_read) echo "wrk.headers[\"Authorization\"] = \"Bearer $acme_token\"" ;;
      acme_write)
        echo "wrk.method = \"POST\""
        echo "wrk.body = \"product=pen&quantity=1\""
        echo "wrk.headers[\"Content-Type\"] = \"application/x-www-form-urlencoded\""
        echo "wrk.headers[\"Authorization\"] = \"Bearer $acme_token\""
        ;;
    esac
  } >"$work/$route.lua"
done
path_of() {
  case $1 in
    hello) echo /hello ;;
    open) echo "/open?a=17&b=2.5" ;;
    group) echo /group ;;
    basic) echo /basic ;;
    perm | acme_write) echo /store/1/product ;;
    acme_read) echo /store ;;
  esac
}

# user + system CPU time of a process, in clock ticks
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
tck=$(getconf CLK_TCK)

# One wrk run: "requests/s p99-ms cpu-us-per-request" on stdout.
load() { # app route seconds
  local port=$FSA_PORT pid=$fsa_pid
  [ "$1" = bare ] && { port=$BARE_PORT; pid=$bare_pid; }
  [ "$1" = acme ] && { port=$ACME_PORT; pid=$acme_pid; }
  local out before after
  before=$(ticks "$pid")
  out=$(taskset -c "$WRK_CPU" wrk -t1 -c"$CONNECTIONS" -d"${3}s" --latency \
    -s "$work/$2.lua" "http://127.0.0.1:$port$(path_of "$2")" 2>&1)
  after=$(ticks "$pid")
  if echo "$out" | grep -q "Non-2xx"; then
    echo "$1 $2: non-2xx answers:" >&2
    echo "$out" >&2
    exit 1
  fi
  local rps p99 requests cpu
  rps=$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')
  requests=$(echo "$out" | awk '/requests in/ {print $1}')
  cpu=$(awk "BEGIN {printf \"%.2f\", ($after - $before) / $tck * 1e6 / $requests}")
  p99=$(echo "$out" | awk '$1 == "99%" {v=$2; u=v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
    f = (u == "us") ? 0.001 : (u == "s") ? 1000 : (u == "m") ? 60000 : 1; printf "%.3f", v * f}')
  echo "$rps $p99 $cpu"
}

echo "== warm-up (caches, connections)"
for route in $ROUTES; do
  for app in fsa bare; do load "$app" "$route" 1 >/dev/null; done
done
for route in $acme_routes; do load acme "$route" 1 >/dev/null; done

echo "== $ROUNDS interleaved rounds of ${DURATION}s per route and application, $CONNECTIONS connections"
for round in $(seq "$ROUNDS"); do
  order="fsa bare"
  [ $((round % 2)) -eq 0 ] && order="bare fsa"
  for route in $ROUTES; do
    for app in $order; do
      read -r rps p99 cpu < <(load "$app" "$route" "$DURATION")
      echo "$rps" >>"$work/$app.$route.rps"
      echo "$p99" >>"$work/$app.$route.p99"
      echo "$cpu" >>"$work/$app.$route.cpu"
      printf '  round %s %-5s %-4s %10s req/s  p99 %s ms  %s us CPU/req\n' "$round" "$route" "$app" "$rps" "$p99" "$cpu"
    done
  done
  for route in $acme_routes; do
    read -r rps p99 cpu < <(load acme "$route" "$DURATION")
    echo "$rps" >>"$work/acme.$route.rps"
    echo "$p99" >>"$work/acme.$route.p99"
    echo "$cpu" >>"$work/acme.$route.cpu"
    printf '  round %s %-10s %10s req/s  p99 %s ms  %s us CPU/req\n' "$round" "$route" "$rps" "$p99" "$cpu"
  done
done

if [ "$ACME" = 1 ] && [ "$BRUTE" = 1 ]; then
  echo "== acme's token read, alone then beside a brute-force client (8 connections of wrong passwords)"
  wrong=$(printf 'calvin:not-the-password' | base64)
  echo "wrk.headers[\"Authorization\"] = \"Basic $wrong\"" >"$work/brute.lua"
  for round in $(seq "$ROUNDS"); do
    read -r rps p99 cpu < <(load acme acme_read "$DURATION")
    echo "$rps" >>"$work/alone.rps"
    echo "$p99" >>"$work/alone.p99"
    spawn "brute.$round" taskset -c "$WRK_CPU" wrk -t1 -c8 -d"$((DURATION + 1))s" -s "$work/brute.lua" \
      "http://127.0.0.1:$ACME_PORT/store"
    brute_pid=$pid
    sleep 0.5
    read -r rps p99 cpu < <(load acme acme_read "$DURATION")
    wait "$brute_pid" || true
    echo "$rps" >>"$work/beside.rps"
    echo "$p99" >>"$work/beside.p99"
    awk '/^Requests\/sec:/ {print $2}' "$work/brute.$round.out" >>"$work/brute.rps"
    printf '  round %s token read alone %s req/s p99 %s ms; beside the brute force %s req/s p99 %s ms; brute force %s req/s\n' \
      "$round" "$(tail -1 "$work/alone.rps")" "$(tail -1 "$work/alone.p99")" "$rps" "$p99" "$(tail -1 "$work/brute.rps")"
  done
fi

median() { sort -g "$1" | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
hwm() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
ratio() { awk "BEGIN {printf \"%.3f\", $1 / $2}"; }

echo
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); $(date -u +%Y-%m-%d)"
echo "rounds: $ROUNDS x ${DURATION}s, $CONNECTIONS connections, server on CPU $SERVER_CPU, wrk on CPU $WRK_CPU; medians"
echo
echo "| route | fsa req/s | bare req/s | fsa / bare | fsa p99 ms | bare p99 ms | fsa us CPU/req | bare us CPU/req | CPU fsa / bare |"
echo "|-------|----------:|-----------:|-----------:|-----------:|------------:|---------------:|----------------:|---------------:|"
for route in $ROUTES; do
  f=$(median "$work/fsa.$route.rps")
  b=$(median "$work/bare.$route.rps")
  fc=$(median "$work/fsa.$route.cpu")
  bc=$(median "$work/bare.$route.cpu")
  echo "| $route | $f | $b | $(ratio "$f" "$b") | $(median "$work/fsa.$route.p99") | $(median "$work/bare.$route.p99") | $fc | $bc | $(ratio "$fc" "$bc") |"
done
if [ -n "$acme_routes" ]; then
  echo
  echo "| acme (SQLite, JWT) | req/s | p99 ms | us CPU/req | CPU / fsa group |"
  echo "|--------------------|------:|-------:|-----------:|----------------:|"
  for route in $acme_routes; do
    c=$(median "$work/acme.$route.cpu")
    vs="-"
    [ -f "$work/fsa.group.cpu" ] && vs=$(ratio "$c" "$(median "$work/fsa.group.cpu")")
    echo "| $route | $(median "$work/acme.$route.rps") | $(median "$work/acme.$route.p99") | $c | $vs |"
  done
fi
if [ -f "$work/beside.rps" ]; then
  a=$(median "$work/alone.rps")
  b=$(median "$work/beside.rps")
  echo
  echo "| acme token read | req/s | p99 ms |"
  echo "|-----------------|------:|-------:|"
  echo "| alone | $a | $(median "$work/alone.p99") |"
  echo "| beside a brute-force client ($(median "$work/brute.rps") wrong passwords/s, answered 429) | $b | $(median "$work/beside.p99") |"
  echo "| beside / alone | $(ratio "$b" "$a") | $(ratio "$(median "$work/beside.p99")" "$(median "$work/alone.p99")") |"
  grep -h "Non-2xx" "$work"/brute.*.out | head -1 | sed 's/^/brute force: /'
fi
echo
echo "| server | peak RSS (VmHWM) |"
echo "|--------|-----------------:|"
echo "| fsa | $(hwm "$fsa_pid") kB |"
echo "| bare | $(hwm "$bare_pid") kB |"
if [ -n "$acme_routes" ]; then
  echo "| acme | $(hwm "$acme_pid") kB |"
fi
