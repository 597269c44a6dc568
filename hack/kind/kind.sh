#!/usr/bin/env bash
# Builds the kind CLI from its Go module (no GitHub release downloads here) into
# $KRAFTWERK_CACHE/kind/<version>/bin and prints that directory.
. "$(dirname "$0")/lib.sh"
need go "Install Go >= 1.24 (the machines ship /usr/local/go)."
dest="$KRAFTWERK_CACHE/kind/$KIND_VERSION"
build_kind() {
  log "building kind $KIND_VERSION"
  CGO_ENABLED=0 GOBIN="$1/bin" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kind@$KIND_VERSION"
}
build_once "$dest" build_kind
echo "$dest/bin"
