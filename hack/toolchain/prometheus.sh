#!/usr/bin/env bash
# Installs Prometheus and promtool from Debian's package without installing it system-wide:
# `apt-get download` fetches the pinned .deb, `dpkg-deb -x` unpacks it, and only the two
# binaries (linked against libc alone) are kept. The tests need promtool (`check rules`,
# `test rules`); Debian bookworm's 2.42 has everything they use, so nothing is built from Go.
# Output: $KRAFTWERK_CACHE/prometheus/<version>/bin/{prometheus,promtool}; prints the bin dir.
. "$(dirname "$0")/../lib/common.sh"
need apt-get "Prometheus comes from Debian's package; on another system put promtool $PROMETHEUS_DEB_VERSION in $KRAFTWERK_CACHE/prometheus/$PROMETHEUS_DEB_VERSION/bin by hand."
need dpkg-deb "dpkg-deb unpacks Debian's package."
dest="$KRAFTWERK_CACHE/prometheus/$PROMETHEUS_DEB_VERSION"
install_prometheus() {
  local pkg="prometheus=$PROMETHEUS_DEB_VERSION"
  if ! apt-cache show "$pkg" >/dev/null 2>&1; then
    # Stale or missing package lists; a security update may also have replaced the pinned
    # version, in which case the pin in versions.env must move (the error below says so).
    log "refreshing Debian's package lists for $pkg"
    SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
    $SUDO apt-get update -qq >&2
    apt-cache show "$pkg" >/dev/null 2>&1 ||
      die "Debian no longer offers $pkg; set PROMETHEUS_DEB_VERSION in hack/versions.env to what \`apt-cache policy prometheus\` offers"
  fi
  # apt warns that its sandbox user cannot write a private temp dir; the download is the same.
  (cd "$1" && apt-get download -qq "$pkg" 2>&1 | grep -v 'unsandboxed' >&2 || true)
  local deb
  deb="$(ls "$1"/prometheus_*.deb)" || die "apt-get download $pkg produced no .deb"
  dpkg-deb -x "$deb" "$1/root"
  mkdir -p "$1/bin"
  mv "$1/root/usr/bin/prometheus" "$1/root/usr/bin/promtool" "$1/bin/"
  rm -rf "$1/root" "$deb"
  "$1/bin/promtool" --version >/dev/null
}
build_once "$dest" install_prometheus
echo "$dest/bin"
