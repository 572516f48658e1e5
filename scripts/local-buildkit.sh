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
# and the example repositories' upstream sources, which their Dockerfiles fetch from the network
# (all ours, STAND-INS, in scripts/local-buildkit/upstream/), served on the docker bridge address
# where build containers reach them:
#   git daemon on <bridge>:9418       bare repositories github.com/example-org/{widget,
#                                     gizmo-operator,sprocket} with their release tags; the Go
#                                     image's /etc/gitconfig routes https://github.com/ there
#                                     (url.insteadOf)
#   busybox httpd on <bridge>:5080    /goproxy: a file-tree GOPROXY (module/@v/list, .info,
#                                     .mod, .zip) with a stand-in sigs.k8s.io/controller-tools
#                                     v0.16.5; the Go image's go env has GOPROXY there, GOSUMDB=off
#                                     /apk: a stand-in apk repository (<arch>/<name>.tar made from
#                                     Debian packages: git, clang, lld, gcc, musl-dev for the build
#                                     platform; gcc, musl-dev for a foreign target) that the Go
#                                     image's apk and xx-apk install from, as their upstreams do
#
#   scripts/local-buildkit.sh up       install, start and build what is missing (idempotent; a few
#                                      seconds when everything is already there)
#   scripts/local-buildkit.sh down     stop the dockerd and registry that `up` started (only those)
#   scripts/local-buildkit.sh status   print what runs; exit 1 when the world is not usable
#   scripts/local-buildkit.sh bridge-ip  print the docker bridge address the stand-in servers use
#
# Needs root. State lives in $IBM_BUILDKIT_STATE (default /var/tmp/ibm-buildkit). Prints
# `export DOCKER=/usr/bin/docker` style hints; the 20.10 client is used explicitly because the
# `docker` first on PATH may be a newer one that hands builds to a buildx plugin that is absent.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
state="${IBM_BUILDKIT_STATE:-/var/tmp/ibm-buildkit}"
registry_host="127.0.0.1:5000"
# IBM_BUILDKIT_DOCKER: only the tests of this script point it elsewhere (a stand-in client).
docker="${IBM_BUILDKIT_DOCKER:-/usr/bin/docker}"
go_image="$registry_host/hardened-build-base:v1.19.8b1"
xx_image="$registry_host/mirrored-tonistiigi-xx:1.6.1"
runtime_image="$registry_host/busybox:1.35"
packages=(docker.io qemu-user-static binfmt-support docker-registry curl git zip gpgv debian-archive-keyring xz-utils)
git_port=9418
http_port=5080
upstream_src="$here/local-buildkit/upstream"
# Release tags of the upstream stand-ins: what the example Dockerfiles check out.
upstream_tags=(example-org/widget=v0.4.2 example-org/gizmo-operator=v1.2.0 example-org/sprocket=v2.0.1)

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

