#!/usr/bin/env bash
# `npm run demo:down`: deletes the kind cluster, and with it everything the demo made. The
# images and caches stay, so the next `npm run demo` is warm. DEMO_KEEP_CLUSTER=1 removes
# only the demo (examples, operator, CRDs) and keeps the cluster.
. "$(dirname "$0")/lib.sh"
demo_tools
if [[ "${DEMO_KEEP_CLUSTER:-}" == 1 ]]; then
  step "delete examples" remove_examples
  step "uninstall operator" helm uninstall kraftwerk --namespace "$OPERATOR_NAMESPACE" --ignore-not-found
  step "delete CRDs" kubectl delete -f "$REPO_ROOT/charts/kraftwerk/crds/" --ignore-not-found
else
  step "delete kind cluster $KIND_CLUSTER" bash "$HACK_DIR/kind/down.sh"
fi
