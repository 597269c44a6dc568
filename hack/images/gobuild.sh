#!/usr/bin/env bash
# Builds one static binary from a Go module version (everything comes from the Go module
# proxy; no GitHub downloads) into $KRAFTWERK_CACHE/gobin/<name>/<version>/<name>, and
# prints its path. Cached: a second call returns at once.
# usage: gobuild.sh NAME PACKAGE VERSION [TAGS]   e.g. gobuild.sh coredns github.com/coredns/coredns v1.12.1
# TAGS (comma-separated Go build tags) are part of the cache key.
. "$(dirname "$0")/lib.sh"
need go "Install Go >= 1.24 (the machines ship /usr/local/go)."
name="$1" pkg="$2" version="$3" tags="${4:-}"
dest="$KRAFTWERK_CACHE/gobin/$name/$version${tags:+-${tags//,/-}}"
build() {
  log "building $name $version from $pkg (cached afterwards)"
  # Static (no cgo) so the binary runs in a FROM-scratch image; -trimpath/-s -w for size.
  CGO_ENABLED=0 GOBIN="$1" go install -trimpath -tags "$tags" -ldflags "-s -w" "$pkg@$version"
  [[ -x "$1/$name" ]] || mv "$1/$(basename "$pkg")" "$1/$name"
}
build_once "$dest" build
echo "$dest/$name"
