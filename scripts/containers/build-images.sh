#!/usr/bin/env bash
# Builds Docker images of database servers from Debian's packages (no image registry needed):
#
#   build-images.sh [DEBIAN_VERSION ...]
#   build-images.sh [--pair] [--major] [--mysql] [--package-host] | --all
#
# Without arguments (or with --pair): the two newest bookworm `mariadb-server-core` builds that
# apt offers (the same two the local fleet upgrades between). Each becomes
# `dbwave-mariadb:<upstream version>`, e.g. `dbwave-mariadb:10.11.18`, with the entrypoint
# scripts/containers/mariadb-entrypoint.sh. With DEBIAN_VERSIONs: those bookworm builds.
#
#   --major         `dbwave-mariadb:<11.8.x>`: the newest trixie `mariadb-server-core`, same
#                   entrypoint and mysql uid as the bookworm images, so that a datadir written by
#                   10.11 opens in 11.8 (a major upgrade).
#   --mysql         `dbwave-mysql:<9.x>`: Oracle MySQL as Debian packages it, the newest sid
#                   `mysql-server-core` (the same entrypoint, which runs mysqld there).
#   --package-host  `dbwave-mariadb-host:<older build>`: a host as a package manager keeps it:
#                   sshd, sudo and the full `mariadb-server` package (init script, /etc/mysql) at
#                   the older bookworm build, and a local apt repository in the image
#                   (/var/local/dbwave-apt, signed with a key made at the build, SHA256SUMS
#                   beside it) holding the .deb files of both
#                   builds, so that apt-get can upgrade and downgrade it with no network
#                   (entrypoint scripts/containers/package-host-entrypoint.sh).
#   --all           all four.
#
# An image that already exists with the same entrypoint is reused. Which build is "newest" in
# trixie and sid is read with apt-cache madison against a private sources list and package
# lists under the cache (the host's apt sources are never changed), refreshed when a day old.
#
# How: one `debootstrap --variant=minbase <suite>` root filesystem per suite is cached, copied
# per build, and inside the copy apt installs the exact versions. For bookworm the older build
# lives in the main archive, its security update in bookworm-security, so both are in the copy's
# sources and the pin picks one. Then `tar | docker import`.
#
# Needs a Docker engine that answers (scripts/containers/docker-engine.sh start) and, to build,
# root with debootstrap (installed with apt-get when missing).
#
# Stdout ends with KEY=value lines: FROM_IMAGE and TO_IMAGE (the older and the newer bookworm
# image, for the pair), MAJOR_IMAGE, MYSQL_IMAGE, and PACKAGE_HOST_IMAGE with PACKAGE_HOST_FROM
# and PACKAGE_HOST_TO (the two Debian versions the host can install); progress, timings and
# sizes go to stderr. Exit statuses: 0 ok, 2 usage, 3 a package is missing and cannot be
# installed here, 4 no Docker engine answers, 6 a build failed.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
readonly HERE
readonly CACHE="${DBWAVE_CONTAINERS_CACHE:-/var/cache/dbwave-containers}"
readonly MIRROR="${DBWAVE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
readonly SECURITY_MIRROR="${DBWAVE_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
# The suite of the default pair and of the package host; --major and --mysql have their own.
readonly SUITE=bookworm
readonly MAJOR_SUITE=trixie
readonly MYSQL_SUITE=sid
readonly REPOSITORY=dbwave-mariadb
readonly MYSQL_REPOSITORY=dbwave-mysql
readonly HOST_REPOSITORY=dbwave-mariadb-host
readonly ENTRYPOINT_SOURCE="${HERE}/mariadb-entrypoint.sh"
readonly HOST_ENTRYPOINT_SOURCE="${HERE}/package-host-entrypoint.sh"
# Fixed ids: files on a volume written by one image must belong to mysql in the next one too.
readonly MYSQL_UID=999
# Packages built from the mariadb source at one version: pinned together, so an "old" image is
# the old build throughout, as on a host that installed it when it was current.
readonly PINNED_PACKAGES=(mariadb-server-core mariadb-client-core mariadb-common libmariadb3)
# Oracle MySQL's server and client, built from one source (mysql-common has its own version).
readonly MYSQL_PINNED_PACKAGES=(mysql-server-core mysql-client-core)
# The full server package and the packages of its source it needs, pinned to the older build.
readonly HOST_PINNED_PACKAGES=(mariadb-server mariadb-server-core mariadb-client mariadb-client-core
  mariadb-common libmariadb3)
