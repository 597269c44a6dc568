#!/usr/bin/env bash
# `npm run demo:down`: deletes the kind cluster, and with it everything the demo made. The
# images and caches stay, so the next `npm run demo` is warm. DEMO_KEEP_CLUSTER=1 removes
# only the demo (examples, operator, CRDs) and keeps the cluster.
. "$(dirname "$0")/lib.sh"
demo_tools
remove_examples() {
  # Topics and groups first, while Kafka still runs: their finalizers wait for Kafka's answer
  # (deleting the namespace at once took 140 s, the topics waiting for the cluster to go).
  if kubectl get namespace "$DEMO_NAMESPACE" >/dev/null 2>&1; then
    kubectl -n "$DEMO_NAMESPACE" delete kafkatopic,kafkaconsumergroup --all --ignore-not-found --timeout=120s
    kubectl -n "$DEMO_NAMESPACE" delete kafkacluster --all --ignore-not-found --timeout=180s
  fi
  kubectl delete namespace "$DEMO_NAMESPACE" --ignore-not-found --wait=true
}
if [[ "${DEMO_KEEP_CLUSTER:-}" == 1 ]]; then
  step "delete examples" remove_examples
  step "uninstall operator" helm uninstall kraftwerk --namespace "$OPERATOR_NAMESPACE" --ignore-not-found
  step "delete CRDs" kubectl delete -f "$REPO_ROOT/charts/kraftwerk/crds/" --ignore-not-found
else
  step "delete kind cluster $KIND_CLUSTER" bash "$HACK_DIR/kind/down.sh"
fi
