#!/usr/bin/env bash
# Builds one Docker image per MariaDB build, from Debian's packages (no image registry needed):
#
#   build-images.sh [DEBIAN_VERSION ...]
#
# Without arguments: the two newest `mariadb-server-core` builds that apt offers (the same two the
# local fleet upgrades between). Each becomes `dbwave-mariadb:<upstream version>`, e.g.
# `dbwave-mariadb:10.11.18`, with the entrypoint scripts/containers/mariadb-entrypoint.sh.
# An image that already exists with the same entrypoint is reused.
#
# How: one `debootstrap --variant=minbase bookworm` root filesystem is cached, copied per build,
# and inside the copy apt installs the exact versions (`mariadb-server-core=<v>` and its client,
# common and library packages at the same version) from bookworm and bookworm-security: the
# older build lives in the main archive, its security update in bookworm-security, so both are
# in the copy's sources and the pin picks one. Then `tar | docker import`.
#
# Needs a Docker engine that answers (scripts/containers/docker-engine.sh start) and, to build,
# root with debootstrap (installed with apt-get when missing).
#
# Stdout ends with FROM_IMAGE=... and TO_IMAGE=... (the older and the newer image); progress,
# timings and sizes go to stderr. Exit statuses: 0 ok, 2 usage, 3 a package is missing and cannot
# be installed here, 4 no Docker engine answers, 6 a build failed.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
readonly HERE
readonly CACHE="${DBWAVE_CONTAINERS_CACHE:-/var/cache/dbwave-containers}"
readonly MIRROR="${DBWAVE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
readonly SECURITY_MIRROR="${DBWAVE_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
readonly SUITE=bookworm
readonly REPOSITORY=dbwave-mariadb
readonly ENTRYPOINT_SOURCE="${HERE}/mariadb-entrypoint.sh"
readonly ENTRYPOINT_IN_IMAGE=/usr/local/bin/dbwave-mariadb-entrypoint
# Fixed ids: files on a volume written by one image must belong to mysql in the next one too.
readonly MYSQL_UID=999
# Packages built from the mariadb source at one version: pinned together, so an "old" image is
# the old build throughout, as on a host that installed it when it was current.
readonly PINNED_PACKAGES=(mariadb-server-core mariadb-client-core mariadb-common libmariadb3)

say() { echo "build-images: $*" >&2; }

case "${1:-}" in -h | --help)
  # The comment block at the top of this file.
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2
  exit 0
  ;;
esac

if ! timeout 10 docker info >/dev/null 2>&1; then
  say "no Docker engine answers at DOCKER_HOST=${DOCKER_HOST:-unset}."
  say "start one with: eval \"\$(scripts/containers/docker-engine.sh start | tail -n1 | sed 's/^/export /')\""
  exit 4
fi