# The package host's own tools: sshd for dbwave, sudo for its user, apt-utils for the local
# repository's index.
readonly HOST_TOOLS=(openssh-server sudo procps apt-utils)
# The local apt repository inside the package host image.
readonly HOST_REPOSITORY_DIR=/var/local/dbwave-apt
# The public key that signs it (made per image build: sign_host_repository).
readonly HOST_REPOSITORY_KEYRING=/usr/share/keyrings/dbwave-local-apt.gpg
# Package lists of trixie and sid older than this are refreshed before their newest build is read.
readonly APT_LISTS_MAX_AGE_MIN="${DBWAVE_APT_LISTS_MAX_AGE_MIN:-1440}"

say() { echo "build-images: $*" >&2; }

usage() {
  # The comment block at the top of this file.
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2
  exit "$1"
}

targets=()
versions=()
for argument in "$@"; do
  case "$argument" in
    -h | --help) usage 0 ;;
    --pair) targets+=(pair) ;;
    --major) targets+=(major) ;;
    --mysql) targets+=(mysql) ;;
    --package-host) targets+=(package-host) ;;
    --all) targets+=(pair major mysql package-host) ;;
    -*)
      say "unknown option ${argument}"
      usage 2
      ;;
    *) versions+=("$argument") ;;
  esac
done
if [ "${#versions[@]}" -gt 0 ] && [ "${#targets[@]}" -gt 0 ]; then
  say "DEBIAN_VERSIONs name builds of the bookworm pair: give them without options"
  usage 2
fi
[ "${#targets[@]}" -gt 0 ] || targets=(pair)

if ! timeout 10 docker info >/dev/null 2>&1; then
  say "no Docker engine answers at DOCKER_HOST=${DOCKER_HOST:-unset}."
  say "start one with: eval \"\$(scripts/containers/docker-engine.sh start | tail -n1 | sed 's/^/export /')\""
  exit 4
fi

