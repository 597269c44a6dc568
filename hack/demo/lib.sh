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
  k8s_bin="$(bash "$HACK_DIR/toolchain/kubernetes.sh" kubectl | tail -1)"
  kind_bin="$(bash "$HACK_DIR/kind/kind.sh" | tail -1)"
  helm_bin="$(bash "$HACK_DIR/toolchain/helm.sh" | tail -1)"
  # kind runs `docker` itself: our wrapper (hack/kind/bin/docker) comes first, as in up.sh.
  export PATH="$HACK_DIR/kind/bin:$kind_bin:$k8s_bin:$helm_bin:$PATH"
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