upstream_version() { # 1:10.11.19-0+deb12u1 -> 10.11.19
  local version=${1#*:}
  echo "${version%-*}"
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

# The minbase root filesystem, made once and cached: every image starts as a copy of it.
ensure_base() {
  local base="${CACHE}/rootfs/base"
  [ -f "${base}.complete" ] && return 0
  rm -rf "$base" "${base}.partial"
  say "debootstrap --variant=minbase ${SUITE} (cached in ${base} for later builds)"
  local started=$SECONDS
  debootstrap --variant=minbase "$SUITE" "${base}.partial" "$MIRROR" >"${CACHE}/debootstrap.log" 2>&1 || {
    say "debootstrap failed; the end of ${CACHE}/debootstrap.log:"
    tail -n 20 "${CACHE}/debootstrap.log" >&2
    exit 6
  }
  mv "${base}.partial" "$base"
  touch "${base}.complete"
  say "base root filesystem in $((SECONDS - started))s, $(du -sh "$base" | cut -f1)"
}

# The root filesystem of one MariaDB build, cached beside the base.
ensure_rootfs() {
  local debian_version=$1 version=$2
  local dir="${CACHE}/rootfs/${version}"
  [ -f "${dir}.complete" ] && return 0
  ensure_base
  rm -rf "$dir" "${dir}.partial"
  local started=$SECONDS
  cp -a "${CACHE}/rootfs/base" "${dir}.partial"
  local root="${dir}.partial"
  cat >"${root}/etc/apt/sources.list" <<EOF
deb ${MIRROR} ${SUITE} main
deb ${SECURITY_MIRROR} ${SUITE}-security main
EOF
  # No service may start inside a chroot.
  printf '#!/bin/sh\nexit 101\n' >"${root}/usr/sbin/policy-rc.d"
  chmod +x "${root}/usr/sbin/policy-rc.d"
  chroot "$root" groupadd --system --gid "$MYSQL_UID" mysql
  chroot "$root" useradd --system --uid "$MYSQL_UID" --gid mysql --home-dir /nonexistent \
    --no-create-home --shell /usr/sbin/nologin mysql
  local pins=()
  local package
  for package in "${PINNED_PACKAGES[@]}"; do pins+=("${package}=${debian_version}"); done
  say "installing ${pins[*]} into a copy of the base"
  {
    chroot "$root" apt-get update -q &&
      DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -q --no-install-recommends "${pins[@]}"
  } >"${dir}.apt.log" 2>&1 || {
    say "apt-get inside the chroot failed; the end of ${dir}.apt.log:"
    tail -n 20 "${dir}.apt.log" >&2
    exit 6
  }
  chroot "$root" apt-get clean
  rm -rf "${root}/var/lib/apt/lists/"* "${root}/usr/sbin/policy-rc.d"
  # mariadbd needs its socket and pid directory; the entrypoint makes it again on a tmpfs /run.
  mkdir -p "${root}/run/mysqld"
  mv "$root" "$dir"
  touch "${dir}.complete"
  say "root filesystem for ${version} in $((SECONDS - started))s, $(du -sh "$dir" | cut -f1)"
}

import_image() {
  local debian_version=$1 version=$2 entrypoint_sha=$3
  local dir="${CACHE}/rootfs/${version}" image="${REPOSITORY}:${version}"
  install -m 0755 "$ENTRYPOINT_SOURCE" "${dir}${ENTRYPOINT_IN_IMAGE}"
  local started=$SECONDS previous_id
  previous_id=$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
  tar --numeric-owner -C "$dir" --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -c . |
    docker import \
      --change "ENTRYPOINT [\"${ENTRYPOINT_IN_IMAGE}\"]" \
      --change 'CMD []' \
      --change 'EXPOSE 3306' \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change "LABEL dbwave.mariadb.version=\"${version}\"" \
      --change "LABEL dbwave.mariadb.debian-version=\"${debian_version}\"" \
      --change "LABEL dbwave.entrypoint.sha256=\"${entrypoint_sha}\"" \
      - "$image" >/dev/null
  # The image this one replaces (an older entrypoint) would otherwise stay behind, untagged, as a
  # full vfs copy; one that a container still uses stays.
  if [ -n "$previous_id" ]; then docker image rm "$previous_id" >/dev/null 2>&1 || true; fi
  local bytes
  bytes=$(docker image inspect --format '{{.Size}}' "$image")
  say "${image}: imported in $((SECONDS - started))s, $((bytes / 1024 / 1024)) MB"
}

ensure_image() {
  local debian_version=$1
  local version
  version=$(upstream_version "$debian_version")
  local image="${REPOSITORY}:${version}"
  local entrypoint_sha
  entrypoint_sha=$(sha256sum "$ENTRYPOINT_SOURCE" | cut -d' ' -f1)
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
    ensure_rootfs "$debian_version" "$version"
    import_image "$debian_version" "$version" "$entrypoint_sha"
  ) 9>"${CACHE}/.lock"
  say "${image}: ready in $((SECONDS - started))s"
}

if [ "$#" -gt 0 ]; then
  versions=("$@")
else
  read -r -a versions <<<"$(newest_two)"
fi
for debian_version in "${versions[@]}"; do
  ensure_image "$debian_version"
done
if [ "${#versions[@]}" -eq 2 ]; then
  echo "FROM_IMAGE=${REPOSITORY}:$(upstream_version "${versions[0]}")"
  echo "TO_IMAGE=${REPOSITORY}:$(upstream_version "${versions[1]}")"
fi
