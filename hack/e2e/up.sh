#!/usr/bin/env bash
# The e2e suite's infrastructure (test/e2e/global-setup.ts runs it): the same kind cluster,
# images, CRDs and operator (Helm chart) as `npm run demo`, without the demo's examples. The
# suite brings up its own KafkaCluster in namespace kraftwerk-e2e on the same host NodePorts
# (30092-30095) the demo uses, so a running demo is removed first.
#   bash hack/e2e/up.sh KAFKA_VERSION [OTHER_KAFKA_VERSION...]
# Other versions (the upgrade scenario starts from one) are built and loaded the same way,
# under apache/kafka:<version> too.
. "$(dirname "$0")/../demo/lib.sh"
kafka_version="${1:?usage: hack/e2e/up.sh KAFKA_VERSION [OTHER_KAFKA_VERSION...]}"
other_versions=("${@:2}")

other_kafka_images() {
  local v image
  for v in "${other_versions[@]}"; do
    image="$(bash "$HACK_DIR/images/kafka.sh" "$v" | tail -1)"
    docker tag "$image" "apache/kafka:$v"
    node_images="$(docker exec "$KIND_CLUSTER-control-plane" ctr -n k8s.io images ls 2>/dev/null | tail -n +2)"
    if on_node "$image" "apache/kafka:$v"; then
      log "  $image already on the node"
    else
      kind load docker-image --name "$KIND_CLUSTER" "$image" "apache/kafka:$v" 2>&1 | grep -v 'not yet present' >&2 || true
    fi
  done
}

demo_tools
step "kind cluster" cluster_up
if kubectl get namespace "$DEMO_NAMESPACE" >/dev/null 2>&1; then
  log "the demo in namespace $DEMO_NAMESPACE holds the NodePorts the e2e suite needs: removing it"
  step "remove the demo" remove_examples
fi
step "images (Kafka $kafka_version, operator)" images
step "load images into kind" load_images
((${#other_versions[@]} == 0)) || step "Kafka ${other_versions[*]} images" other_kafka_images
step "CRDs and operator (Helm)" install_operator
node_image="$(docker inspect -f '{{.Config.Image}}' "$KIND_CLUSTER-control-plane")"
for image in "$kafka_image" "$operator_image" "$node_image"; do
  log "image size: $image $(docker image inspect -f '{{.Size}}' "$image" | awk '{ printf "%.0f MB", $1 / 1e6 }')"
done
echo "$KUBECONFIG"