# The docker bridge's gateway: the host address build containers (RUN steps) reach.
# dockerd 20.10 leaves the default bridge's Gateway empty in `network inspect` on some machines
# (seen on a fresh CI machine); the docker0 interface's address, or the subnet's first address
# (what dockerd assigns the bridge), say the same thing.
bridge_ip() {
  local ip
  ip="$("$docker" network inspect bridge --format '{{range .IPAM.Config}}{{.Gateway}}{{end}}' 2>/dev/null || true)"
  if [ -z "$ip" ] && command -v ip >/dev/null 2>&1; then
    ip="$(ip -4 -o addr show dev docker0 2>/dev/null | awk '{print $4}' | cut -d/ -f1 | head -n1 || true)"
  fi
  if [ -z "$ip" ]; then
    local subnet
    subnet="$("$docker" network inspect bridge --format '{{range .IPAM.Config}}{{.Subnet}}{{end}}' 2>/dev/null || true)"
    case "$subnet" in
      *.*.*.0/*) ip="${subnet%.0/*}.1" ;;
    esac
  fi
  case "$ip" in
    [0-9]*.[0-9]*.[0-9]*.[0-9]*) printf '%s\n' "$ip" ;;
    *) die "cannot find the docker bridge's address (docker network inspect bridge gave no Gateway or Subnet, and docker0 has no IPv4 address): is dockerd running with its default bridge?" ;;
  esac
}

upstream_stamp() { (cd "$upstream_src" && find . -type f | LC_ALL=C sort | xargs sha256sum; echo "${upstream_tags[*]}") | sha256sum | cut -c1-16; }

# Bare repositories (one commit, tagged) and the GOPROXY tree, rebuilt when the sources change.
ensure_upstream() {
  local stamp; stamp="$(upstream_stamp)"
  [ "$(cat "$state/upstream.stamp" 2>/dev/null)" = "$stamp" ] && return 0
  log "building the upstream stand-ins (git repositories, module proxy)"
  rm -rf "$state/git" "$state/http/goproxy" && mkdir -p "$state/git/github.com" "$state/http/goproxy"
  for entry in "${upstream_tags[@]}"; do
    local repo="${entry%=*}" tag="${entry#*=}" work
    work="$(mktemp -d)"
    cp -r "$upstream_src/git/$repo/." "$work/"
    (
      cd "$work"
      export GIT_AUTHOR_NAME="example-org (stand-in)" GIT_AUTHOR_EMAIL="standin@example.invalid" \
        GIT_COMMITTER_NAME="example-org (stand-in)" GIT_COMMITTER_EMAIL="standin@example.invalid" \
        GIT_AUTHOR_DATE="2024-06-01T12:00:00Z" GIT_COMMITTER_DATE="2024-06-01T12:00:00Z"
      git init -q -b main . && git add -A && git commit -q -m "$repo $tag (stand-in upstream for image-build-migrator's build world)"
      git tag -a -m "$tag" "$tag"
    ) || die "cannot build the stand-in repository $repo"
    mkdir -p "$state/git/github.com/${repo%/*}"
    git clone -q --bare "$work" "$state/git/github.com/$repo.git" || die "git clone --bare $repo failed"
    rm -rf "$work"
  done
  # A file-tree module proxy: <module>/@v/{list,<v>.info,<v>.mod,<v>.zip}.
  local mods="$upstream_src/goproxy"
  for dir in "$mods"/*/*@*; do
    local rel="${dir#"$mods"/}" module version
    module="${rel%@*}"; version="${rel##*@}"
    local v="$state/http/goproxy/$module/@v"
    mkdir -p "$v"
    echo "$version" >>"$v/list"
    printf '{"Version":"%s","Time":"2024-06-01T12:00:00Z"}\n' "$version" >"$v/$version.info"
    cp "$dir/go.mod" "$v/$version.mod"
    (cd "$mods" && zip -q -r -D -X "$v/$version.zip" "$rel") || die "zip of $rel failed"
  done
  echo "$stamp" >"$state/upstream.stamp"
}

