#!/usr/bin/env bash
# Builds the side-by-side bench's consumer image ($IMAGE_PREFIX/bench-consumer:<key>): Node,
# kafkajs (the clone's dev dependency, pure JavaScript) and consumer.ts. Prints the image.
. "$(dirname "$0")/../../../hack/images/lib.sh"
ensure_docker
here="$REPO_ROOT/bench/consumergroup/real"
base="$(bash "$HACK_DIR/images/base.sh" | tail -1)"
node_bin="$(bash "$HACK_DIR/toolchain/node.sh" | tail -1)"
kafkajs="$REPO_ROOT/node_modules/kafkajs"
[[ -f "$kafkajs/package.json" ]] || die "node_modules/kafkajs missing: run npm ci (hack/toolchain/npm-deps.sh)"
key="$(hash_of "$0" "$here/Dockerfile" "$here/consumer.ts" "$kafkajs/package.json" <(echo "$base"; "$node_bin/node" --version))"
image="$IMAGE_PREFIX/bench-consumer:$key"
fill() {
  mkdir -p "$1/app/node_modules"
  cp "$here/Dockerfile" "$1/"
  cp "$(readlink -f "$node_bin/node")" "$1/node"
  cp "$here/consumer.ts" "$1/app/"
  echo '{"type":"module"}' >"$1/app/package.json"
  cp -r "$kafkajs" "$1/app/node_modules/"
}
build_image_once "$image" bench-consumer "$base" fill
echo "$image"
