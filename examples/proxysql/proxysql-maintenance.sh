#!/bin/sh
# dbwave's 503 window through ProxySQL's admin interface, for the campaign's `command`
# maintenance adapter (examples/proxysql/campaign.yaml; docs/engine.md, "ProxySQL").
#
#   proxysql-maintenance.sh open|close|status HOST PORT
#
# open:   OFFLINE_SOFT (ProxySQL sends the server no new queries, the connections in use go on),
#         LOAD MYSQL SERVERS TO RUNTIME, then waits until ConnUsed = 0 in
#         stats_mysql_connection_pool, or PROXYSQL_DRAIN_SECONDS (default 30): then it says so on
#         stderr and exits 0, the window opens anyway, as dbwave's HAProxy drain does.
# close:  back to ONLINE, LOAD MYSQL SERVERS TO RUNTIME.
# status: exits 0 while the server is OFFLINE_* at runtime (the window is open), 1 while ONLINE.
#
# HOST and PORT are how ProxySQL's mysql_servers knows the server (hostname, port): the
# inventory's host and port. They are checked before they go into SQL. The SQL goes to the
# admin client on stdin, never in its arguments; the client is PROXYSQL_ADMIN (default
# `mysql --defaults-extra-file=/etc/dbwave/proxysql-admin.cnf`, a file of mode 0600 holding
# the admin interface's host, port, user and password). Pass PROXYSQL_ADMIN and
# PROXYSQL_DRAIN_SECONDS through the campaign's commands.environment when they are set.
#
# Untested against a real ProxySQL (none is available to dbwave's tests): the tests run it
# against a stand-in that records the SQL it receives.
set -eu

usage() {
  echo "usage: $0 open|close|status HOST PORT" >&2
  exit 2
}
[ $# -eq 3 ] || usage
action=$1
host=$2
port=$3
case $host in '' | *[!A-Za-z0-9.:_-]*) echo "$0: not a host name: $host" >&2; exit 2 ;; esac
case $port in '' | *[!0-9]*) echo "$0: not a port: $port" >&2; exit 2 ;; esac

admin=${PROXYSQL_ADMIN:-mysql --defaults-extra-file=/etc/dbwave/proxysql-admin.cnf}
# One statement list on stdin; -N -B: bare values, one row a line. $admin is split on purpose.
sql() {
  printf '%s\n' "$1" | $admin -N -B
}
server="hostname='$host' AND port=$port"

case $action in
  open)
    sql "UPDATE mysql_servers SET status='OFFLINE_SOFT' WHERE $server; LOAD MYSQL SERVERS TO RUNTIME;"
    limit=${PROXYSQL_DRAIN_SECONDS:-30}
    waited=0
    while :; do
      used=$(sql "SELECT COALESCE(SUM(ConnUsed), 0) FROM stats_mysql_connection_pool WHERE srv_host='$host' AND srv_port=$port;")
      [ "$used" = 0 ] && exit 0
      if [ "$waited" -ge "$limit" ]; then
        echo "$0: $host:$port still has $used connection(s) in use after ${limit}s: the window opens anyway" >&2
        exit 0
      fi
      sleep 1
      waited=$((waited + 1))
    done
    ;;
  close)
    sql "UPDATE mysql_servers SET status='ONLINE' WHERE $server; LOAD MYSQL SERVERS TO RUNTIME;"
    ;;
  status)
    state=$(sql "SELECT status FROM runtime_mysql_servers WHERE $server;")
    case $state in
      *OFFLINE*) exit 0 ;;
      *ONLINE*) exit 1 ;;
      *) echo "$0: ProxySQL has no server $host:$port at runtime" >&2; exit 2 ;;
    esac
    ;;
  *) usage ;;
esac
