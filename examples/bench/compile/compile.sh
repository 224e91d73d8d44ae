#!/usr/bin/env bash
# Compile cost: a generated crate with 100 fsa routes against the same with
# 100 plain actix-web routes (typed query parameters: fsa's handler
# arguments, actix's `web::Query` of a serde struct per route). The crates
# are generated in a temporary directory (never in the workspace), share
# the workspace's Cargo.lock and target directory (dependencies built
# once), then each is rebuilt ROUNDS times, interleaved, after touching its
# source: the medians and their ratio are printed.
#
#   bash examples/bench/compile/compile.sh          # ROUNDS=3 ROUTES=100
set -euo pipefail
cd "$(dirname "$0")/../../.."
root=$(pwd)
ROUNDS=${ROUNDS:-3}
ROUTES=${ROUTES:-100}
PROFILE=${PROFILE:-dev}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

generate() { # name kind
  local dir="$work/$1"
  mkdir -p "$dir/src"
  cat >"$dir/Cargo.toml" <<TOML
[package]
name = "$1"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
fsa-runtime = { path = "$root/fsa-runtime" }
actix-web = "4.11"
serde = { version = "1", features = ["derive"] }

[workspace]
TOML
  cp "$root/Cargo.lock" "$dir/Cargo.lock"
  {
    if [ "$2" = fsa ]; then
      echo "use fsa_runtime::prelude::*;"
      for i in $(seq "$ROUTES"); do
        cat <<RS
#[get("/r$i", authz = "OPEN")]
async fn r$i(a: i64, b: Option<String>) -> String {
    format!("$i {a} {b:?}")
}
RS
      done
      echo "fn main() {"
      echo "    let fsa = Fsa::from_toml_str(\"c\", \"FSA_AUTH = \\\"none\\\"\").unwrap()"
      echo "        .routes(routes![$(seq -s, -f 'r%g' "$ROUTES")])"
      echo "        .build().unwrap();"
      echo "    let _app = fsa.app();"
      echo "}"
    else
      echo "use actix_web::{get, web, App};"
      echo "use serde::Deserialize;"
      for i in $(seq "$ROUTES"); do
        cat <<RS
#[derive(Deserialize)]
struct Q$i {
    a: i64,
    b: Option<String>,
}
#[get("/r$i")]
async fn r$i(q: web::Query<Q$i>) -> String {
    format!("$i {} {:?}", q.a, q.b)
}
RS
      done
      echo "fn main() {"
      echo "    let _app = App::new()$(seq -s '' -f '.service(r%g)' "$ROUTES");"
      echo "}"
    fi
  } >"$dir/src/main.rs"
}

generate routes_fsa fsa
generate routes_actix actix
build() { # name
  (cd "$work/$1" && CARGO_INCREMENTAL=0 CARGO_TARGET_DIR="$root/target/bench-compile" \
    cargo build -q --profile "$PROFILE" 2>&1)
}
echo "== dependencies (once)"
build routes_fsa
build routes_actix

for round in $(seq "$ROUNDS"); do
  order="routes_fsa routes_actix"
  [ $((round % 2)) -eq 0 ] && order="routes_actix routes_fsa"
  for name in $order; do
    touch "$work/$name/src/main.rs"
    start=$(date +%s.%N)
    build "$name"
    end=$(date +%s.%N)
    t=$(awk "BEGIN {printf \"%.2f\", $end - $start}")
    echo "$t" >>"$work/$name.times"
    echo "  round $round $name ${t}s"
  done
done
median() { sort -g "$1" | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
f=$(median "$work/routes_fsa.times")
a=$(median "$work/routes_actix.times")
echo
echo "| crate ($ROUTES routes, $PROFILE profile, rebuild of the crate) | median seconds |"
echo "|------|------:|"
echo "| fsa routes | $f |"
echo "| plain actix routes | $a |"
echo "| ratio fsa / actix | $(awk "BEGIN {printf \"%.2f\", $f / $a}") |"
