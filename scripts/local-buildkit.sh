#!/usr/bin/env bash
# The local build world for timing and the end-to-end build test, offline: a real BuildKit
# (dockerd 20.10 from Debian's docker.io), QEMU user emulation through binfmt_misc, a registry on
# 127.0.0.1:5000, and multi-arch (amd64 + arm64) images assembled from Debian packages:
#
#   127.0.0.1:5000/hardened-build-base:v1.19.8b1    STAND-IN for rancher/hardened-build-base:
#       Go 1.19 (no precompiled standard library, like real Go images), file, make, binutils
#       (strip), coreutils, busybox, and an `apk` shim that accepts packages already in the image
#   127.0.0.1:5000/mirrored-tonistiigi-xx:1.6.1     STAND-IN for rancher/mirrored-tonistiigi-xx:
#       our own xx-info, xx-go, xx-verify, xx-apk scripts (scripts/local-buildkit/xx/)
#   127.0.0.1:5000/busybox:1.35                     a busybox runtime image
#
#   scripts/local-buildkit.sh up       install, start and build what is missing (idempotent; a few
#                                      seconds when everything is already there)
#   scripts/local-buildkit.sh down     stop the dockerd and registry that `up` started (only those)
#   scripts/local-buildkit.sh status   print what runs; exit 1 when the world is not usable
#
# Needs root. State lives in $IBM_BUILDKIT_STATE (default /var/tmp/ibm-buildkit). Prints
# `export DOCKER=/usr/bin/docker` style hints; the 20.10 client is used explicitly because the
# `docker` first on PATH may be a newer one that hands builds to a buildx plugin that is absent.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
state="${IBM_BUILDKIT_STATE:-/var/tmp/ibm-buildkit}"
registry_host="127.0.0.1:5000"
docker=/usr/bin/docker
go_image="$registry_host/hardened-build-base:v1.19.8b1"
xx_image="$registry_host/mirrored-tonistiigi-xx:1.6.1"
runtime_image="$registry_host/busybox:1.35"
packages=(docker.io qemu-user-static binfmt-support docker-registry curl)

log() { printf 'local-buildkit: %s\n' "$*" >&2; }
die() { printf 'local-buildkit: ERROR: %s\n' "$*" >&2; exit 1; }

