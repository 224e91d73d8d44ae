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
#   install_package PACKAGE     Debian's PACKAGE (with sudo when not root)
#   install_missing CMD PACKAGE the same, when CMD is missing
#
# Every process spawned and still running is stopped by its PID when the
# script ends, whatever the way it ends, and nothing else is (one that
# ended, waited for or not, is left alone: its PID may be another's now). Call spawn and
# serve directly, not in $(...): a subshell's PIDs would not reach the trap;
# and set no other EXIT trap, it would replace this one.
#
#   source examples/servers.sh
#   serve acme env ACME_BIND=127.0.0.1:0 target/release/acme
#   curl "$url/store"

work=$(mktemp -d)
spawned=()
stop_spawned() {
  local each running tries
  # only this shell's running jobs: a PID that ended may be another's now
  running=" $(jobs -pr | tr '\n' ' ') "
  for each in "${spawned[@]}"; do
    case $running in
      *" $each "*)
        kill "$each" 2>/dev/null || true
        # a graceful stop, for 5 seconds at most
        tries=50
        while kill -0 "$each" 2>/dev/null && [ "$tries" -gt 0 ]; do
          sleep 0.1
          tries=$(( tries - 1 ))
        done
        kill -KILL "$each" 2>/dev/null || true
        wait "$each" 2>/dev/null || true
        ;;
    esac
  done
  rm -rf "$work"
}
trap stop_spawned EXIT

spawn() { # NAME COMMAND...
  local name=$1
  shift
  # made here, before the command starts: serve reads them at once
  : >"$work/$name.out"
  : >"$work/$name.log"
  "$@" >"$work/$name.out" 2>"$work/$name.log" &
  pid=$!
  spawned+=("$pid")
}

serve() { # NAME COMMAND...
  local name=$1 tries alive
  spawn "$@"
  tries=$(( ${SERVE_WAIT:-30} * 10 ))
  while :; do
    # alive before reading: a server that ended had written all it would
    alive=yes
    kill -0 "$pid" 2>/dev/null || alive=
    url=$(sed -n 's/^.* listens on \(http:[^ ]*\).*/\1/p' "$work/$name.out")
    [ -n "$url" ] && return 0
    if [ -z "$alive" ] || [ "$tries" -eq 0 ]; then break; fi
    sleep 0.1
    tries=$(( tries - 1 ))
  done
  echo "$name did not start:"
  cat "$work/$name.out" "$work/$name.log"
  exit 1
}

install_package() { # PACKAGE
  echo "== installing $1 (Debian package)"
  local sudo_=""
  [ "$(id -u)" = 0 ] || sudo_=sudo
  $sudo_ apt-get update -qq || true  # one broken source need not stop the install
  if ! $sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null; then
    echo "could not install $1: install it (apt-get install $1), then run this again" >&2
    return 1
  fi
}

install_missing() { # CMD PACKAGE
  command -v "$1" >/dev/null || install_package "$2"
}