# The stand-in apk repository: <alpine-arch>/<name>.tar, each the dpkg -x of the Debian packages
# that do that Alpine package's job here (git without perl: clone, fetch and checkout need none).
# The build platform gets all of them; a foreign target what xx-apk puts in its sysroot.
declare -A apk_debs=(
  [git]="git libcurl3-gnutls libexpat1 libbrotli1 libgnutls30 libhogweed6 libnettle8 libidn2-0 libunistring2
    libtasn1-6 libp11-kit0 libffi8 libnghttp2-14 libpsl5 librtmp1 libssh2-1 libssl3 libldap-2.5-0 libsasl2-2
    libsasl2-modules-db libdb5.3 libgssapi-krb5-2 libkrb5-3 libk5crypto3 libkrb5support0 libkeyutils1 libcom-err2"
  [clang]="clang-14 libclang-cpp14 libclang1-14 libclang-common-14-dev libllvm14 libedit2 libbsd0 libmd0 libxml2
    libicu72 libz3-4"
  [lld]="lld-14 libllvm14 libedit2 libbsd0 libmd0 libxml2 libicu72 libz3-4"
  [gcc]="gcc-12 cpp-12 libgcc-12-dev libgcc-s1 gcc-12-base libisl23 libmpc3 libmpfr6 libcc1-0 libgomp1 libitm1
    libatomic1 libasan8 liblsan0 libtsan2 libubsan1"
  [musl-dev]="libc6-dev libc6 libc-dev-bin linux-libc-dev libcrypt-dev libcrypt1 libnsl-dev libnsl2 libtirpc-dev
    libtirpc3 rpcsvc-proto"
)
declare -A apk_links=([clang]="clang-14=usr/bin/clang clang++-14=usr/bin/clang++" [lld]="ld.lld-14=usr/bin/ld.lld"
  [gcc]="gcc-12=usr/bin/gcc gcc-12=usr/bin/cc cpp-12=usr/bin/cpp")
apk_foreign=(gcc musl-dev)

alpine_arch() { case "$1" in amd64) echo x86_64 ;; arm64) echo aarch64 ;; *) echo "$1" ;; esac; }

ensure_apk_repo() {
  local native; native="$(dpkg --print-architecture)"
  local stamp; stamp="$( { echo "$native ${apk_foreign[*]}"; for k in "${!apk_debs[@]}"; do echo "$k ${apk_debs[$k]} ${apk_links[$k]:-}"; done | LC_ALL=C sort; } | sha256sum | cut -c1-16)"
  [ "$(cat "$state/http/apk/stamp" 2>/dev/null)" = "$stamp" ] && return 0
  log "building the stand-in apk repository from Debian packages"
  rm -rf "$state/http/apk"
  for arch in amd64 arm64; do
    local names=("${apk_foreign[@]}")
    [ "$arch" = "$native" ] && names=("${!apk_debs[@]}")
    local debs=()
    for n in "${names[@]}"; do for d in ${apk_debs[$n]}; do debs+=("$d:$arch"); done; done
    download_debs "apk-$arch" "${debs[@]}"
    local dir; dir="$state/http/apk/$(alpine_arch "$arch")"
    mkdir -p "$dir"
    for n in "${names[@]}"; do
      local t="$state/apk-build"
      rm -rf "$t" && mkdir -p "$t"
      for d in ${apk_debs[$n]}; do dpkg -x "$(ls "$state/debs/apk-$arch/${d}_"*.deb)" "$t"; done
      for l in ${apk_links[$n]:-}; do ln -sf "${l%%=*}" "$t/${l#*=}"; done
      rm -rf "$t/usr/share/doc" "$t/usr/share/man" "$t/usr/share/lintian" "$t/usr/share/locale"
      tar -C "$t" -cf "$dir/$n.tar" .
      rm -rf "$t"
    done
  done
  echo "$stamp" >"$state/http/apk/stamp"
}

