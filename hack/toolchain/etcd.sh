#!/usr/bin/env bash
# Builds etcd from its Go module. `go install ...@version` refuses modules with replace
# directives (etcd's server module has them), so build through a one-line wrapper module.
# Output: $KRAFTWERK_CACHE/etcd/<version>/bin/etcd
. "$(dirname "$0")/../lib/common.sh"
need go "Install Go >= 1.24 (the machines ship /usr/local/go)."
dest="$KRAFTWERK_CACHE/etcd/$ETCD_VERSION"
build_etcd() {
  local w="$1/src"
  mkdir -p "$w"
  printf 'module kraftwerk.dev/etcd-build\ngo 1.24\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" >"$w/go.mod"
  printf '//go:build tools\npackage tools\nimport _ "go.etcd.io/etcd/server/v3"\n' >"$w/tools.go"
  # `go get` records only what the build needs (`go mod tidy` would fetch test deps too).
  (cd "$w" && GOFLAGS=-mod=mod go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" 2>/dev/null &&
    CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w" -o "$1/bin/etcd" go.etcd.io/etcd/server/v3)
  rm -rf "$w"
}
build_once "$dest" build_etcd
echo "$dest/bin"
