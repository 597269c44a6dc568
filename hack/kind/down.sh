#!/usr/bin/env bash
# Deletes the kraftwerk kind cluster (the images and caches stay).
. "$(dirname "$0")/lib.sh"
kind_bin="$(bash "$HACK_DIR/kind/kind.sh" | tail -1)"
config="${KIND_CONFIG:-$REPO_ROOT/kind-config.yaml}"
cluster="$(sed -n 's/^name: *//p' "$config")"
PATH="$HACK_DIR/kind/bin:$kind_bin:$PATH" kind delete cluster --name "$cluster" \
  --kubeconfig "${KIND_KUBECONFIG:-$KRAFTWERK_CACHE/kind/$cluster.kubeconfig}"