answers() { (exec 3<>"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null; }

# A stand-in server: started once, answering on the bridge address, stopped by `down`.
ensure_server() {
  local what="$1" port="$2"; shift 2
  local ip; ip="$(bridge_ip)"
  if started "$what" && [ "$(cat "$state/$what.addr" 2>/dev/null)" = "$ip:$port" ]; then return 0; fi
  if started "$what"; then kill "$(cat "$state/$what.pid")"; sleep 0.5; fi
  rm -f "$state/$what.pid"
  # Another copy of the build world (another checkout with its own IBM_BUILDKIT_STATE) may serve
  # the port already: use it rather than fail to bind.
  if answers "$ip:$port"; then
    log "$what: $ip:$port is already served (by another build world's state dir); using it"
    echo "$ip:$port" >"$state/$what.addr"
    return 0
  fi
  log "starting $what on $ip:$port (log: $state/$what.log)"
  setsid "$@" >"$state/$what.log" 2>&1 </dev/null 9>&- &
  echo $! >"$state/$what.pid"
  echo "$ip:$port" >"$state/$what.addr"
  for _ in $(seq 1 40); do
    answers "$ip:$port" && return 0
    started "$what" || { tail -n 20 "$state/$what.log" >&2; die "$what exited while starting"; }
    sleep 0.25
  done
  die "$what did not answer on $ip:$port"
}

ensure_sources() {
  ensure_upstream
  local ip; ip="$(bridge_ip)"
  mkdir -p "$state/tools"
  if [ ! -x "$state/tools/busybox" ]; then
    local na; na="$(dpkg --print-architecture)"
    download_debs "$na" "busybox-static:$na"
    local t; t="$(mktemp -d)"
    dpkg -x "$state/debs/$na"/busybox-static_*.deb "$t"
    install -m 0755 "$t/bin/busybox" "$state/tools/busybox"
    rm -rf "$t"
  fi
  ensure_apk_repo
  ensure_server git-daemon "$git_port" git daemon --reuseaddr --export-all --base-path="$state/git" \
    --listen="$ip" --port="$git_port" "$state/git"
  ensure_server http "$http_port" "$state/tools/busybox" httpd -f -p "$ip:$http_port" -h "$state/http"
}

# What the images are made of: a change to the stand-ins, or to images_recipe (bump it when
# build_images changes), rebuilds them.
images_recipe=4
images_stamp() {
  { echo "$images_recipe $(bridge_ip)"; cat "$here"/local-buildkit/xx/* "$here"/local-buildkit/go-image/*; } | sha256sum | cut -c1-16
}

has_list() {
  local ref="$1" repo="${1#"$registry_host"/}"
  curl -fsS -o /dev/null -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    "http://$registry_host/v2/${repo%:*}/manifests/${repo##*:}" 2>/dev/null
}

# The digests of the three lists as the registry serves them now: another copy of this script
# (another checkout, an older version) pushing its own images is noticed, and they are rebuilt.
list_digests() {
  for ref in "$go_image" "$xx_image" "$runtime_image"; do
    local repo="${ref#"$registry_host"/}"
    curl -fsS -I -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
      "http://$registry_host/v2/${repo%:*}/manifests/${repo##*:}" 2>/dev/null | tr -d '\r' | grep -i '^docker-content-digest:' || echo "$ref missing"
  done
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

# dockerd 20.10 ignores `import --platform` unless it runs experimental: the image's config then
# names the host's architecture, and the arm64 image claims to be amd64 (the engine would take it
# for a linux/amd64 stage). Set the config to what the files are.
set_arch() {
  local ref="$1" arch="$2" have dir cfg
  have="$("$docker" image inspect --format '{{.Architecture}}' "$ref")"
  [ "$have" = "$arch" ] && return 0
  dir="$(mktemp -d)"
  "$docker" save "$ref" | tar -C "$dir" -x
  cfg="$(sed -n 's/.*"Config":"\([^"]*\)".*/\1/p' "$dir/manifest.json")"
  sed -i "s/\"architecture\":\"$have\"/\"architecture\":\"$arch\"/" "$dir/$cfg"
  "$docker" rmi "$ref" >/dev/null
  tar -C "$dir" -c . | "$docker" load -q >/dev/null
  rm -rf "$dir"
  [ "$("$docker" image inspect --format '{{.Architecture}}' "$ref")" = "$arch" ] || die "could not set the architecture of $ref to $arch"
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
    set_arch "$name-$arch" "$arch"
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
  if [ "$(cat "$state/images.stamp" 2>/dev/null)" = "$stamp" ] && [ "$(cat "$state/images.digests" 2>/dev/null)" = "$(list_digests)" ]; then
    return 0
  fi
  log "assembling the stand-in images from Debian packages"
  rm -rf "$state/roots" && mkdir -p "$state/roots"
  download_debs all golang-1.19-src
  local ip; ip="$(bridge_ip)"
  for arch in amd64 arm64; do
    local triple; triple=$([ "$arch" = amd64 ] && echo x86-64-linux-gnu || echo aarch64-linux-gnu)
    download_debs "$arch" busybox-static:$arch libc6:$arch golang-1.19-go:$arch file:$arch libmagic1:$arch \
      libmagic-mgc:$arch libbz2-1.0:$arch liblzma5:$arch zlib1g:$arch make:$arch binutils:$arch \
      "binutils-$triple:$arch" binutils-common:$arch libbinutils:$arch libctf-nobfd0:$arch libctf0:$arch \
      libgprofng0:$arch libjansson4:$arch libstdc++6:$arch libgcc-s1:$arch gcc-12-base:$arch libzstd1:$arch \
      coreutils:$arch libacl1:$arch libattr1:$arch libgmp10:$arch libpcre2-8-0:$arch libselinux1:$arch \
      bash:$arch libtinfo6:$arch

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
    install -m 0755 "$here/local-buildkit/go-image/go-build-static.sh" "$here/local-buildkit/go-image/go-assert-boring.sh" "$go/usr/local/bin/"
    printf '%s\n' busybox coreutils go file make binutils libmagic bash >"$go/etc/apk/standin-provides"
    # Packages not in the image come from the build world's stand-in apk repository.
    echo "http://$ip:$http_port/apk" >"$go/etc/apk/repositories"
    alpine_arch "$arch" >"$go/etc/apk/arch"
    rm -rf "$go/usr/share/doc" "$go/usr/share/man" "$go/usr/share/locale"
    # The example repositories' upstream sources and modules: the build world's stand-in servers.
    cat >"$go/etc/gitconfig" <<GITCONFIG
# STAND-IN routing of this offline build world (scripts/local-buildkit.sh): GitHub is served by
# git daemon on the docker bridge with our stand-in upstream repositories.
[url "git://$ip:$git_port/github.com/"]
	insteadOf = https://github.com/
GITCONFIG
    mkdir -p "$go/root/.config/go"
    printf 'GOPROXY=http://%s:%s/goproxy\nGOSUMDB=off\n' "$ip" "$http_port" >"$go/root/.config/go/env"
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
  # BuildKit keeps what it resolved a tag to in its cache: without this, builds would go on using
  # the images this just replaced.
  DOCKER_BUILDKIT=1 "$docker" builder prune --all --force >/dev/null
  echo "$stamp" >"$state/images.stamp"
  list_digests >"$state/images.digests"
  log "images pushed: $go_image $xx_image $runtime_image"
}

# The buildx plugin, for the buildx back end of src/timing: Debian bookworm has none, trixie has
# docker-buildx (0.13: docker driver, --progress=rawjson, --output type=cacheonly work against
# this dockerd 20.10). Fetched from Debian and checked along the archive's chain of trust (the
# signed InRelease -> Packages.xz -> the .deb's SHA256), unpacked with dpkg -x, installed in
# $state/docker-config/cli-plugins only: builds opt in with DOCKER_CONFIG=$state/docker-config,
# and nothing else on the machine starts using buildx behind its back.
debian_mirror="${IBM_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
ensure_buildx() {
  local plugin="$state/docker-config/cli-plugins/docker-buildx"
  if [ -x "$plugin" ] && [ "$(sha256sum <"$plugin" | cut -d' ' -f1)" = "$(cat "$state/buildx.sha256" 2>/dev/null)" ]; then return 0; fi
  local arch t; arch="$(dpkg --print-architecture)"; t="$(mktemp -d)"
  log "fetching docker-buildx from Debian trixie ($debian_mirror)"
  curl -fsS -o "$t/InRelease" "$debian_mirror/dists/trixie/InRelease" || die "cannot download $debian_mirror/dists/trixie/InRelease"
  gpgv --quiet --keyring /usr/share/keyrings/debian-archive-keyring.gpg --output "$t/Release" "$t/InRelease" 2>"$t/gpgv.log" \
    || { cat "$t/gpgv.log" >&2; die "trixie's InRelease does not verify against debian-archive-keyring"; }
  local index="main/binary-$arch/Packages.xz" want
  want="$(awk -v f="$index" '/^SHA256:/{s=1;next} /^[^ ]/{s=0} s && $3==f {print $1}' "$t/Release")"
  [ -n "$want" ] || die "trixie's Release lists no $index"
  curl -fsS -o "$t/Packages.xz" "$debian_mirror/dists/trixie/$index" || die "cannot download $index"
  echo "$want  $t/Packages.xz" | sha256sum -c --quiet - || die "$index does not match the SHA256 of trixie's signed Release"
  local entry file sha version
  xz -dc "$t/Packages.xz" >"$t/Packages"
  entry="$(awk '/^Package: docker-buildx$/{p=1} p && /^$/{exit} p' "$t/Packages")"
  file="$(sed -n 's/^Filename: //p' <<<"$entry")"; sha="$(sed -n 's/^SHA256: //p' <<<"$entry")"; version="$(sed -n 's/^Version: //p' <<<"$entry")"
  [ -n "$file" ] && [ -n "$sha" ] || die "trixie's Packages has no docker-buildx for $arch"
  curl -fsS -o "$t/buildx.deb" "$debian_mirror/$file" || die "cannot download $debian_mirror/$file"
  echo "$sha  $t/buildx.deb" | sha256sum -c --quiet - || die "$file does not match the SHA256 of trixie's Packages"
  dpkg -x "$t/buildx.deb" "$t/root"
  mkdir -p "$(dirname "$plugin")"
  install -m 0755 "$t/root/usr/libexec/docker/cli-plugins/docker-buildx" "$plugin"
  sha256sum <"$plugin" | cut -d' ' -f1 >"$state/buildx.sha256"
  rm -rf "$t"
  DOCKER_CONFIG="$state/docker-config" "$docker" buildx version >/dev/null || die "the buildx plugin ($version) does not run"
  log "docker-buildx $version installed in $state/docker-config/cli-plugins (use DOCKER_CONFIG=$state/docker-config)"
}

# dockerd's BuildKit prefers an image of the local store that carries the tag a FROM names (one
# left by a `docker run` or `docker pull` of it) over the registry: such a copy would stand in for
# the images just pushed, and holds one platform only. Untag them; the registry is the source.
drop_local_tags() {
  for ref in "$go_image" "$xx_image" "$runtime_image"; do
    if "$docker" image inspect "$ref" >/dev/null 2>&1; then
      "$docker" image rm "$ref" >/dev/null 2>&1 || log "warning: could not untag the local copy of $ref (a container uses it?)"
    fi
  done
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
  ensure_sources
  build_images
  drop_local_tags
  ensure_buildx
  "$docker" version --format 'local-buildkit: ready: dockerd {{.Server.Version}}, images on '"$registry_host" >&2
}

down() {
  for what in http git-daemon registry dockerd; do
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
  local bx
  if bx="$(DOCKER_CONFIG="$state/docker-config" "$docker" buildx version 2>/dev/null)"; then
    log "buildx: $bx (DOCKER_CONFIG=$state/docker-config)"
  else
    log "buildx: not installed in $state/docker-config"; ok=1
  fi
  for what in git-daemon http; do
    local addr; addr="$(cat "$state/$what.addr" 2>/dev/null || true)"
    [ -n "$addr" ] && answers "$addr" && log "$what: up on $addr" || { log "$what: down"; ok=1; }
  done
  for ref in "$go_image" "$xx_image" "$runtime_image"; do
    has_list "$ref" && log "image: $ref" || { log "image missing: $ref"; ok=1; }
  done
  return $ok
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  status) status ;;
  bridge-ip) bridge_ip ;;
  *) die "usage: $0 up|down|status|bridge-ip" ;;
esac
