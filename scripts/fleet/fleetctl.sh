#!/usr/bin/env bash
# fleetctl: the control script of one local-fleet host. `up` copies it to <host>/bin/fleetctl;
# the campaign's command templates call it over SSH, as a DBA's commands would call systemctl
# and apt-get on a real host. It reads its own host's settings from ../host.env, so it never
# needs the caller's environment (a non-interactive SSH session has almost none).
#
#   stop               start a clean shutdown (SIGTERM, like mysqladmin shutdown) and return at once
#   start              start mariadbd from the current prefix, detached; fail if it dies at once
#   running            exit 0 iff this host's mariadbd is alive
#   installed-version  print the version `current` points to, e.g. 10.11.18
#   upgrade            switch `current` to the newer prefix (refused while running)
#   rollback           switch `current` back to the older prefix (refused while running)
#   post-upgrade       run mariadb-upgrade from the current prefix against the local server
set -euo pipefail

HOME_DIR=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
# shellcheck source=/dev/null
source "$HOME_DIR/host.env"
MY_CNF="$HOME_DIR/my.cnf"
CLIENT_CNF="$HOME_DIR/client.cnf"
PID_FILE="$HOME_DIR/mariadbd.pid"
CURRENT="$HOME_DIR/current"
ERROR_LOG="$HOME_DIR/error.log"
FAULTS="$HOME_DIR/faults"

die() {
  echo "fleetctl($FLEET_HOST_NAME): $*" >&2
  exit "${EXIT_CODE:-1}"
}

# True if process $1 exists and is not a zombie.
is_alive() {
  local pid=$1 state
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  state=$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}

# True if $1 is a live mariadbd started with this host's my.cnf: a stale pid file or a recycled
# pid must never count as "running".
is_our_mariadbd() {
  local pid=$1
  is_alive "$pid" || return 1
  [[ $(basename "$(readlink "/proc/$pid/exe" 2>/dev/null)") == mariadbd ]] || return 1
  tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "--defaults-file=$MY_CNF"
}

running_pid() {
  local pid
  [[ -s $PID_FILE ]] || return 1
  pid=$(<"$PID_FILE")
  is_our_mariadbd "$pid" || return 1
  echo "$pid"
}

current_prefix() {
  readlink -f "$CURRENT"
}

installed_version() {
  local target
  target=$(readlink "$CURRENT") || die "no build installed ($CURRENT is missing)"
  basename "$target"
}

switch_to() {
  local target=$1 verb=$2
  if pid=$(running_pid); then
    EXIT_CODE=3 die "refusing to $verb: mariadbd is running (pid $pid); stop it first"
  fi
  [[ -x $target/usr/sbin/mariadbd ]] || die "no mariadbd under $target"
  if [[ $(current_prefix) == "$(readlink -f "$target")" ]]; then
    echo "already on $(basename "$target")"
    return 0
  fi
  # Atomic switch: a new symlink renamed over the old one.
  ln -sfn "$target" "$CURRENT.new"
  mv -T "$CURRENT.new" "$CURRENT"
  echo "switched to $(basename "$target")"
}

cmd_start() {
  local pid prefix bin extra=() deadline
  if pid=$(running_pid); then
    echo "already running (pid $pid)"
    return 0
  fi
  prefix=$(current_prefix)
  bin="$prefix/usr/sbin/mariadbd"
  [[ -x $bin ]] || die "no mariadbd under $prefix"
  # Faults injected by `npm run fleet -- fault`: real failures of mariadbd itself.
  if [[ -e $FAULTS/start-fails-on-new && $prefix == "$(readlink -f "$FLEET_TO_PREFIX")" ]]; then
    # An option mariadbd does not know: it logs "[ERROR] unknown variable" and refuses to start.
    extra+=(--fleet-fault-start-fails-on-new=1)
  fi
  if [[ -e $FAULTS/error-log-noise ]]; then
    # A plugin library that does not exist: mariadbd logs [ERROR] lines and starts anyway.
    extra+=(--plugin-load-add=fleet_fault_error_log_noise.so)
  fi
  rm -f "$PID_FILE"
  # setsid: its own session, so it survives the SSH session; all fds redirected, so sshd does
  # not wait for it. In a non-interactive shell the child is no group leader, so setsid execs
  # in place and $! is mariadbd's own pid.
  setsid "$bin" "--defaults-file=$MY_CNF" "${extra[@]}" </dev/null >>"$HOME_DIR/mariadbd.out" 2>&1 &
  pid=$!
  # Return once it is launched: when it has written its pid file, or after a few seconds
  # alive. dbwave itself waits until it answers SQL.
  deadline=$((SECONDS + 10))
  while ((SECONDS < deadline)); do
    # Only "gone" counts as a failure: right after the fork, the child is still bash or setsid.
    if ! is_alive "$pid"; then
      echo "mariadbd exited at once; last lines of $ERROR_LOG:" >&2
      tail -n 5 "$ERROR_LOG" >&2 || true
      exit 1
    fi
    if [[ -s $PID_FILE && $(<"$PID_FILE") == "$pid" ]]; then break; fi
    sleep 0.1
  done
  echo "started mariadbd $(basename "$prefix") (pid $pid)"
}

cmd_stop() {
  local pid
  if ! pid=$(running_pid); then
    echo "not running"
    return 0
  fi
  # What mysqladmin shutdown does; the exit is awaited by the caller. Never SIGKILL.
  kill -TERM "$pid"
  echo "shutdown initiated (pid $pid)"
}

cmd_running() {
  local pid
  if pid=$(running_pid); then
    echo "running (pid $pid)"
    return 0
  fi
  echo "not running"
  return 1
}

cmd_post_upgrade() {
  local pid
  pid=$(running_pid) || die "mariadbd is not running"
  "$(current_prefix)/usr/bin/mariadb-upgrade" "--defaults-file=$CLIENT_CNF"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  running) cmd_running ;;
  installed-version) installed_version ;;
  upgrade) switch_to "$FLEET_TO_PREFIX" upgrade ;;
  rollback) switch_to "$FLEET_FROM_PREFIX" "roll back" ;;
  post-upgrade) cmd_post_upgrade ;;
  *)
    echo "usage: fleetctl start|stop|running|installed-version|upgrade|rollback|post-upgrade" >&2
    exit 2
    ;;
esac
