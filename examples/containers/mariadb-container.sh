#!/usr/bin/env bash
# The commands of the containerized example campaigns (campaign.yaml, major-upgrade/,
# mysql-restart/), one subcommand each, for a MariaDB or MySQL server that runs as a Docker
# container whose datadir is a volume. An upgrade is "stop the container cleanly, recreate it
# from the new image on the same volume, start it". The server's flavour comes from the image's
# `dbwave.server.flavour` label (mariadb when absent); mysql-container.sh is this same script.
#
#   mariadb-container.sh running NAME            exit 0 while the container (the server) runs
#   mariadb-container.sh stop NAME               SIGTERM to the server; returns at once, dbwave waits
#   mariadb-container.sh start NAME              start the (recreated) container
#   mariadb-container.sh installed-version NAME  the server version of the container's image
#   mariadb-container.sh upgrade NAME IMAGE      recreate NAME from IMAGE (refused while it runs or
#                                                after an unclean exit)
#   mariadb-container.sh rollback NAME IMAGE     recreate NAME from IMAGE (refused while it runs)
#   mariadb-container.sh post-upgrade NAME       mariadb-upgrade inside the running container
#                                                (MySQL 8.0.16 and later upgrade their own system
#                                                tables at start: nothing to run)
#   mariadb-container.sh configure NAME SETTING=VALUE...
#                                                with the server stopped, write the settings into
#                                                the [mysqld] group of dbwave.cnf in the directory
#                                                mounted at /etc/mysql/conf.d (the next start
#                                                reads them; a recreated container keeps them)
#   mariadb-container.sh unconfigure NAME         with the server stopped, put back the settings
#                                                from before the last configure (a rollback)
#   mariadb-container.sh provision NAME IMAGE PORT DATADIR LOGDIR [CONFDIR]
#                                                a new host: container on 127.0.0.1:PORT, datadir,
#                                                error log (and settings) bind-mounted from the
#                                                host, and a `dbwave` SQL user whose password is
#                                                read from stdin
#
# The container runtime must never cut a clean shutdown short: `stop` sends SIGTERM with
# `docker kill --signal=TERM` (which never escalates to SIGKILL) instead of `docker stop` (which
# kills after 10 s by default), and `provision` gives each container a stop timeout as long as
# the campaign's shutdown budget (DBWAVE_STOP_TIMEOUT_S, default 3600) for anyone who does run
# `docker stop` or stops the engine. Uses the engine at DOCKER_HOST.
set -euo pipefail

readonly STOP_TIMEOUT_S="${DBWAVE_STOP_TIMEOUT_S:-3600}"

fail() {
  echo "mariadb-container: $*" >&2
  exit 1
}

inspect() { # inspect NAME GO_TEMPLATE
  docker container inspect --format "$2" "$1"
}

exists() { docker container inspect "$1" >/dev/null 2>&1; }

is_running() {
  [ "$(inspect "$1" '{{.State.Running}}' 2>/dev/null)" = true ]
}

cmd_running() {
  local name=$1
  exists "$name" || fail "no container named ${name}"
  is_running "$name"
}

cmd_stop() {
  local name=$1
  exists "$name" || fail "no container named ${name}"
  if ! is_running "$name"; then
    echo "${name} is not running"
    return 0
  fi
  docker kill --signal=TERM "$name" >/dev/null
  echo "SIGTERM sent to ${name}; the server shuts down in its own time"
}

cmd_start() {
  local name=$1
  exists "$name" || fail "no container named ${name}"
  docker start "$name" >/dev/null
}

# The image's flavour label: mariadb or mysql (images built before the label: mariadb).
flavour() {
  local value
  value=$(inspect "$1" '{{index .Config.Labels "dbwave.server.flavour"}}')
  echo "${value:-mariadb}"
}

# The SQL client of the container's flavour, run as root over the container's unix socket.
client() { if [ "$(flavour "$1")" = mysql ]; then echo mysql; else echo mariadb; fi; }

