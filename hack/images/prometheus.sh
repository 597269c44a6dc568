#!/usr/bin/env bash
# Builds the Prometheus image ($IMAGE_PREFIX/prometheus:<version>) the e2e monitoring scenario
# runs in the kind cluster. Debian's package (hack/toolchain/prometheus.sh, promtool for the
# tests) is built without Kubernetes service discovery, so the server is built from its Go
# module with only that discovery (build tags; ~3 min cold on 2 cores, 9 min under load,
# cached afterwards). Prints the content-keyed image reference.
. "$(dirname "$0")/lib.sh"
ensure_docker
base="$(bash "$HACK_DIR/images/base.sh" | tail -1)"
bin="$(bash "$HACK_DIR/images/gobuild.sh" prometheus github.com/prometheus/prometheus/cmd/prometheus \
  "$PROMETHEUS_GO_VERSION" remove_all_sd,enable_kubernetes_sd | tail -1)"
version="$PROMETHEUS_GO_VERSION"
key="$(hash_of "$0" "$HACK_DIR/images/prometheus/Dockerfile" <(echo "$base $PROMETHEUS_GO_VERSION"))"
image="$IMAGE_PREFIX/prometheus:$version-$key"
fill() {
  cp "$HACK_DIR/images/prometheus/Dockerfile" "$1/"
  cp "$bin" "$1/prometheus"
}
build_image_once "$image" prometheus "$base" fill
tag_current "$image" "$IMAGE_PREFIX/prometheus" "$version"
echo "$image"
