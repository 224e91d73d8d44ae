#!/usr/bin/env bash
# Soak test of acme as deployed: prod mode, release build, a new database,
# CONNECTIONS connections (default 1000) for DURATION seconds (default 60)
# of mixed traffic: token reads, basic reads, permitted and forbidden
# writes, missing stores, and hostile requests. acme is set up as deployed
# behind a load balancer (FSA_TRUSTED_PROXIES = loopback): the legitimate
# clients come from one address (X-Forwarded-For), the hostile ones from
# others, so that login throttling (429) stops the hostile ones without
# locking the legitimate ones out. Then it checks that:
#   - no answer is a 5xx;
#   - socket errors are no more than the connections explain;
#   - the database holds exactly the products that the 201 answers added
#     (nothing lost, nothing doubled);
# and prints requests/s, latency percentiles, the answers by status and
# acme's peak RSS. Loopback only; bounded in time; it stops only the acme it
# started. Needs wrk (installed from Debian's packages when missing).
#
#   bash examples/acme/soak.sh                         # 1000 connections, 60 s
#   DURATION=5 CONNECTIONS=1000 bash examples/acme/soak.sh  # what CI runs
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-60}
CONNECTIONS=${CONNECTIONS:-1000}
THREADS=${THREADS:-2}
SECRET="soak test secret, a long random string!"

source examples/servers.sh
install_missing wrk wrk
# every connection is a file descriptor, on both sides
ulimit -n "$(( CONNECTIONS * 2 + 1024 ))" 2>/dev/null || ulimit -n "$(ulimit -Hn)"

echo "== building acme (release)"
cargo build --release -q -p acme
serve acme env FSA_MODE=prod FSA_TRUSTED_PROXIES='["127.0.0.1"]' ACME_SECRET="$SECRET" \
  ACME_DB="$work/acme.db" ACME_BIND=127.0.0.1:0 RUST_LOG=warn target/release/acme
acme_pid=$pid
echo "== acme (prod mode) on $url"

get() { # URL [curl arguments]: the body, failing on an HTTP error; as the
  # TLS proxy forwards a legitimate client's request
  curl -sS --fail -H "X-Forwarded-For: 192.0.2.10" -H "X-Forwarded-Proto: https" "$@"
}
calvin=$(get -u calvin:hobbes-rules "$url/login" | tr -d '"')
hobbes=$(get -u hobbes:tiger-power "$url/login" | tr -d '"')
basic=$(printf 'calvin:hobbes-rules' | base64)
wrong=$(printf 'hobbes:not-the-password' | base64)
many=$(python3 -c 'print("&".join(f"p{i}=1" for i in range(1001)))')

# Each wrk thread cycles through 500 requests: 5 times 47 token reads, 25
# permitted writes (store 1, calvin), 10 forbidden writes (store 1, hobbes),
# 3 missing stores, 14 hostile requests and 1 more read, a basic one the
# first time. A basic read costs a bcrypt hash: acme computes
# FSA_PASSWORD_CONCURRENCY of them at a time and answers 503 to one that
# waits longer than FSA_PASSWORD_QUEUE, by design (more hashes than the
# CPUs can do are shed, not queued forever); 1 in 500 keeps them within
# what 2 cores shared with wrk hash (1 in 100 did not, in CI). Writes stop
# 3 s before the end, so that every write sent is answered and counted.
cat >"$work/soak.lua" <<LUA
local calvin = "Bearer $calvin"
local hobbes = "Bearer $hobbes"
local form = "application/x-www-form-urlencoded"
local json = "application/json"
-- the legitimate clients' address, as the trusted proxy (loopback) says it
local friend = "192.0.2.10"
local function req(method, path, auth, content_type, body, from)
  local headers = { ["X-Forwarded-For"] = from or friend, ["X-Forwarded-Proto"] = "https" }
  if auth then headers["Authorization"] = auth end
  if content_type then headers["Content-Type"] = content_type end
  return wrk.format(method, path, headers, body)
