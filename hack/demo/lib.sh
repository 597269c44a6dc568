# Shared by hack/demo/up.sh and down.sh (sourced): tools on PATH, the kind kubeconfig, and
# the demo's names.
# shellcheck source=../images/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../images/lib.sh"
DEMO_NAMESPACE="${DEMO_NAMESPACE:-kraftwerk-demo}"
OPERATOR_NAMESPACE=kraftwerk-system
KIND_CLUSTER="$(sed -n 's/^name: *//p' "${KIND_CONFIG:-$REPO_ROOT/kind-config.yaml}")"
export KUBECONFIG="${KIND_KUBECONFIG:-$KRAFTWERK_CACHE/kind/$KIND_CLUSTER.kubeconfig}"

demo_tools() {
  local k8s_bin kind_bin helm_bin
  # kcat: the demo's closing hints produce from the host with it.
  bash "$HACK_DIR/toolchain/apt.sh"
  k8s_bin="$(bash "$HACK_DIR/toolchain/kubernetes.sh" kubectl | tail -1)"
  kind_bin="$(bash "$HACK_DIR/kind/kind.sh" | tail -1)"
  helm_bin="$(bash "$HACK_DIR/toolchain/helm.sh" | tail -1)"
  # kind runs `docker` itself: our wrapper (hack/kind/bin/docker) comes first, as in up.sh.
  export PATH="$HACK_DIR/kind/bin:$kind_bin:$k8s_bin:$helm_bin:$PATH"
  DEMO_TOOLS_PATH="$k8s_bin:$helm_bin"
}

# step "what" CMD... : runs one step, printing what it does and how long it took.
DEMO_START=$SECONDS
step() {
  local what="$1" start=$SECONDS
  shift
  log "▶ $what"
  "$@"
  log "✔ $what ($((SECONDS - start))s, total $((SECONDS - DEMO_START))s)"
}

# The steps the demo and the e2e suite share: the kind cluster, our images in it, the CRDs and
# the operator installed with the Helm chart.
cluster_up() { bash "$HACK_DIR/kind/up.sh" >/dev/null; }

# images: our Kafka image for $kafka_version and for each of $other_versions (the e2e upgrade
# scenario starts from one), and the operator image.
other_versions=("${other_versions[@]}")
declare -A kafka_images=()
images() { # needs $kafka_version
  local v
  for v in "$kafka_version" "${other_versions[@]}"; do
    kafka_images[$v]="$(bash "$HACK_DIR/images/kafka.sh" "$v" | tail -1)"
    # The examples (and the operator's default spec.image) name apache/kafka:<version>. Our
    # image has that image's layout, so it is loaded under that name too: the examples stay
    # what a user would apply anywhere, and no node ever tries to pull.
    docker tag "${kafka_images[$v]}" "apache/kafka:$v"
  done
  kafka_image="${kafka_images[$kafka_version]}"
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
node_images="" # "ref digest" lines of one node (load_images reads each node in turn)
node_digest() { awk -v r="$(full_ref "$1")" '$1 == r { print $3 }' <<<"$node_images"; }
on_node() { # on_node REF ALIAS... : all present with one digest
  local want
  want="$(node_digest "$1")"
  [[ -n "$want" ]] || return 1
  for ref in "${@:2}"; do [[ "$(node_digest "$ref")" == "$want" ]] || return 1; done
}
missing_on_nodes() { # missing_on_nodes REF ALIAS... : absent (or another digest) on some node
  local node
  for node in $(docker ps --filter "label=io.x-k8s.kind.cluster=$KIND_CLUSTER" --format '{{.Names}}'); do
    node_images="$(docker exec "$node" ctr -n k8s.io images ls 2>/dev/null | tail -n +2)"
    on_node "$@" || return 0
  done
  return 1
}
kind_load() { # kind_load REF... : onto every node of the cluster
  kind load docker-image --name "$KIND_CLUSTER" "$@" 2>&1 | grep -v 'not yet present' >&2 || true
}
load_images() {
  # Every node of the cluster must hold them: pods run on the workers, any of them.
  local todo=() v
  for v in "${!kafka_images[@]}"; do
    missing_on_nodes "${kafka_images[$v]}" "apache/kafka:$v" && todo+=("${kafka_images[$v]}" "apache/kafka:$v")
  done
  missing_on_nodes "$operator_image" && todo+=("$operator_image")
  if ((${#todo[@]})); then
    kind_load "${todo[@]}"
  else
    log "  images already on every node"
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

remove_examples() { # the demo namespace and all in it; the cluster stays
  # Topics and groups first, while Kafka still runs: their finalizers wait for Kafka's answer
  # (deleting the namespace at once took 140 s, the topics waiting for the cluster to go).
  # Every wait is bounded: a resource whose Kafka is gone for good stays Terminating until
  # someone sets kraftwerk.dev/abandon=true on it (docs/operations.md), so it is named and the
  # teardown goes on rather than failing the run.
  if kubectl get namespace "$DEMO_NAMESPACE" >/dev/null 2>&1; then
    kubectl -n "$DEMO_NAMESPACE" delete kafkatopic,kafkaconsumergroup --all --ignore-not-found --wait=false
    wait_deleted kafkatopic,kafkaconsumergroup 120
    kubectl -n "$DEMO_NAMESPACE" delete kafkacluster --all --ignore-not-found --wait=false
    wait_deleted kafkacluster 180
  fi
  kubectl delete namespace "$DEMO_NAMESPACE" --ignore-not-found --wait=false
  local deadline=$((SECONDS + 120))
  while kubectl get namespace "$DEMO_NAMESPACE" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      log "namespace $DEMO_NAMESPACE is still Terminating; left to finish on its own"
      report_terminating kafkatopic,kafkaconsumergroup,kafkacluster
      return 0
    fi
    sleep 2
  done
}

# wait_deleted KINDS SECONDS: waits until no KINDS are left in the demo namespace; past the
# time, names the ones still there (with their Ready message) and returns 0 all the same.
wait_deleted() {
  local kinds="$1" deadline=$((SECONDS + $2))
  while [[ -n "$(kubectl -n "$DEMO_NAMESPACE" get "$kinds" -o name 2>/dev/null)" ]]; do
    if ((SECONDS >= deadline)); then
      log "still Terminating after $2 s (teardown goes on):"
      report_terminating "$kinds"
      return 0
    fi
    sleep 2
  done
}

report_terminating() {
  kubectl -n "$DEMO_NAMESPACE" get "$1" -o jsonpath='{range .items[*]}  {.kind}/{.metadata.name}: {.status.conditions[?(@.type=="Ready")].reason}: {.status.conditions[?(@.type=="Ready")].message}{"\n"}{end}' >&2 2>/dev/null || true
  log "to let one go without cleaning up in Kafka: kubectl -n $DEMO_NAMESPACE annotate KIND/NAME kraftwerk.dev/abandon=true"
}
