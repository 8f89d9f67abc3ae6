#!/bin/sh
# Entrypoint of the dbwave-mariadb-host:<version> images (copied in by build-images.sh): a
# database host as a package manager keeps it, reached by dbwave over SSH like any real host.
#
#   DBWAVE_AUTHORIZED_KEY   the public key dbwave logs in with as user `dbwave` (key only)
#
# At the first start it makes the container's own SSH host keys (never shared through the
# image; the test reads the public one with `docker exec` and pins it in a known_hosts file),
# then starts MariaDB with the package's own init script, as a DBA would, and runs sshd in the
# foreground as PID 1 (sshd reaps the processes the init script leaves behind). The server's
# datadir (/var/lib/mysql, made by the package's postinst) lives in the container: an upgrade
# is apt-get install, not a new container.
set -eu

if ! ls /etc/ssh/ssh_host_*_key >/dev/null 2>&1; then ssh-keygen -A >&2; fi
mkdir -p /run/sshd /run/mysqld
chown mysql:mysql /run/mysqld

# The DBA's own settings, beside the package's files (not a conffile of the package, so an
# upgrade never asks about it), as configuration management would keep them:
# - the error log in a file that dbwave reads over SSH: Debian's 50-mysqld_safe.cnf sends it to
#   syslog (skip_log_error, syslog), and mysqld_safe's own options decide, so they go there;
# - an address that the published port reaches, and no DNS lookups of clients.
cat >/etc/mysql/mariadb.conf.d/60-dbwave.cnf <<'EOF'
[mysqld_safe]
skip_syslog
log_error = /var/log/mysql/error.log

[mariadbd]
bind-address = 0.0.0.0
skip-name-resolve
EOF

if [ -n "${DBWAVE_AUTHORIZED_KEY:-}" ]; then
  install -d -m 0700 -o dbwave -g dbwave /home/dbwave/.ssh
  printf '%s\n' "$DBWAVE_AUTHORIZED_KEY" >/home/dbwave/.ssh/authorized_keys
  chown dbwave:dbwave /home/dbwave/.ssh/authorized_keys
  chmod 0600 /home/dbwave/.ssh/authorized_keys
fi

service mariadb start >&2

exec /usr/sbin/sshd -D -e \
  -o PasswordAuthentication=no \
  -o KbdInteractiveAuthentication=no \
  -o PermitRootLogin=no
