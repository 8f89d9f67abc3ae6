#!/usr/bin/env bash
# A Docker engine for the container suite and the containerized example, on a machine where none
# runs by default.
#
#   docker-engine.sh start    use the engine that already answers (DOCKER_HOST, or the default
#                             socket) as it is; else start our own dockerd (installing docker.io
#                             with apt-get first when root and it is missing). Stdout is two
#                             lines: `STARTED=yes|no` (whether this call started the engine) and
#                             `DOCKER_HOST=unix://...`, the engine to use.
#   docker-engine.sh stop     stop the engine THIS script started (by its pidfile), nothing else.
#   docker-engine.sh status   say which engine answers, if any, and whether we started it.
#   docker-engine.sh env      print `export DOCKER_HOST=...` for an engine that answers, else fail.
#
# Our engine keeps all its state under DBWAVE_DOCKER_ROOT (default /var/lib/dbwave-docker, outside
# the repository so that images survive fresh clones on the same machine). It uses the vfs storage
# driver: it works on any filesystem and inside a VM or container without overlayfs support, at
# the cost of disk (every layer and container is a full copy).
#
# Exit statuses: 0 ok, 2 usage, 3 a package is missing and cannot be installed here (the message
# says exactly what to install), 4 the engine cannot be started here (not root, or dockerd
# failed; its log tail is printed), 5 dockerd started but did not answer in time.
set -euo pipefail

readonly ROOT="${DBWAVE_DOCKER_ROOT:-/var/lib/dbwave-docker}"
readonly SOCKET="${ROOT}/docker.sock"
readonly PIDFILE="${ROOT}/dockerd.pid"
readonly LOG="${ROOT}/dockerd.log"
readonly OUR_HOST="unix://${SOCKET}"
readonly START_TIMEOUT_S="${DBWAVE_DOCKER_START_TIMEOUT_S:-60}"

say() { echo "docker-engine: $*" >&2; }

answers() { # answers HOST: the engine at HOST responds to the API
  DOCKER_HOST="$1" timeout 10 docker info >/dev/null 2>&1
}

# The engine a user or CI already provides wins over ours: DOCKER_HOST if set, else the default
# socket. Prints its address.
existing_engine() {
  local candidate
  for candidate in "${DOCKER_HOST:-}" "unix:///var/run/docker.sock"; do
    [ -n "$candidate" ] || continue
    [ "$candidate" = "$OUR_HOST" ] && continue
    if answers "$candidate"; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

# The pid in our pidfile, only if that process is a dockerd using our data root: a reused pid
# or someone else's daemon is never ours to stop.
our_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid
  pid=$(cat "$PIDFILE")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [ -r "/proc/${pid}/cmdline" ] || return 1
  local cmdline
  cmdline=$(tr '\0' ' ' <"/proc/${pid}/cmdline")
  [[ "$cmdline" == *dockerd* && "$cmdline" == *"--data-root ${ROOT}/data"* ]] || return 1
  echo "$pid"
}

require_client() {
  if command -v docker >/dev/null 2>&1; then return 0; fi
  install_docker_io || return $?
}

install_docker_io() {
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    say "the Docker engine is not installed and cannot be installed here (needs root and apt-get)."
    say "install it with:  sudo apt-get install -y docker.io   (Debian/Ubuntu), then run this again"
    return 3
  fi
  say "installing docker.io with apt-get"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends docker.io >&2; then
    apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends docker.io >&2 || {
      say "apt-get could not install docker.io; install it by hand: apt-get install -y docker.io"
      return 3
    }
  fi
}

start_ours() {
  if [ "$(id -u)" -ne 0 ]; then
    say "no Docker engine answers (DOCKER_HOST=${DOCKER_HOST:-unset}, /var/run/docker.sock), and starting"
    say "one needs root. Start Docker yourself and set DOCKER_HOST, or run this script as root."
    return 4
  fi
  command -v dockerd >/dev/null 2>&1 || install_docker_io || return $?
  require_client || return $?

  mkdir -p "${ROOT}/data" "${ROOT}/exec"
  # A stale socket from a killed daemon would make dockerd refuse to listen.
  rm -f "$SOCKET"
  say "starting dockerd (vfs storage) under ${ROOT}; log: ${LOG}"
  # setsid: the daemon outlives this script and the test run that called it, until `stop`.
  setsid dockerd \
    --storage-driver=vfs \
    --data-root "${ROOT}/data" \
    --exec-root "${ROOT}/exec" \
    --pidfile "$PIDFILE" \
    -H "$OUR_HOST" \
    >"$LOG" 2>&1 </dev/null &
  local launched=$!

  local waited=0
  until answers "$OUR_HOST"; do
    if ! kill -0 "$launched" 2>/dev/null; then
      say "dockerd exited while starting; the end of its log:"
      tail -n 20 "$LOG" >&2 || true
      return 4
    fi
    if [ "$waited" -ge "$START_TIMEOUT_S" ]; then
      say "dockerd did not answer within ${START_TIMEOUT_S}s; the end of its log:"
      tail -n 20 "$LOG" >&2 || true
      return 5
    fi
    sleep 1
    waited=$((waited + 1))
  done
  say "dockerd answers after ${waited}s (pid $(cat "$PIDFILE"))"
}

cmd_start() {
  require_client || return $?
  local host
  if host=$(existing_engine); then
    say "using the engine that already answers at ${host}"
    printf 'STARTED=no\nDOCKER_HOST=%s\n' "$host"
    return 0
  fi
  if our_pid >/dev/null && answers "$OUR_HOST"; then
    say "our engine already runs (pid $(our_pid))"
    printf 'STARTED=no\nDOCKER_HOST=%s\n' "$OUR_HOST"
    return 0
  fi
  start_ours || return $?
  printf 'STARTED=yes\nDOCKER_HOST=%s\n' "$OUR_HOST"
}

cmd_stop() {
  local pid
  if ! pid=$(our_pid); then
    say "no engine started by this script is running (pidfile ${PIDFILE}); nothing to stop"
    return 0
  fi
  say "stopping dockerd pid ${pid}"
  kill -TERM "$pid"
  # dockerd stops its containers first (each with its own stop timeout), so give it time.
  local waited=0
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$waited" -ge 120 ]; then
      say "dockerd pid ${pid} still runs after ${waited}s; left running"
      return 5
    fi
    sleep 1
    waited=$((waited + 1))
  done
  rm -f "$PIDFILE" "$SOCKET"
  say "stopped"
}

cmd_status() {
  local host
  if host=$(existing_engine); then
    echo "engine: ${host} (not started by this script)"
  elif our_pid >/dev/null && answers "$OUR_HOST"; then
    echo "engine: ${OUR_HOST} (started by this script, pid $(our_pid))"
  else
    echo "engine: none answers"
    return 1
  fi
}

cmd_env() {
  local host
  if host=$(existing_engine); then
    echo "export DOCKER_HOST=${host}"
  elif answers "$OUR_HOST"; then
    echo "export DOCKER_HOST=${OUR_HOST}"
  else
    say "no Docker engine answers; run: $0 start"
    return 1
  fi
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *)
    echo "usage: $0 start|stop|status|env" >&2
    exit 2
    ;;
esac
