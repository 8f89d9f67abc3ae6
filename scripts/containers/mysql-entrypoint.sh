#!/bin/sh
# Entrypoint of the dbwave-mysql:<version> images (Oracle MySQL as Debian packages it, copied in
# by build-images.sh). The same conventions as the MariaDB images (mariadb-entrypoint.sh):
#
#   /var/lib/mysql          datadir: a volume that outlives the container
#   /var/log/mysql          error.log: a host directory, read by dbwave (transport: local)
#   /etc/mysql/conf.d       settings (*.cnf): a host directory, so that a configuration change
#                           made while the server is down (the campaign's `configure`) survives
#                           the container's recreation
#
# Initialises an empty datadir once (`mysqld --initialize-insecure`: root@localhost without a
# password, reachable only through the unix socket inside the container), then execs mysqld in
# the foreground as PID 1, so that SIGTERM reaches mysqld itself and its clean shutdown (with
# innodb_fast_shutdown=0 set over SQL beforehand) runs to the end. Extra arguments (the
# container's command) are passed to mysqld.
set -eu

datadir=/var/lib/mysql
logdir=/var/log/mysql

mkdir -p /run/mysqld "$datadir" "$logdir" /etc/mysql/conf.d
# Only the top directories: a datadir that mysqld wrote is already owned by mysql.
chown mysql:mysql /run/mysqld "$datadir" "$logdir"

trap 'echo "dbwave-mysql: stopped during initialisation" >&2; exit 143' TERM INT

# --defaults-file: only the settings this image and its conf.d give, not whatever my.cnf the
# packages' alternatives point at.
defaults=/etc/mysql/dbwave.cnf
printf '[mysqld]\n!includedir /etc/mysql/conf.d/\n' >"$defaults"

if [ ! -d "$datadir/mysql" ]; then
  echo "dbwave-mysql: initialising an empty datadir" >&2
  mysqld --defaults-file="$defaults" --initialize-insecure --user=mysql --datadir="$datadir" \
    --log-error="$logdir/initialize.log"
fi

# skip-name-resolve: clients on the host reach mysqld from the bridge's gateway address.
exec mysqld \
  --defaults-file="$defaults" \
  --user=mysql \
  --datadir="$datadir" \
  --socket=/run/mysqld/mysqld.sock \
  --bind-address=0.0.0.0 \
  --skip-name-resolve \
  --port=3306 \
  --log-error="$logdir/error.log" \
  "$@"