ensure_packages() {
  local missing=()
  for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    dpkg --add-architecture arm64
    missing+=(apt-update)
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  local real=()
  for p in "${missing[@]}"; do [ "$p" = apt-update ] || real+=("$p"); done
  [ ${#real[@]} -eq 0 ] || apt-get install -y -qq --no-install-recommends "${real[@]}" >/dev/null
  # The package's own service start (where there is an init) would claim port 5000 on all
  # addresses; ours listens on 127.0.0.1 only.
  [ -d /run/systemd/system ] && systemctl disable --now docker-registry >/dev/null 2>&1 || true
}

ensure_binfmt() {
  [ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc \
    || die "cannot mount binfmt_misc: arm64 steps could not run under QEMU (is this a privileged machine?)"
  if [ "$(head -n1 /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null)" != enabled ]; then
    update-binfmts --enable qemu-aarch64 || die "update-binfmts --enable qemu-aarch64 failed"
  fi
  # F (fix binary): the interpreter is opened now, so it works inside containers too.
  grep -q '^flags: .*F' /proc/sys/fs/binfmt_misc/qemu-aarch64 || die "qemu-aarch64 is registered without the F flag"
}

started() { [ -s "$state/$1.pid" ] && kill -0 "$(cat "$state/$1.pid")" 2>/dev/null; }

ensure_dockerd() {
  if "$docker" info >/dev/null 2>&1; then return 0; fi
  log "starting dockerd (log: $state/dockerd.log)"
  setsid dockerd --pidfile "$state/dockerd.pid.own" >"$state/dockerd.log" 2>&1 </dev/null 9>&- &
  echo $! >"$state/dockerd.pid"
  for _ in $(seq 1 60); do
    "$docker" info >/dev/null 2>&1 && return 0
    started dockerd || { tail -n 20 "$state/dockerd.log" >&2; die "dockerd exited while starting"; }
    sleep 0.5
  done
  tail -n 20 "$state/dockerd.log" >&2
  die "dockerd did not answer within 30 s"
}

ensure_registry() {
  if curl -fsS "http://$registry_host/v2/" >/dev/null 2>&1; then return 0; fi
  mkdir -p "$state/registry-data"
  cat >"$state/registry.yml" <<YML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $state/registry-data
  delete:
    enabled: true
http:
  addr: $registry_host
YML
  log "starting the registry on $registry_host (log: $state/registry.log)"
  setsid docker-registry serve "$state/registry.yml" >"$state/registry.log" 2>&1 </dev/null 9>&- &
  echo $! >"$state/registry.pid"
  for _ in $(seq 1 40); do
    curl -fsS "http://$registry_host/v2/" >/dev/null 2>&1 && return 0
    started registry || { tail -n 20 "$state/registry.log" >&2; die "the registry exited while starting"; }
    sleep 0.25
  done
  die "the registry did not answer on $registry_host"
}

# What the images are made of: a change to the stand-ins, or to images_recipe (bump it when
# build_images changes), rebuilds them.
images_recipe=2
images_stamp() {
  { echo "$images_recipe"; cat "$here"/local-buildkit/xx/* "$here"/local-buildkit/go-image/*; } | sha256sum | cut -c1-16
}

has_list() {
  local ref="$1" repo="${1#"$registry_host"/}"
  curl -fsS -o /dev/null -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    "http://$registry_host/v2/${repo%:*}/manifests/${repo##*:}" 2>/dev/null
}

download_debs() {
  local dir="$state/debs/$1"; shift
  mkdir -p "$dir"
  (cd "$dir" && apt-get download "$@" >/dev/null 2>&1) || {
    apt-get update -qq
    (cd "$dir" && apt-get download "$@" >/dev/null) || die "apt-get download $* failed"
  }
}

unpack() {
  local root="$1"; shift
  for deb in "$@"; do dpkg -x "$deb" "$root"; done
}

busybox_links() {
  local root="$1"
  mkdir -p "$root/bin" "$root/usr/bin" "$root/sbin" "$root/tmp" "$root/etc" "$root/root"
  chmod 1777 "$root/tmp"
  [ -e "$root/bin/busybox" ] || die "busybox missing in $root"
  for applet in $(chroot "$root" /bin/busybox --list); do
    [ -e "$root/bin/$applet" ] || [ -e "$root/usr/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\n' >"$root/etc/group"
}

# Push ROOT_<arch> as NAME:<arch>, then join them in the multi-arch list NAME.
push_multiarch() {
  local name="$1"; shift
  local changes=("$@")
  local refs=()
  for arch in amd64 arm64; do
    local args=()
    for c in "${changes[@]}"; do args+=(--change "$c"); done
    tar -C "$state/roots/$(basename "${name%:*}")-$arch" -c . \
      | "$docker" import --platform "linux/$arch" "${args[@]}" - "$name-$arch" >/dev/null
    "$docker" push -q "$name-$arch" >/dev/null
    refs+=("$name-$arch")
  done
  "$docker" manifest rm "$name" >/dev/null 2>&1 || true
  "$docker" manifest create --insecure "$name" "${refs[@]}" >/dev/null
  for arch in amd64 arm64; do "$docker" manifest annotate --os linux --arch "$arch" "$name" "$name-$arch"; done
  "$docker" manifest push --insecure --purge "$name" >/dev/null
}

build_images() {
  local stamp; stamp="$(images_stamp)"
  if [ "$(cat "$state/images.stamp" 2>/dev/null)" = "$stamp" ] \
    && has_list "$go_image" && has_list "$xx_image" && has_list "$runtime_image"; then
    return 0
  fi
  log "assembling the stand-in images from Debian packages"
  rm -rf "$state/roots" && mkdir -p "$state/roots"
  download_debs all golang-1.19-src
  for arch in amd64 arm64; do
    local triple; triple=$([ "$arch" = amd64 ] && echo x86-64-linux-gnu || echo aarch64-linux-gnu)
    download_debs "$arch" busybox-static:$arch libc6:$arch golang-1.19-go:$arch file:$arch libmagic1:$arch \
      libmagic-mgc:$arch libbz2-1.0:$arch liblzma5:$arch zlib1g:$arch make:$arch binutils:$arch \
      "binutils-$triple:$arch" binutils-common:$arch libbinutils:$arch libctf-nobfd0:$arch libctf0:$arch \
      libgprofng0:$arch libjansson4:$arch libstdc++6:$arch libgcc-s1:$arch gcc-12-base:$arch libzstd1:$arch \
      coreutils:$arch libacl1:$arch libattr1:$arch libgmp10:$arch libpcre2-8-0:$arch libselinux1:$arch

    # busybox runtime: busybox alone.
    local rt="$state/roots/busybox-$arch"
    unpack "$rt" "$state"/debs/"$arch"/busybox-static_*.deb
    busybox_links "$rt"

    # Go builder stand-in.
    local go="$state/roots/hardened-build-base-$arch"
    unpack "$go" "$state"/debs/"$arch"/*.deb "$state"/debs/all/*.deb
    busybox_links "$go"
    # Real Go images ship no precompiled standard library; with it the emulated build would be
    # unrealistically fast.
    rm -rf "$go"/usr/lib/go-1.19/pkg/linux_*
    mkdir -p "$go/usr/local/bin" "$go/go/src" "$go/go/bin" "$go/etc/apk"
    ln -sf /usr/lib/go-1.19/bin/go "$go/usr/local/bin/go"
    ln -sf /usr/lib/go-1.19/bin/gofmt "$go/usr/local/bin/gofmt"
    install -m 0755 "$here/local-buildkit/go-image/apk" "$go/sbin/apk"
    printf '%s\n' busybox coreutils go file make binutils libmagic >"$go/etc/apk/standin-provides"
    printf 'STAND-IN for rancher/hardened-build-base, assembled from Debian packages by scripts/local-buildkit.sh\n' >"$go/etc/standin"

    # xx stand-in: only the helpers, as the upstream image holds only its scripts.
    local xx="$state/roots/mirrored-tonistiigi-xx-$arch"
    mkdir -p "$xx/usr/bin"
    install -m 0755 "$here"/local-buildkit/xx/* "$xx/usr/bin/"
  done
  local path_env='ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  push_multiarch "$runtime_image" "$path_env" 'CMD ["/bin/sh"]'
  push_multiarch "$go_image" "$path_env" 'ENV GOPATH=/go' 'ENV GOTOOLCHAIN=local' 'WORKDIR /go' 'CMD ["/bin/sh"]'
  push_multiarch "$xx_image" "$path_env"
  echo "$stamp" >"$state/images.stamp"
  log "images pushed: $go_image $xx_image $runtime_image"
}

up() {
  [ "$(id -u)" -eq 0 ] || die "needs root (apt-get, binfmt_misc, dockerd)"
  mkdir -p "$state"
  exec 9>"$state/lock"
  flock 9
  ensure_packages
  ensure_binfmt
  ensure_dockerd
  ensure_registry
  build_images
  "$docker" version --format 'local-buildkit: ready: dockerd {{.Server.Version}}, images on '"$registry_host" >&2
}

down() {
  for what in registry dockerd; do
    if started "$what"; then
      log "stopping the $what this script started (pid $(cat "$state/$what.pid"))"
      kill "$(cat "$state/$what.pid")"
      for _ in $(seq 1 40); do started "$what" || break; sleep 0.25; done
    fi
    rm -f "$state/$what.pid"
  done
}

status() {
  local ok=0
  "$docker" info >/dev/null 2>&1 && log "dockerd: up" || { log "dockerd: down"; ok=1; }
  curl -fsS "http://$registry_host/v2/" >/dev/null 2>&1 && log "registry: up" || { log "registry: down"; ok=1; }
  [ "$(head -n1 /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null)" = enabled ] && log "qemu-aarch64: enabled" || { log "qemu-aarch64: off"; ok=1; }
  for ref in "$go_image" "$xx_image" "$runtime_image"; do
    has_list "$ref" && log "image: $ref" || { log "image missing: $ref"; ok=1; }
  done
  return $ok
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) die "usage: $0 up|down|status" ;;
esac
