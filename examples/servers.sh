# shellcheck shell=bash
# Sourced (not run) by the scripts that start servers: examples/acme/soak.sh,
# examples/acme/openapi-check.sh, examples/conformance/smoke.sh,
# examples/bench/load.sh, .ci/run and .ci/new-app. It gives them:
#
#   $work                       a temporary folder, removed when the script ends
#   spawn NAME COMMAND...       COMMAND in the background, its output in
#                               $work/NAME.out and $work/NAME.log; sets $pid
#   serve NAME COMMAND...       spawn, then wait (SERVE_WAIT seconds, 30 by
#                               default) for its line "... listens on http://...";
#                               sets $url, or shows the output and exits 1
#   install_missing CMD PACKAGE Debian's PACKAGE when CMD is missing
#
# Every process spawned is stopped by its PID when the script ends, whatever
# the way it ends, and nothing else is. Call spawn and serve directly, not in
# $(...): a subshell's PIDs would not reach the trap.
#
#   source examples/servers.sh
#   serve acme env ACME_BIND=127.0.0.1:0 target/release/acme
#   curl "$url/store"

work=$(mktemp -d)
spawned=()
stop_spawned() {
  local each
  for each in "${spawned[@]}"; do
    kill "$each" 2>/dev/null || true
    wait "$each" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap stop_spawned EXIT

spawn() { # NAME COMMAND...
  local name=$1
  shift
  "$@" >"$work/$name.out" 2>"$work/$name.log" &
  pid=$!
  spawned+=("$pid")
}

serve() { # NAME COMMAND...
  local name=$1 tries
  spawn "$@"
  tries=$(( ${SERVE_WAIT:-30} * 10 ))
  while :; do
    url=$(sed -n 's/^.* listens on \(http:[^ ]*\).*/\1/p' "$work/$name.out")
    [ -n "$url" ] && return 0
    if [ "$tries" -eq 0 ] || ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.1
    tries=$(( tries - 1 ))
  done
  echo "$name did not start:"
  cat "$work/$name.out" "$work/$name.log"
  exit 1
}

install_missing() { # CMD PACKAGE
  command -v "$1" >/dev/null && return 0
  echo "== installing $2 (Debian package)"
  local sudo_=""
  [ "$(id -u)" = 0 ] || sudo_=sudo
  $sudo_ apt-get update -qq && $sudo_ apt-get install -y -qq "$2" >/dev/null
}
