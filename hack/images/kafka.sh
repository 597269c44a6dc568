#!/usr/bin/env bash
# Builds our Kafka image ($IMAGE_PREFIX/kafka:<version>) with the official apache/kafka
# layout from the cached Kafka tree (hack/toolchain/kafka.sh). Prints the image reference.
# usage: kafka.sh [version]   (default: KAFKA_DEFAULT_VERSION)
. "$(dirname "$0")/lib.sh"
ensure_docker
version="${1:-$KAFKA_DEFAULT_VERSION}"
base="$(bash "$HACK_DIR/images/base.sh")"
bash "$HACK_DIR/toolchain/kafka.sh" "$version" >/dev/null
tree="$KRAFTWERK_CACHE/kafka/$version"
[[ -x "$tree/bin/kafka-server-start.sh" ]] || die "no Kafka $version tree at $tree (hack/toolchain/kafka.sh)"

key="$(hash_of "$0" "$HACK_DIR/images/kafka/Dockerfile" <(echo "$base"; cd "$tree" && find . -type f | sort))"
image="$IMAGE_PREFIX/kafka:$version-$key"
if ! image_exists "$image"; then
  ctx="$IMAGES_CACHE/kafka-build.$$"
  rm -rf "$ctx"; mkdir -p "$ctx"
  trap 'rm -rf "$ctx" "$ctx.build.log"' EXIT
  cp "$HACK_DIR/images/kafka/Dockerfile" "$ctx/"
  cp -r "$tree" "$ctx/kafka"; rm -f "$ctx/kafka/.complete"
  log "building $image"
  start=$SECONDS
  docker build --build-arg "BASE=$base" -t "$image" "$ctx" >"$ctx.build.log" 2>&1 ||
    { tail -30 "$ctx.build.log" >&2; die "kafka image build failed"; }
  log "built $image in $((SECONDS - start))s ($(docker image inspect -f '{{.Size}}' "$image" | numfmt --to=iec))"
fi
docker tag "$image" "$IMAGE_PREFIX/kafka:$version"
# Drop older builds of this version (one still used by a container is kept).
docker images --format '{{.Repository}}:{{.Tag}}' "$IMAGE_PREFIX/kafka" |
  grep "^$IMAGE_PREFIX/kafka:$version-" | grep -vx "$image" | xargs -r docker rmi >/dev/null 2>&1 || true
echo "$image"
