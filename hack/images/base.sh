#!/usr/bin/env bash
# Builds the Debian base image every other image is built on. No registry can be reached,
# so it is made with debootstrap (minbase) and `docker import`ed. The rootfs tarball is
# cached under $KRAFTWERK_CACHE/images/, keyed by the suite and the code that makes it, so a
# new Docker engine (or a pruned one) re-imports it in seconds instead of rebuilding.
# Prints the image reference.
. "$(dirname "$0")/lib.sh"
ensure_docker

build_rootfs() {
  local out="$1" root="$1/root"
  command -v debootstrap >/dev/null || {
    log "installing debootstrap"
    apt-cache show debootstrap >/dev/null 2>&1 || apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  }
  need debootstrap "apt-get install debootstrap"
  log "debootstrap $DEBIAN_SUITE minbase (about a minute)"
  debootstrap --variant=minbase "$DEBIAN_SUITE" "$root" http://deb.debian.org/debian >"$out/debootstrap.log" 2>&1 ||
    die "debootstrap failed; see $out/debootstrap.log"
  # Same sources as our hosts (incl. security updates), so images built on top can apt-get.
  rm -f "$root/etc/apt/sources.list"
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: $DEBIAN_SUITE $DEBIAN_SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: $DEBIAN_SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  # Keep images small: no recommends, no docs/man pages in layers built on top.
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' >"$root/etc/apt/apt.conf.d/90kraftwerk"
  printf 'path-exclude /usr/share/doc/*\npath-include /usr/share/doc/*/copyright\npath-exclude /usr/share/man/*\npath-exclude /usr/share/info/*\npath-exclude /usr/share/locale/*\n' \
    >"$root/etc/dpkg/dpkg.cfg.d/90kraftwerk-nodoc"
  rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"* "$root/var/log/"* \
    "$root/usr/share/doc/"* "$root/usr/share/man/"* "$root/usr/share/locale/"*
  # debootstrap copies the host's resolv.conf/hostname; Docker provides its own.
  : >"$root/etc/resolv.conf"; : >"$root/etc/hostname"
  tar --numeric-owner -C "$root" -czf "$out/rootfs.tar.gz" .
  rm -rf "$root"
}
# The rootfs is keyed by the function that makes it, the image tag by this whole script
# (a change to the import settings re-imports in seconds instead of re-running debootstrap).
rootfs_key="$(hash_of <(declare -f build_rootfs; echo "$DEBIAN_SUITE"))"
key="$(hash_of "$0")"
image="$IMAGE_PREFIX/debian:$DEBIAN_SUITE-$key"
dest="$IMAGES_CACHE/debian-$DEBIAN_SUITE-$rootfs_key"
build_once "$dest" build_rootfs

if ! image_exists "$image"; then
  log "importing $image"
  # `docker import` sets no PATH; Docker adds one at run time but containerd does not, so
  # without it pods could not find any command.
  docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'ENV LANG=C.UTF-8' -c 'CMD ["/bin/bash"]' "$dest/rootfs.tar.gz" "$image" >/dev/null
fi
# A stable alias for Dockerfiles; the keyed tag is what caching checks.
docker tag "$image" "$IMAGE_PREFIX/debian:$DEBIAN_SUITE"
echo "$image"
