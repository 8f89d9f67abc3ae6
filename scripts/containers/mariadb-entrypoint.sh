#!/bin/sh
# Entrypoint of the dbwave-mariadb:<version> images (copied in by build-images.sh).
#
# Initialises an empty datadir once, then execs mariadbd in the foreground as PID 1, so that the
# container runtime's SIGTERM reaches mariadbd itself and its clean shutdown (with
# innodb_fast_shutdown=0 set over SQL beforehand) runs to the end. Extra arguments (the
# container's command) are passed to mariadbd.
#
#   /var/lib/mysql   datadir: mount the host's volume here; it outlives the container, so an
#                    upgrade is "same volume, new image"
#   /var/log/mysql   error.log: bind-mount a host directory here so that dbwave (transport:
#                    local) reads the error log straight from the host
set -eu

datadir=/var/lib/mysql
logdir=/var/log/mysql

mkdir -p /run/mysqld "$datadir" "$logdir"
# Only the top directories: a datadir that mariadbd wrote is already owned by mysql, and a
# recursive chown of a large datadir would stretch every start.
chown mysql:mysql /run/mysqld "$datadir" "$logdir"

# The shell is PID 1 until the exec below, and PID 1 ignores a signal it has no handler for: a
# stop during the first initialisation would otherwise be lost.
trap 'echo "dbwave-mariadb: stopped during initialisation" >&2; exit 143' TERM INT

if [ ! -d "$datadir/mysql" ]; then
  echo "dbwave-mariadb: initialising an empty datadir" >&2
  mariadb-install-db --user=mysql --datadir="$datadir" --skip-test-db \
    --auth-root-authentication-method=socket >"$logdir/install-db.log" 2>&1
fi

# skip-name-resolve: clients on the host reach mariadbd from the bridge's gateway address, which
# has no name; resolving it would cost a DNS timeout and a warning in the error log per connection.
exec mariadbd \
  --user=mysql \
  --datadir="$datadir" \
  --socket=/run/mysqld/mysqld.sock \
  --bind-address=0.0.0.0 \
  --skip-name-resolve \
  --port=3306 \
  --log-error="$logdir/error.log" \
  "$@"
