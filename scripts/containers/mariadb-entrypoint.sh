#!/bin/sh
# Entrypoint of the dbwave-mariadb:<version> and dbwave-mysql:<version> images (copied in by
# build-images.sh): whichever server the image holds, MariaDB's mariadbd or Oracle MySQL's mysqld.
#
# Initialises an empty datadir once, then execs the server in the foreground as PID 1, so that
# the container runtime's SIGTERM reaches the server itself and its clean shutdown (with
# innodb_fast_shutdown=0 set over SQL beforehand) runs to the end. Extra arguments (the
# container's command) are passed to the server.
#
#   /var/lib/mysql     datadir: mount the host's volume here; it outlives the container, so an
#                      upgrade is "same volume, new image"
#   /var/log/mysql     error.log: bind-mount a host directory here so that dbwave (transport:
#                      local) reads the error log straight from the host
#   /etc/mysql/conf.d  settings (*.cnf), optional: a host directory mounted here keeps a
#                      configuration change made while the server is down (`configure`) across
#                      the container's recreation
set -eu

datadir=/var/lib/mysql
logdir=/var/log/mysql

mkdir -p /run/mysqld "$datadir" "$logdir" /etc/mysql/conf.d
# Only the top directories: a datadir that the server wrote is already owned by mysql, and a
# recursive chown of a large datadir would stretch every start.
chown mysql:mysql /run/mysqld "$datadir" "$logdir"

# The shell is PID 1 until the exec below, and PID 1 ignores a signal it has no handler for: a
# stop during the first initialisation would otherwise be lost.
trap 'echo "dbwave-entrypoint: stopped during initialisation" >&2; exit 143' TERM INT

if command -v mariadbd >/dev/null 2>&1; then
  server=mariadbd
  # MariaDB's my.cnf (from mariadb-common) already reads /etc/mysql/conf.d.
  defaults=
else
  server=mysqld
  # Only this image's settings and conf.d, not whatever my.cnf the packages' alternatives name.
  defaults=--defaults-file=/etc/mysql/dbwave.cnf
  printf '[mysqld]\n!includedir /etc/mysql/conf.d/\n' >/etc/mysql/dbwave.cnf
fi

if [ ! -d "$datadir/mysql" ]; then
  echo "dbwave-entrypoint: initialising an empty datadir for ${server}" >&2
  if [ "$server" = mariadbd ]; then
    mariadb-install-db --user=mysql --datadir="$datadir" --skip-test-db \
      --auth-root-authentication-method=socket >"$logdir/install-db.log" 2>&1
  else
    # root@localhost without a password, reachable only through the unix socket in the container.
    mysqld $defaults --initialize-insecure --user=mysql --datadir="$datadir" \
      --log-error="$logdir/initialize.log"
  fi
fi

# skip-name-resolve: clients on the host reach the server from the bridge's gateway address,
# which has no name; resolving it would cost a DNS timeout and a warning per connection.
# shellcheck disable=SC2086 # $defaults is one option or nothing
exec "$server" $defaults \
  --user=mysql \
  --datadir="$datadir" \
  --socket=/run/mysqld/mysqld.sock \
  --bind-address=0.0.0.0 \
  --skip-name-resolve \
  --port=3306 \
  --log-error="$logdir/error.log" \
  "$@"
