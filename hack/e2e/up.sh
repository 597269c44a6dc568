#!/usr/bin/env bash
# The e2e suite's infrastructure (test/e2e/global-setup.ts runs it): the same kind cluster,
# images, CRDs and operator (Helm chart) as `npm run demo`, without the demo's examples. The
# suite brings up its own KafkaCluster in namespace kraftwerk-e2e on the same host NodePorts
# (30092-30095) the demo uses, so a running demo is removed first.
#   bash hack/e2e/up.sh KAFKA_VERSION [OTHER_KAFKA_VERSION...]
# Other versions (the upgrade scenario starts from one) are built and loaded the same way,
# under apache/kafka:<version> too.
kafka_version="${1:?usage: hack/e2e/up.sh KAFKA_VERSION [OTHER_KAFKA_VERSION...]}"
other_versions=("${@:2}")
. "$(dirname "$0")/../demo/lib.sh"

demo_tools
step "kind cluster" cluster_up
if kubectl get namespace "$DEMO_NAMESPACE" >/dev/null 2>&1; then
  log "the demo in namespace $DEMO_NAMESPACE holds the NodePorts the e2e suite needs: removing it"
  step "remove the demo" remove_examples
fi
step "images (Kafka $kafka_version ${other_versions[*]}, operator)" images
step "load images into kind" load_images
step "CRDs and operator (Helm)" install_operator
size_of() { docker image inspect -f '{{.Size}}' "$1" | awk '{ printf "%.0f MB", $1 / 1e6 }'; }
for image in "$kafka_image" "$operator_image"; do log "image size: $image $(size_of "$image")"; done
# By id: the tag the node was created from may since have moved to a rebuilt node image.
node="$KIND_CLUSTER-control-plane"
log "image size: $(docker inspect -f '{{.Config.Image}}' "$node") $(size_of "$(docker inspect -f '{{.Image}}' "$node")")"
echo "$KUBECONFIG"
