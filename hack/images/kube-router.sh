#!/usr/bin/env bash
# Builds the kube-router image ($IMAGE_PREFIX/kube-router:<version>) on our Debian base from
# the binary gobuild.sh makes of its Go module (~3 min the first time, cached afterwards).
# preload.sh ships it in the node image. Prints the content-keyed image reference.
. "$(dirname "$0")/lib.sh"
ensure_docker
base="$(bash "$HACK_DIR/images/base.sh" | tail -1)"
bin="$(bash "$HACK_DIR/images/gobuild.sh" kube-router github.com/cloudnativelabs/kube-router/v2/cmd/kube-router "$KUBE_ROUTER_VERSION" | tail -1)"
key="$(hash_of "$0" "$HACK_DIR/images/kube-router/Dockerfile" <(echo "$base $KUBE_ROUTER_VERSION"))"
image="$IMAGE_PREFIX/kube-router:$KUBE_ROUTER_VERSION-$key"
fill() {
  cp "$HACK_DIR/images/kube-router/Dockerfile" "$1/"
  cp "$bin" "$1/kube-router"
}
build_image_once "$image" kube-router "$base" fill
tag_current "$image" "$IMAGE_PREFIX/kube-router" "$KUBE_ROUTER_VERSION"
echo "$image"
