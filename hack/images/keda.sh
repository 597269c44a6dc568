#!/usr/bin/env bash
# Builds KEDA's image ($IMAGE_PREFIX/keda:<version>-<key>) for the side-by-side autoscaling
# bench (bench/consumergroup/README.md): the operator, metrics adapter and admission webhooks
# from the github.com/kedacore/keda/v2 Go module at KEDA_VERSION, all from the Go module proxy.
# KEDA's go.mod pins Kubernetes with replace directives, which `go install pkg@version`
# refuses, so the module is copied out of the module cache and built as the main module
# (-mod=mod: the module zip has no vendor/). Static, cached by version; prints the image.
. "$(dirname "$0")/lib.sh"
need go "Install Go >= 1.26 (KEDA 2.20's go.mod says go 1.26.0)."
ensure_docker
base="$(bash "$HACK_DIR/images/base.sh" | tail -1)"
bins="$KRAFTWERK_CACHE/gobin/keda/$KEDA_VERSION"
build() {
  local dest="$1" src work
  src="$(go mod download -json "github.com/kedacore/keda/v2@$KEDA_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  [[ -d "$src" ]] || die "go mod download of github.com/kedacore/keda/v2@$KEDA_VERSION gave no directory"
  work="$dest/src"
  cp -r "$src" "$work" && chmod -R u+w "$work"
  local ldflags="-s -w -X=github.com/kedacore/keda/v2/version.Version=$KEDA_VERSION -X=github.com/kedacore/keda/v2/version.GitCommit=module-proxy"
  for pair in keda:operator keda-adapter:adapter keda-admission-webhooks:webhooks; do
    log "building ${pair%%:*} (KEDA $KEDA_VERSION; ~15-30 min cold on 2 cores, cached afterwards)"
    (cd "$work" && CGO_ENABLED=0 go build -mod=mod -trimpath -ldflags "$ldflags" \
      -o "$dest/${pair%%:*}" "./cmd/${pair#*:}")
  done
  # The manifests (config/) stay beside the binaries for hack/keda/install.sh.
  cp -r "$work/config" "$dest/config"
  rm -rf "$work"
}
build_once "$bins" build
key="$(hash_of "$0" "$HACK_DIR/images/keda/Dockerfile" <(echo "$base $KEDA_VERSION"))"
image="$IMAGE_PREFIX/keda:${KEDA_VERSION#v}-$key"
fill() {
  cp "$HACK_DIR/images/keda/Dockerfile" "$1/"
  cp "$bins/keda" "$bins/keda-adapter" "$bins/keda-admission-webhooks" "$1/"
}
build_image_once "$image" keda "$base" fill
tag_current "$image" "$IMAGE_PREFIX/keda" "${KEDA_VERSION#v}"
echo "$image"