end
-- made in init(): wrk.format adds the Host header only once wrk is set up
local token_read, write, forbidden, missing
local plan = {}
function init(args)
  token_read = req("GET", "/store", hobbes)
  local basic_read = req("GET", "/store?pattern=%25town", "Basic $basic")
  write = req("POST", "/store/1/product", calvin, form, "product=soak&quantity=1")
  forbidden = req("POST", "/store/1/product", hobbes, form, "product=soak&quantity=1")
  missing = req("POST", "/store/99/product", calvin, form, "product=soak&quantity=1")
  local foe = "198.51.100.66"
  local hostile = {
    req("GET", "/store", nil, nil, nil, foe),                       -- 401
    req("GET", "/store", "Bearer not.a.token", nil, nil, foe),      -- 401, then 429
    req("GET", "/store", "Basic " .. "bm9ib2R5Ondyb25n", nil, nil, foe), -- 401, then 429
    req("GET", "/store", "Basic $wrong", nil, nil, "198.51.100.67"), -- hobbes's (who reads with a token): 401, then 429
    req("POST", "/store/1/product", calvin, json, "{\"product\": "),  -- 400
    req("POST", "/store/1/product", calvin, form, "product=soak&quantity=many"), -- 400
    req("GET", "/store?pattern=%00", hobbes),                       -- 400
    req("GET", "/store?$many", hobbes),                             -- 413
    req("GET", "/store/1/product?sid=2", calvin),                   -- 400
    req("GET", "/nowhere", hobbes),                                 -- 404
    req("DELETE", "/store", hobbes),                                -- 405
    req("GET", "/store/x/product", calvin),                         -- 404
    req("GET", "/store/%FF/product", calvin),                       -- 404
    req("GET", "/login", "Bearer " .. "$hobbes"),                   -- 401 (password only)
  }
  for round = 1, 5 do
    for i = 1, 47 do plan[#plan + 1] = token_read end
    plan[#plan + 1] = (round == 1) and basic_read or token_read
    for i = 1, 25 do plan[#plan + 1] = write end
    for i = 1, 10 do plan[#plan + 1] = forbidden end
    for i = 1, 3 do plan[#plan + 1] = missing end
    for _, r in ipairs(hostile) do plan[#plan + 1] = r end
  end
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

local stop_writes = os.time() + $DURATION - 3
local n = 0
counts = {}
function request()
  n = n + 1
  local r = plan[(n % #plan) + 1]
  if (r == write or r == forbidden or r == missing) and os.time() >= stop_writes then
    return token_read
  end
  return r
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("counts")) do
      total[status] = (total[status] or 0) + count
    end
  end
  local file = io.open("$work/statuses", "w")
  for status, count in pairs(total) do
    file:write(status, " ", count, "\n")
  end
  file:close()
  local e = summary.errors
  file = io.open("$work/summary", "w")
  file:write(string.format("requests %d\nseconds %.3f\nconnect %d\nread %d\nwrite %d\nstatus %d\ntimeout %d\n",
    summary.requests, summary.duration / 1e6, e.connect, e.read, e.write, e.status, e.timeout))
  for _, p in ipairs({50, 90, 99, 99.9}) do
    file:write(string.format("p%s %.3f\n", p, latency:percentile(p) / 1000))
  end
  file:write(string.format("max %.3f\n", latency.max / 1000))
  file:close()
end
LUA

echo "== $CONNECTIONS connections, ${DURATION}s, $THREADS wrk threads"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s -s "$work/soak.lua" "$url" >"$work/wrk" 2>&1 || {
  cat "$work/wrk"
  exit 1
}
rss=$(awk '/^VmHWM/ {print $2}' "/proc/$acme_pid/status")
value() { awk -v k="$1" '$1 == k {print $2}' "$work/summary"; }
count() { awk -v k="$1" '$1 == k {print $2}' "$work/statuses"; }
requests=$(value requests)
seconds=$(value seconds)

echo
echo "| requests | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | peak RSS |"
echo "|---------:|------:|-------:|-------:|-------:|---------:|-------:|---------:|"
printf '| %s | %.0f | %s | %s | %s | %s | %s | %s MiB |\n' "$requests" \
  "$(awk "BEGIN {print $requests / $seconds}")" "$(value p50)" "$(value p90)" \
  "$(value p99)" "$(value p99.9)" "$(value max)" "$(awk "BEGIN {printf \"%.1f\", $rss / 1024}")"
echo
echo "| status | answers |"
echo "|-------:|--------:|"
sort -n "$work/statuses" | awk '{printf "| %s | %s |\n", $1, $2}'
echo
echo "socket errors: connect $(value connect), read $(value read), write $(value write), timeout $(value timeout)"

failed=0
fivexx=$(awk '$1 >= 500 {n += $2} END {print n + 0}' "$work/statuses")
if [ "$fivexx" -ne 0 ]; then
  echo "FAIL: $fivexx answers of 5xx"; failed=1
  tail -20 "$work/acme.log"
fi
# A connection refused or cut explains one error; a timeout, none.
errors=$(( $(value connect) + $(value read) + $(value write) ))
if [ "$errors" -gt "$CONNECTIONS" ] || [ "$(value timeout)" -ne 0 ]; then
  echo "FAIL: socket errors beyond the connection count, or timeouts"; failed=1
fi
created=$(count 201)
created=${created:-0}
held=$(get -H "Authorization: Bearer $calvin" "$url/store/1/product" |
  python3 -c 'import json, sys; print(json.load(sys.stdin).get("soak", 0))')
echo "201 answers: $created; soak products in store 1: $held"
if [ "$created" -ne "$held" ] || [ "$created" -eq 0 ]; then
  echo "FAIL: the database does not hold what the 201 answers added"; failed=1
fi
for status in 200 400 401 403 404 405 413 429; do
  if [ -z "$(count $status)" ]; then
    echo "FAIL: no answer of $status: the mix did not run"; failed=1
  fi
done
[ "$failed" -eq 0 ] && echo "soak passed"
exit "$failed"
