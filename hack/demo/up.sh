#!/usr/bin/env bash
# `npm run demo`: the kind cluster (created or reused), our Kafka and operator images loaded
# into it, the CRDs and the operator installed with the Helm chart, examples/ applied in the
# namespace kraftwerk-demo, and a wait until the KafkaCluster, its topics and the consumer
# group are Ready. Prints how to reach Kafka. Every step prints its elapsed time.
. "$(dirname "$0")/lib.sh"

kafka_version="$(sed -n "s/^  version: *['\"]\?\([^'\"]*\)['\"]\?$/\1/p" "$REPO_ROOT/examples/kafka-cluster-demo.yaml")"
[[ -n "$kafka_version" ]] || die "no spec.version in examples/kafka-cluster-demo.yaml"

cluster_up() { bash "$HACK_DIR/kind/up.sh" >/dev/null; }

images() {
  kafka_image="$(bash "$HACK_DIR/images/kafka.sh" "$kafka_version" | tail -1)"
  # The examples (and the operator's default spec.image) name apache/kafka:<version>. Our
  # image has that image's layout, so it is loaded under that name too: the examples stay
  # what a user would apply anywhere, and no node ever tries to pull.
  docker tag "$kafka_image" "apache/kafka:$kafka_version"
  operator_image="$(bash "$HACK_DIR/images/operator.sh" | tail -1)"
}

# kind has no crictl on our node image, so `kind load` always copies (13-19 s for Kafka).
# Skip it when the node already has the image under the content-keyed tag and every alias
# points at the same content (kafka-smoke.sh, for one, loads only the keyed tag).
full_ref() { # containerd's name for a Docker reference
  case "$1" in
    */*) [[ "${1%%/*}" == *[.:]* || "${1%%/*}" == localhost ]] && echo "$1" || echo "docker.io/$1" ;;
    *) echo "docker.io/library/$1" ;;
  esac
}
node_images="" # "ref digest" lines, read once per run
node_digest() { awk -v r="$(full_ref "$1")" '$1 == r { print $3 }' <<<"$node_images"; }
on_node() { # on_node REF ALIAS... : all present with one digest
  local want
  want="$(node_digest "$1")"
  [[ -n "$want" ]] || return 1
  for ref in "${@:2}"; do [[ "$(node_digest "$ref")" == "$want" ]] || return 1; done
}
load_images() {
  node_images="$(docker exec "$KIND_CLUSTER-control-plane" ctr -n k8s.io images ls 2>/dev/null | tail -n +2)"
  local todo=()
  on_node "$kafka_image" "apache/kafka:$kafka_version" || todo+=("$kafka_image" "apache/kafka:$kafka_version")
  on_node "$operator_image" || todo+=("$operator_image")
  if ((${#todo[@]})); then
    kind load docker-image --name "$KIND_CLUSTER" "${todo[@]}" 2>&1 | grep -v 'not yet present' >&2 || true
  else
    log "  images already on the node"
  fi
}

install_operator() {
  # Helm installs crds/ only on first install and never upgrades them (docs/install.md).
  kubectl apply --server-side --force-conflicts -f "$REPO_ROOT/charts/kraftwerk/crds/" >/dev/null
  # The content-keyed tag: a rebuilt image changes the pod template and rolls the operator.
  helm upgrade --install kraftwerk "$REPO_ROOT/charts/kraftwerk" --namespace "$OPERATOR_NAMESPACE" \
    --create-namespace --set "image.tag=${operator_image#*:}" >/dev/null
  kubectl -n "$OPERATOR_NAMESPACE" rollout status deployment/kraftwerk --timeout=180s >/dev/null
}

apply_examples() {
  kubectl create namespace "$DEMO_NAMESPACE" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  # Everything the operator creates there must meet the restricted Pod Security Standard.
  kubectl label --overwrite namespace "$DEMO_NAMESPACE" pod-security.kubernetes.io/enforce=restricted >/dev/null
  # examples/ holds only kraftwerk resources (a test applies each of them); the consumer they
  # scale is a plain Deployment beside them.
  kubectl -n "$DEMO_NAMESPACE" apply -f "$REPO_ROOT/examples/" -f "$REPO_ROOT/examples/workloads/" >/dev/null
}

wait_ready() { # wait_ready TIMEOUT RESOURCE...
  local timeout="$1"
  shift
  kubectl -n "$DEMO_NAMESPACE" wait --for=condition=Ready "$@" --timeout="$timeout" >/dev/null && return 0
  kubectl -n "$DEMO_NAMESPACE" get kafkacluster,kafkatopic,kafkaconsumergroup,pods >&2 || true
  kubectl -n "$DEMO_NAMESPACE" get "$@" -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{range .status.conditions[*]}  {.type}={.status} {.reason}: {.message}{"\n"}{end}{end}' >&2 || true
  die "$* not Ready after $timeout (operator logs: kubectl -n $OPERATOR_NAMESPACE logs deploy/kraftwerk)"
}
wait_cluster() { wait_ready 600s kafkacluster/demo; }
wait_rest() { wait_ready 180s kafkatopic --all && wait_ready 120s kafkaconsumergroup --all; }

demo_tools
step "kind cluster" cluster_up
step "images (Kafka $kafka_version, operator)" images
step "load images into kind" load_images
step "CRDs and operator (Helm)" install_operator
step "apply examples/ to namespace $DEMO_NAMESPACE" apply_examples
step "KafkaCluster demo Ready" wait_cluster
step "topics and consumer group Ready" wait_rest

ports="$(kubectl -n "$DEMO_NAMESPACE" get svc -l kraftwerk.dev/cluster=demo -o jsonpath='{range .items[*]}{.spec.ports[*].nodePort}{" "}{end}' | tr ' ' '\n' | grep . | sort -n | tr '\n' ' ')"
cat <<MSG

kraftwerk demo is up in $((SECONDS - DEMO_START))s.
  kubeconfig:         export KUBECONFIG=$KUBECONFIG
  in the cluster:     demo-kafka-bootstrap.$DEMO_NAMESPACE.svc:9092
  from this host:     localhost:30092 (NodePorts: ${ports:-none})
  produce (host):     seq 1 5000 | kcat -P -b localhost:30092 -t orders
  watch it scale:     kubectl -n $DEMO_NAMESPACE get kafkaconsumergroup,deploy/demo-consumer -w
  remove it:          npm run demo:down
MSG
