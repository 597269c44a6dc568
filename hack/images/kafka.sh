#!/usr/bin/env bash
# Builds our Kafka image ($IMAGE_PREFIX/kafka:<version>) with the official apache/kafka
# layout from the cached Kafka tree (hack/toolchain/kafka.sh), plus the Prometheus JMX exporter
# agent (hack/toolchain/jmx-exporter.sh) at /opt/jmx-exporter/jmx_prometheus_javaagent.jar,
# where the operator's rendered KAFKA_OPTS expects it. Prints the image reference.
# usage: kafka.sh [version]   (default: KAFKA_DEFAULT_VERSION)
. "$(dirname "$0")/lib.sh"
ensure_docker
version="${1:-$KAFKA_DEFAULT_VERSION}"
base="$(bash "$HACK_DIR/images/base.sh")"
bash "$HACK_DIR/toolchain/kafka.sh" "$version" >/dev/null
tree="$KRAFTWERK_CACHE/kafka/$version"
[[ -x "$tree/bin/kafka-server-start.sh" ]] || die "no Kafka $version tree at $tree (hack/toolchain/kafka.sh)"
agent="$(bash "$HACK_DIR/toolchain/jmx-exporter.sh")"

# The agent's bytes are in the key, so a new JMX_EXPORTER_VERSION builds a new image.
key="$(hash_of "$0" "$HACK_DIR/images/kafka/Dockerfile" "$agent" <(echo "$base"; cd "$tree" && find . -type f | sort))"
image="$IMAGE_PREFIX/kafka:$version-$key"
fill() {
  cp "$HACK_DIR/images/kafka/Dockerfile" "$1/"
  cp -r "$tree" "$1/kafka"; rm -f "$1/kafka/.complete"
  cp "$agent" "$1/jmx_prometheus_javaagent.jar"
}
build_image_once "$image" kafka "$base" fill
tag_current "$image" "$IMAGE_PREFIX/kafka" "$version"
echo "$image"
