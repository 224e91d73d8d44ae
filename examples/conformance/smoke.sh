#!/usr/bin/env bash
# A smoke check of examples/conformance as the judge starts it: two
# instances (the bundled configuration, and one with the token in a
# parameter) on free loopback ports with one FSA_TOKEN_SECRET, a few rows
# of the contract over HTTP, a token of one instance accepted by the other.
# Stops only the instances it started.
set -euo pipefail
cd "$(dirname "$0")/../.."

cargo build -q -p conformance
source examples/servers.sh
export FSA_TOKEN_SECRET="conformance smoke secret, a long random string"

start() { # NAME [VAR=VALUE...]: an instance; sets $url
  local name=$1
  shift
  serve "$name" env "$@" CONFORMANCE_BIND=127.0.0.1:0 RUST_LOG=warn target/debug/conformance
}
start main
main=$url
start param FSA_TOKEN_CARRIER=param FSA_TOKEN_NAME=auth
param=$url
echo "== conformance on $main and $param (token parameter)"

failed=0
expect() { # STATUS BODY curl-arguments...: one row
  local status=$1 body=$2
  shift 2
  local got
  got=$(curl -sS -o "$work/body" -w '%{http_code}' "$@")
  if [ "$got" != "$status" ] || [ "$(cat "$work/body")" != "$body" ]; then
    echo "FAIL: curl $* -> $got $(head -c 200 "$work/body"), expected $status $body"
    failed=1
  fi
}
expect 200 "no-auth" "$main/any"
expect 200 "12.0" "$main/add/3?a=1.5&b=2.5"
expect 200 "0j" "$main/cplx?c1=-1-1j"
expect 200 "foo/2/5/True" "$main/_/foo?int=2&_=hello"
expect 200 "list: [1, 2]" "$main/json?j=%5B1,2%5D"
expect 200 "Test: foo Yukon" "$main/shadow/foo"
expect 418 "early return" "$main/early-return/418"
expect 518 "Ooops!" "$main/oops"
expect 403 "currently closed route" "$main/mis1"
expect 200 "write-only" -u calvin:hobbes "$main/write"
expect 403 'not in group "1"' -u hobbes:susie "$main/write"
expect 401 "invalid login or password" -u calvin:wrong "$main/write"
expect 200 "fake auth: dad" "$main/auth/fake?LOGIN=dad"
expect 200 "param auth: hobbes" "$main/auth/param?USER=hobbes&PASS=susie"
expect 200 "bla_bla" -u calvin:hobbes "$main/b1/words/bla?n=2"
token=$(curl -sS --fail -u calvin:hobbes "$main/login" | tr -d '"')
expect 200 "token auth: calvin" -H "Authorization: Bearer $token" "$main/auth/token"
# the same secret: the other instance accepts it, in its carrier
expect 200 "token auth: calvin" "$param/auth/token?auth=$token"
expect 200 "login is calvin for dad" -u dad:mum "$main/my/calvin"
expect 404 "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again." "$main/infer/1"
[ "$failed" -eq 0 ] && echo "conformance smoke check passed"
exit "$failed"