cmd_installed_version() {
  local name=$1
  exists "$name" || fail "no container named ${name}"
  local version
  version=$(inspect "$name" '{{index .Config.Labels "dbwave.server.version"}}')
  # Images built before that label carry only the MariaDB one.
  [ -n "$version" ] || version=$(inspect "$name" '{{index .Config.Labels "dbwave.mariadb.version"}}')
  if [ -z "$version" ]; then
    # An image built elsewhere: its tag is the version (mariadb:10.11.19 -> 10.11.19).
    local image
    image=$(inspect "$name" '{{.Config.Image}}')
    version=${image##*:}
  fi
  echo "$version"
}

# Recreates NAME from IMAGE with the same volumes, ports, network, stop timeout, labels and
# mariadbd arguments, without starting it. The old container is renamed, not removed, until the
# new one exists: a failed create puts it back as it was.
recreate() {
  local name=$1 image=$2
  docker image inspect "$image" >/dev/null 2>&1 || fail "image ${image} is not on this engine"
  local args=(--name "$name")
  local line
  while IFS= read -r line; do [ -n "$line" ] && args+=(--volume "$line"); done \
    < <(inspect "$name" '{{range .HostConfig.Binds}}{{println .}}{{end}}')
  while IFS= read -r line; do [ -n "$line" ] && args+=(--mount "$line"); done \
    < <(inspect "$name" '{{range .HostConfig.Mounts}}type={{.Type}},source={{.Source}},target={{.Target}}{{if .ReadOnly}},readonly{{end}}{{println}}{{end}}')
  # shellcheck disable=SC2016 # $port and $bindings are docker template variables, not shell ones
  while IFS= read -r line; do [ -n "$line" ] && args+=(--publish "$line"); done \
    < <(inspect "$name" '{{range $port, $bindings := .HostConfig.PortBindings}}{{range $bindings}}{{if .HostIp}}{{.HostIp}}:{{end}}{{.HostPort}}:{{$port}}{{println}}{{end}}{{end}}')
  # Labels that came from the old image describe the old build: the new image brings its own.
  # shellcheck disable=SC2016 # $key and $value are docker template variables
  while IFS= read -r line; do [ -n "$line" ] && args+=(--label "$line"); done \
    < <(inspect "$name" '{{range $key, $value := .Config.Labels}}{{$key}}={{$value}}{{println}}{{end}}' |
      grep -v -e '^dbwave\.mariadb\.' -e '^dbwave\.mysql\.' -e '^dbwave\.server\.' -e '^dbwave\.entrypoint\.' || true)
  local network stop_timeout restart
  network=$(inspect "$name" '{{.HostConfig.NetworkMode}}')
  [ "$network" != default ] && args+=(--network "$network")
  stop_timeout=$(inspect "$name" '{{if .Config.StopTimeout}}{{.Config.StopTimeout}}{{end}}')
  args+=(--stop-timeout "${stop_timeout:-$STOP_TIMEOUT_S}")
  restart=$(inspect "$name" '{{.HostConfig.RestartPolicy.Name}}')
  [ -n "$restart" ] && args+=(--restart "$restart")
  # (inspect ends its output with a newline of its own: empty lines are not arguments)
  local command=()
  while IFS= read -r line; do [ -n "$line" ] && command+=("$line"); done \
    < <(inspect "$name" '{{range .Config.Cmd}}{{println .}}{{end}}')

  local previous="${name}-dbwave-previous"
  docker rm "$previous" >/dev/null 2>&1 || true
  docker rename "$name" "$previous"
  if ! docker create "${args[@]}" "$image" "${command[@]}" >/dev/null; then
    docker rename "$previous" "$name"
    fail "could not create ${name} from ${image}; the old container is back as it was"
  fi
  docker rm "$previous" >/dev/null
  echo "${name} recreated from ${image} on the same volumes (not started)"
}

cmd_upgrade() {
  local name=$1 image=$2
  exists "$name" || fail "no container named ${name}"
  is_running "$name" && fail "${name} still runs: an upgrade only ever happens with mariadbd stopped"
  local exit_code
  exit_code=$(inspect "$name" '{{.State.ExitCode}}')
  [ "$exit_code" = 0 ] ||
    fail "${name} exited with status ${exit_code} (not a clean shutdown): not upgrading"
  recreate "$name" "$image"
}

cmd_rollback() {
  local name=$1 image=$2
  exists "$name" || fail "no container named ${name}"
  is_running "$name" && fail "${name} still runs: a rollback only ever happens with mariadbd stopped"
  recreate "$name" "$image"
}

cmd_post_upgrade() {
  local name=$1
  is_running "$name" || fail "${name} is not running: mariadb-upgrade needs the new server up"
  if [ "$(flavour "$name")" = mysql ]; then
    echo "${name}: MySQL upgrades its system tables itself at start (8.0.16 and later)"
    return 0
  fi
  # As root over the container's unix socket (root@localhost authenticates by socket).
  docker exec "$name" mariadb-upgrade
}

# The host directory mounted at /etc/mysql/conf.d, where the settings of `configure` go.
conf_dir() {
  inspect "$1" '{{range .Mounts}}{{if eq .Destination "/etc/mysql/conf.d"}}{{.Source}}{{end}}{{end}}'
}

cmd_configure() {
  local name=$1
  shift
  exists "$name" || fail "no container named ${name}"
  is_running "$name" && fail "${name} still runs: its settings are only changed while it is stopped"
  local dir
  dir=$(conf_dir "$name")
  [ -n "$dir" ] || fail "${name} has no host directory mounted at /etc/mysql/conf.d (provision it with CONFDIR)"
  local file="${dir}/dbwave.cnf" setting key
  local next="${file}.next"
  if [ -f "$file" ]; then cp "$file" "$next"; else printf '[mysqld]\n' >"$next"; fi
  for setting in "$@"; do
    [[ "$setting" =~ ^[A-Za-z0-9_-]+=[^[:space:]]+$ ]] || fail "not a SETTING=VALUE: ${setting}"
    key=${setting%%=*}
    # One line per setting: a changed value replaces its line.
    grep -v -e "^${key}[[:space:]]*=" "$next" >"${next}.tmp" || true
    echo "$setting" >>"${next}.tmp"
    mv "${next}.tmp" "$next"
  done
  if [ -f "$file" ] && cmp -s "$file" "$next"; then
    # Run again (a resumed run): the settings are in, and what `unconfigure` restores stays.
    rm -f "$next"
    echo "${name}: $* already in ${file}"
    return 0
  fi
  # What `unconfigure` puts back: the file as it was, or its absence.
  if [ -f "$file" ]; then cp -p "$file" "${file}.before"; else printf '' >"${file}.absent-before"; fi
  chmod 0644 "$next"
  mv "$next" "$file"
  echo "${name}: $* in ${file}"
}

cmd_unconfigure() {
  local name=$1
  exists "$name" || fail "no container named ${name}"
  is_running "$name" && fail "${name} still runs: its settings are only changed while it is stopped"
  local dir
  dir=$(conf_dir "$name")
  [ -n "$dir" ] || fail "${name} has no host directory mounted at /etc/mysql/conf.d"
  local file="${dir}/dbwave.cnf"
  if [ -f "${file}.before" ]; then
    mv "${file}.before" "$file"
  elif [ -f "${file}.absent-before" ]; then
    rm -f "$file" "${file}.absent-before"
  else
    echo "${name}: no earlier settings to put back; ${file} left as it is"
    return 0
  fi
  echo "${name}: the settings before the last configure are back in ${dir}"
}

cmd_provision() {
  local name=$1 image=$2 port=$3 datadir=$4 logdir=$5 confdir=${6:-}
  exists "$name" && fail "a container named ${name} already exists"
  local password
  IFS= read -r password || fail "provision reads the dbwave user's password from stdin"
  mkdir -p "$datadir" "$logdir"
  local volumes=(--volume "${datadir}:/var/lib/mysql" --volume "${logdir}:/var/log/mysql")
  if [ -n "$confdir" ]; then
    mkdir -p "$confdir"
    volumes+=(--volume "${confdir}:/etc/mysql/conf.d")
  fi
  docker run --detach --name "$name" \
    --stop-timeout "$STOP_TIMEOUT_S" \
    "${volumes[@]}" \
    --publish "127.0.0.1:${port}:3306" \
    "$image" >/dev/null
  local sql
  sql=$(client "$name")
  local waited=0
  until docker exec "$name" "$sql" --execute 'SELECT 1' >/dev/null 2>&1; do
    is_running "$name" || fail "${name} exited while starting; see ${logdir}/error.log"
    [ "$waited" -lt 120 ] || fail "${name} did not answer within 120s; see ${logdir}/error.log"
    sleep 1
    waited=$((waited + 1))
  done
  # The password travels on stdin, never on a command line that `ps` or `docker inspect` shows.
  local quoted=${password//\\/\\\\}
  quoted=${quoted//\'/\'\'}
  printf "CREATE USER IF NOT EXISTS 'dbwave'@'%%' IDENTIFIED BY '%s';\nGRANT ALL ON *.* TO 'dbwave'@'%%' WITH GRANT OPTION;\n" \
    "$quoted" | docker exec --interactive "$name" "$sql"
  echo "${name}: $(cmd_installed_version "$name") on 127.0.0.1:${port}, datadir ${datadir}, error log ${logdir}/error.log"
}

usage() {
  # The comment block at the top of this file.
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2
  exit 2
}

subcommand=${1:-}
[ "$#" -ge 2 ] || usage
shift
case "$subcommand" in
  running) cmd_running "$1" ;;
  stop) cmd_stop "$1" ;;
  start) cmd_start "$1" ;;
  installed-version) cmd_installed_version "$1" ;;
  upgrade) [ "$#" -eq 2 ] || usage && cmd_upgrade "$1" "$2" ;;
  rollback) [ "$#" -eq 2 ] || usage && cmd_rollback "$1" "$2" ;;
  post-upgrade) cmd_post_upgrade "$1" ;;
  configure) [ "$#" -ge 2 ] || usage && cmd_configure "$@" ;;
  unconfigure) cmd_unconfigure "$1" ;;
  provision) [ "$#" -ge 5 ] && [ "$#" -le 6 ] || usage && cmd_provision "$@" ;;
  *) usage ;;
esac