# 1:10.11.19-0+deb12u1 -> 10.11.19, 1:11.8.9+ds-0+deb13u1 -> 11.8.9, 9.7.4-2 -> 9.7.4
upstream_version() {
  local version=${1#*:}
  version=${version%-*}
  echo "${version%%[+~]*}"
}

madison_versions() {
  apt-cache madison mariadb-server-core | awk -F'|' '{gsub(/ /, "", $2); print $2}' | awk '!seen[$0]++'
}

newest_two() {
  local versions
  mapfile -t versions < <(madison_versions)
  if [ "${#versions[@]}" -lt 2 ] && [ "$(id -u)" -eq 0 ]; then
    say "apt lists fewer than two mariadb-server-core builds: running apt-get update"
    apt-get update -q >&2
    mapfile -t versions < <(madison_versions)
  fi
  if [ "${#versions[@]}" -lt 2 ]; then
    say "apt-cache madison mariadb-server-core lists ${#versions[@]} build(s); two are needed"
    say "(enable bookworm-security in apt's sources and run apt-get update)"
    exit 3
  fi
  # madison lists newest first; dpkg is the authority on Debian version order.
  if dpkg --compare-versions "${versions[1]}" lt "${versions[0]}"; then
    echo "${versions[1]}" "${versions[0]}"
  else
    echo "${versions[0]}" "${versions[1]}"
  fi
}

# The sources of one suite: the archive, and its security updates where the suite has them.
suite_sources() { # suite_sources SUITE [OPTIONS], OPTIONS e.g. "[signed-by=...] "
  local suite=$1 options=${2:-}
  echo "deb ${options}${MIRROR} ${suite} main"
  if [ "$suite" != sid ]; then echo "deb ${options}${SECURITY_MIRROR} ${suite}-security main"; fi
}

# apt-get / apt-cache on a private sources list and private package lists under the cache, so
# that another suite's builds are looked up without touching the host's apt configuration
# (Valid-Until unchecked, as inside the builds: see ensure_rootfs).
private_apt() { # private_apt apt-get|apt-cache SUITE ARGS...
  local tool=$1 suite=$2
  shift 2
  local dir="${CACHE}/apt/${suite}"
  "$tool" -o Dir::Etc::SourceList="${dir}/sources.list" -o Dir::Etc::SourceParts="${dir}/none" \
    -o Dir::Etc::Preferences="${dir}/none" -o Dir::Etc::PreferencesParts="${dir}/none" \
    -o Dir::State::Lists="${dir}/lists" -o Dir::State::status="${dir}/status" \
    -o Dir::Cache="${dir}/cache" -o Acquire::Check-Valid-Until=false "$@"
}

refresh_suite_lists() {
  local suite=$1
  local dir="${CACHE}/apt/${suite}"
  # A stamp of our own: apt dates each list file by its Release, not by when it was fetched.
  if [ -n "$(find "${dir}/updated" -mmin "-${APT_LISTS_MAX_AGE_MIN}" 2>/dev/null)" ]; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    say "reading which ${suite} builds exist needs root (apt-get update into ${dir})"
    exit 3
  fi
  mkdir -p "${dir}/lists/partial" "${dir}/cache/archives/partial" "${dir}/none"
  : >"${dir}/status"
  suite_sources "$suite" '[signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ' >"${dir}/sources.list"
  say "apt-get update for ${suite} (private lists in ${dir})"
  private_apt apt-get "$suite" update -q >"${dir}/update.log" 2>&1 || {
    say "apt-get update for ${suite} failed; the end of ${dir}/update.log:"
    tail -n 20 "${dir}/update.log" >&2
    exit 6
  }
  touch "${dir}/updated"
}

# The newest Debian version of PACKAGE in SUITE, by apt-cache madison on the private lists.
newest_in_suite() { # newest_in_suite SUITE PACKAGE
  local suite=$1 package=$2
  refresh_suite_lists "$suite"
  local newest='' version
  while read -r version; do
    if [ -z "$newest" ] || dpkg --compare-versions "$version" gt "$newest"; then newest=$version; fi
  done < <(private_apt apt-cache "$suite" madison "$package" | awk -F'|' '{gsub(/ /, "", $2); print $2}')
  if [ -z "$newest" ]; then
    say "apt-cache madison ${package} lists no build in ${suite}"
    exit 3
  fi
  echo "$newest"
}

image_label() { # image_label IMAGE LABEL: prints the label's value, empty when absent
  docker image inspect --format "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true
}

require_builder() {
  if [ "$(id -u)" -ne 0 ]; then
    say "building an image needs root (debootstrap, chroot). Run this script as root, or build"
    say "the images on a machine where you are and load them with docker save | docker load."
    exit 3
  fi
  if ! command -v debootstrap >/dev/null 2>&1; then
    say "installing debootstrap with apt-get"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >&2; then
      # A fresh machine may have no package lists yet.
      apt-get update -q >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >&2 || {
        say "apt-get could not install debootstrap; install it by hand: apt-get install -y debootstrap"
        exit 3
      }
    fi
  fi
}

# Where the minbase root filesystem of a suite is cached (bookworm's keeps its first name).
base_dir() {
  if [ "$1" = "$SUITE" ]; then echo "${CACHE}/rootfs/base"; else echo "${CACHE}/rootfs/base-$1"; fi
}

# The minbase root filesystem of a suite, made once and cached: every image starts as a copy.
ensure_base() {
  local suite=$1
  local base
  base=$(base_dir "$suite")
  [ -f "${base}.complete" ] && return 0
  rm -rf "$base" "${base}.partial"
  say "debootstrap --variant=minbase ${suite} (cached in ${base} for later builds)"
  local started=$SECONDS log="${CACHE}/debootstrap-${suite}.log"
  debootstrap --variant=minbase "$suite" "${base}.partial" "$MIRROR" >"$log" 2>&1 || {
    say "debootstrap failed; the end of ${log}:"
    tail -n 20 "$log" >&2
    exit 6
  }
  mv "${base}.partial" "$base"
  touch "${base}.complete"
  say "${suite} root filesystem in $((SECONDS - started))s, $(du -sh "$base" | cut -f1)"
}

# A command inside a build's root, its output appended to LOG; a failure ends the build.
in_root() { # in_root ROOT LOG COMMAND...
  local root=$1 log=$2
  shift 2
  [ -n "$root" ] && [ "$root" != / ] || {
    say "refusing to run $* in root '${root}'"
    exit 6
  }
  DEBIAN_FRONTEND=noninteractive chroot "$root" "$@" >>"$log" 2>&1 || {
    say "$* inside the chroot failed; the end of ${log}:"
    tail -n 20 "$log" >&2
    exit 6
  }
}

pinned() { # pinned VERSION PACKAGE...: PACKAGE=VERSION, one a line
  local version=$1
  shift
  local package
  for package in "$@"; do echo "${package}=${version}"; done
}

# The root filesystem of one build, cached beside the bases: a copy of the suite's base with
# the suite's sources, the fixed mysql user, and what INSTALL (a function) puts in it.
ensure_rootfs() { # ensure_rootfs NAME SUITE INSTALL ARGS...
  local name=$1 suite=$2 install=$3
  shift 3
  local dir="${CACHE}/rootfs/${name}"
  [ -f "${dir}.complete" ] && return 0
  ensure_base "$suite"
  rm -rf "$dir" "${dir}.partial" "${dir}.apt.log"
  local started=$SECONDS root="${dir}.partial" log="${dir}.apt.log"
  cp -a "$(base_dir "$suite")" "$root"
  suite_sources "$suite" >"${root}/etc/apt/sources.list"
  # A mirror that is a snapshot serves Release files past their Valid-Until (sid's last a week):
  # signatures are still checked, only their freshness is not.
  echo 'Acquire::Check-Valid-Until "false";' >"${root}/etc/apt/apt.conf.d/99dbwave-snapshot-mirror"
  # No service may start inside a chroot.
  printf '#!/bin/sh\nexit 101\n' >"${root}/usr/sbin/policy-rc.d"
  chmod +x "${root}/usr/sbin/policy-rc.d"
  in_root "$root" "$log" groupadd --system --gid "$MYSQL_UID" mysql
  in_root "$root" "$log" useradd --system --uid "$MYSQL_UID" --gid mysql --home-dir /nonexistent \
    --no-create-home --shell /usr/sbin/nologin mysql
  in_root "$root" "$log" apt-get update -q
  "$install" "$root" "$log" "$@"
  in_root "$root" "$log" apt-get clean
  rm -rf "${root}/var/lib/apt/lists/"* "${root}/usr/sbin/policy-rc.d"
  # The server needs its socket and pid directory; the entrypoints make it again on a tmpfs /run.
  mkdir -p "${root}/run/mysqld"
  in_root "$root" "$log" chown mysql:mysql /run/mysqld
  mv "$root" "$dir"
  touch "${dir}.complete"
  say "root filesystem ${name} in $((SECONDS - started))s, $(du -sh "$dir" | cut -f1)"
}

install_pinned() { # install_pinned ROOT LOG DEBIAN_VERSION PACKAGE...
  local root=$1 log=$2 debian_version=$3
  shift 3
  local pins
  mapfile -t pins < <(pinned "$debian_version" "$@")
  say "installing ${pins[*]} into a copy of the base"
  in_root "$root" "$log" apt-get install -q -y --no-install-recommends "${pins[@]}"
}

install_mariadb() { # install_mariadb ROOT LOG DEBIAN_VERSION
  install_pinned "$1" "$2" "$3" "${PINNED_PACKAGES[@]}"
}

install_mysql() { # install_mysql ROOT LOG DEBIAN_VERSION
  local root=$1 log=$2
  install_pinned "$root" "$log" "$3" "${MYSQL_PINNED_PACKAGES[@]}"
  # mysqld --initialize refuses to run without its secure_file_priv directory.
  mkdir -p "${root}/var/lib/mysql-files"
  in_root "$root" "$log" chown mysql:mysql /var/lib/mysql-files
  chmod 0750 "${root}/var/lib/mysql-files"
}

# The binary packages of the mariadb source installed in ROOT.
installed_mariadb_packages() { # installed_mariadb_packages ROOT
  chroot "$1" dpkg-query -W -f '${db:Status-Abbrev}|${binary:Package}|${source:Package}\n' |
    awk -F'|' '$1 ~ /^ii/ && $3 == "mariadb" { sub(/:.*/, "", $2); print $2 }'
}

# Signs the host's local repository with a key made for this image build: InRelease and
# Release.gpg beside Release, the public key in HOST_REPOSITORY_KEYRING. The key is made and used
# in a temporary GnuPG home on the builder, which is deleted: the secret key never enters the
# image, and no two builds share one.
sign_host_repository() { # sign_host_repository ROOT
  local root=$1
  command -v gpg >/dev/null 2>&1 || {
    say "signing the package host's apt repository needs gpg on this machine: apt-get install -y gpg"
    exit 3
  }
  local home
  home=$(mktemp -d)
  local repository="${root}${HOST_REPOSITORY_DIR}"
  gpg --homedir "$home" --batch --quiet --passphrase '' \
    --quick-generate-key 'dbwave package-host test repository <dbwave@localhost>' ed25519 sign never
  gpg --homedir "$home" --batch --quiet --yes --clearsign --output "${repository}/InRelease" "${repository}/Release"
  gpg --homedir "$home" --batch --quiet --yes --armor --detach-sign --output "${repository}/Release.gpg" \
    "${repository}/Release"
  mkdir -p "${root}$(dirname "$HOST_REPOSITORY_KEYRING")"
  gpg --homedir "$home" --batch --quiet --export >"${root}${HOST_REPOSITORY_KEYRING}"
  chmod 0644 "${root}${HOST_REPOSITORY_KEYRING}"
  gpgconf --homedir "$home" --kill all >/dev/null 2>&1 || true
  rm -rf "$home"
}

install_package_host() { # install_package_host ROOT LOG FROM_DEBIAN_VERSION TO_DEBIAN_VERSION
  local root=$1 log=$2 from=$3 to=$4
  local pins
  mapfile -t pins < <(pinned "$from" "${HOST_PINNED_PACKAGES[@]}")
  say "installing ${HOST_TOOLS[*]} and ${pins[*]} (the full server package) into a copy of the base"
  in_root "$root" "$log" apt-get install -q -y --no-install-recommends "${HOST_TOOLS[@]}" "${pins[@]}"

  # The local repository: every installed package of the mariadb source at both builds, so that
  # the host upgrades (and rolls back) from it exactly as from a mirror.
  local packages downloads=() package
  mapfile -t packages < <(installed_mariadb_packages "$root")
  for package in "${packages[@]}"; do downloads+=("${package}=${from}" "${package}=${to}"); done
  mkdir -p "${root}${HOST_REPOSITORY_DIR}"
  say "downloading ${#downloads[@]} .deb files into the image's local apt repository"
  in_root "$root" "$log" sh -c "cd ${HOST_REPOSITORY_DIR} && apt-get download -q $(printf '%q ' "${downloads[@]}")"
  in_root "$root" "$log" sh -c "cd ${HOST_REPOSITORY_DIR} && apt-ftparchive packages . >Packages && apt-ftparchive release . >Release && sha256sum ./*.deb >SHA256SUMS"
  sign_host_repository "$root"
  # From now on the host knows only its local repository: an upgrade in a test never depends on
  # the network, and apt's copy: method copies each .deb into /var/cache/apt/archives (checking
  # its SHA256 from Packages), so `apt-get install --download-only` really fetches before the
  # window. Signed like a real mirror: apt checks InRelease against the one key signed-by names,
  # and refuses the repository if either is wrong (no trusted=yes, no allow-unauthenticated).
  echo "deb [signed-by=${HOST_REPOSITORY_KEYRING}] copy:${HOST_REPOSITORY_DIR} ./" >"${root}/etc/apt/sources.list"
  in_root "$root" "$log" apt-get update -q

  # The server's own settings file (60-dbwave.cnf) is written by the entrypoint, as a host's
  # configuration management would: a change to it re-imports the image without a new root.
  rm -f "${root}/etc/mysql/mariadb.conf.d/60-dbwave.cnf"
  mkdir -p "${root}/var/log/mysql"
  in_root "$root" "$log" chown mysql:adm /var/log/mysql
  # dbwave's SSH user: key only (the entrypoint installs the key), sudo for the service and apt,
  # adm and mysql to read the error log.
  in_root "$root" "$log" useradd --create-home --shell /bin/bash --groups adm,mysql dbwave
  printf 'dbwave ALL=(root) NOPASSWD: ALL\n' >"${root}/etc/sudoers.d/dbwave"
  chmod 0440 "${root}/etc/sudoers.d/dbwave"
  # Host keys are made per container at its first start, never shared through an image.
  find "${root}/etc/ssh" -maxdepth 1 -name 'ssh_host_*' -delete
}

import_image() { # import_image ROOTFS_NAME IMAGE ENTRYPOINT_SOURCE ENTRYPOINT_SHA PORT LABEL=VALUE...
  local name=$1 image=$2 entrypoint_source=$3 entrypoint_sha=$4 port=$5
  shift 5
  local dir="${CACHE}/rootfs/${name}"
  # mariadb-entrypoint.sh -> /usr/local/bin/dbwave-mariadb-entrypoint (its first name)
  local in_image
  in_image="/usr/local/bin/dbwave-$(basename "$entrypoint_source" .sh)"
  install -m 0755 "$entrypoint_source" "${dir}${in_image}"
  local started=$SECONDS previous_id
  previous_id=$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
  local changes=(
    --change "ENTRYPOINT [\"${in_image}\"]"
    --change 'CMD []'
    --change "EXPOSE ${port}"
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
    --change "LABEL dbwave.entrypoint.sha256=\"${entrypoint_sha}\""
  )
  local label
  for label in "$@"; do changes+=(--change "LABEL ${label%%=*}=\"${label#*=}\""); done
  tar --numeric-owner -C "$dir" --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -c . |
    docker import "${changes[@]}" - "$image" >/dev/null
  # The image this one replaces (an older entrypoint) would otherwise stay behind, untagged, as a
  # full vfs copy; one that a container still uses stays.
  if [ -n "$previous_id" ]; then docker image rm "$previous_id" >/dev/null 2>&1 || true; fi
  local bytes
  bytes=$(docker image inspect --format '{{.Size}}' "$image")
  say "${image}: imported in $((SECONDS - started))s, $((bytes / 1024 / 1024)) MB"
}

# Builds IMAGE unless it exists with the same entrypoint:
#   ensure_image IMAGE ENTRYPOINT ROOTFS_NAME SUITE INSTALL "INSTALL_ARGS" PORT LABEL=VALUE...
ensure_image() {
  local image=$1 entrypoint_source=$2 name=$3 suite=$4 install=$5 install_args=$6 port=$7
  shift 7
  local entrypoint_sha
  entrypoint_sha=$(sha256sum "$entrypoint_source" | cut -d' ' -f1)
  if [ "$(image_label "$image" dbwave.entrypoint.sha256)" = "$entrypoint_sha" ]; then
    say "${image}: present, reused"
    return 0
  fi
  require_builder
  mkdir -p "${CACHE}/rootfs"
  local started=$SECONDS
  (
    # Two builds at once (two test runs) would fight over the cache.
    flock 9
    # shellcheck disable=SC2086 # Debian versions, split on purpose, never with spaces inside
    ensure_rootfs "$name" "$suite" "$install" $install_args
    import_image "$name" "$image" "$entrypoint_source" "$entrypoint_sha" "$port" "$@"
  ) 9>"${CACHE}/.lock"
  say "${image}: ready in $((SECONDS - started))s"
}

# A MariaDB server image; the bookworm pair's root filesystems keep their first cache name.
ensure_mariadb_image() { # ensure_mariadb_image SUITE DEBIAN_VERSION: prints the image
  local suite=$1 debian_version=$2
  local version name
  version=$(upstream_version "$debian_version")
  if [ "$suite" = "$SUITE" ]; then name=$version; else name="mariadb-${suite}-${version}"; fi
  ensure_image "${REPOSITORY}:${version}" "$ENTRYPOINT_SOURCE" "$name" "$suite" install_mariadb \
    "$debian_version" 3306 \
    "dbwave.server.flavour=mariadb" "dbwave.server.version=${version}" \
    "dbwave.mariadb.version=${version}" "dbwave.mariadb.debian-version=${debian_version}"
  echo "${REPOSITORY}:${version}"
}

build_pair() {
  local pair=("${versions[@]}")
  if [ "${#pair[@]}" -eq 0 ]; then read -r -a pair <<<"$(newest_two)"; fi
  local images=() debian_version
  for debian_version in "${pair[@]}"; do images+=("$(ensure_mariadb_image "$SUITE" "$debian_version")"); done
  if [ "${#images[@]}" -eq 2 ]; then
    echo "FROM_IMAGE=${images[0]}"
    echo "TO_IMAGE=${images[1]}"
  fi
}

build_major() {
  local debian_version
  debian_version=$(newest_in_suite "$MAJOR_SUITE" mariadb-server-core)
  echo "MAJOR_IMAGE=$(ensure_mariadb_image "$MAJOR_SUITE" "$debian_version")"
}

build_mysql() {
  local debian_version version
  debian_version=$(newest_in_suite "$MYSQL_SUITE" mysql-server-core)
  version=$(upstream_version "$debian_version")
  ensure_image "${MYSQL_REPOSITORY}:${version}" "$ENTRYPOINT_SOURCE" "mysql-${MYSQL_SUITE}-${version}" \
    "$MYSQL_SUITE" install_mysql "$debian_version" 3306 \
    "dbwave.server.flavour=mysql" "dbwave.server.version=${version}" \
    "dbwave.mysql.debian-version=${debian_version}"
  echo "MYSQL_IMAGE=${MYSQL_REPOSITORY}:${version}"
}

build_package_host() {
  local from to from_version to_version
  read -r from to <<<"$(newest_two)"
  from_version=$(upstream_version "$from")
  to_version=$(upstream_version "$to")
  # The tag is the build the host runs; its repository also holds the newer one. A newer build
  # in the archive gives a new root filesystem name, so its image is rebuilt.
  local image="${HOST_REPOSITORY}:${from_version}"
  local previous_to
  previous_to=$(image_label "$image" dbwave.package-host.to)
  if [ -n "$previous_to" ] && [ "$previous_to" != "$to" ]; then
    say "${image} holds ${previous_to}, not ${to}: rebuilding it"
    docker image rm "$image" >/dev/null 2>&1 || true
  fi
  # An image from before its repository was signed (trusted=yes) is rebuilt, on a new root.
  if docker image inspect "$image" >/dev/null 2>&1 &&
    [ "$(image_label "$image" dbwave.package-host.repository)" != signed ]; then
    say "${image} has an unsigned apt repository: rebuilding it"
    docker image rm "$image" >/dev/null 2>&1 || true
  fi
  ensure_image "$image" "$HOST_ENTRYPOINT_SOURCE" "mariadb-host-signed-${from_version}-${to_version}" \
    "$SUITE" install_package_host "${from} ${to}" 22 \
    "dbwave.server.flavour=mariadb" "dbwave.server.version=${from_version}" \
    "dbwave.package-host.from=${from}" "dbwave.package-host.to=${to}" \
    "dbwave.package-host.repository=signed"
  echo "PACKAGE_HOST_IMAGE=${image}"
  echo "PACKAGE_HOST_FROM=${from}"
  echo "PACKAGE_HOST_TO=${to}"
}

for target in "${targets[@]}"; do
  case "$target" in
    pair) build_pair ;;
    major) build_major ;;
    mysql) build_mysql ;;
    package-host) build_package_host ;;
  esac
done
