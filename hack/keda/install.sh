#!/usr/bin/env bash
# Installs real KEDA into the kind cluster (namespace keda) for bench/consumergroup's
# side-by-side run: our image of KEDA_VERSION (hack/images/keda.sh, built from its Go module)
# and KEDA's own manifests from that module (config/default: CRDs, RBAC, operator, metrics
# adapter with its APIService, admission webhooks), applied with kubectl's built-in kustomize.
# Our only changes: the image names, and IfNotPresent (the image is loaded into the nodes, no
# registry serves it). Waits until the three Deployments are available and the external
# metrics API answers. Idempotent.
#   bash hack/keda/install.sh            # `--delete` removes it again
. "$(dirname "$0")/../demo/lib.sh"
demo_tools
image="$(bash "$HACK_DIR/images/keda.sh" | tail -1)"
config="$KRAFTWERK_CACHE/gobin/keda/$KEDA_VERSION/config"
overlay="$(mktemp -d /tmp/kraftwerk-keda.XXXXXX)"
trap 'rm -rf "$overlay"' EXIT
cp -r "$config" "$overlay/config"
mkdir -p "$overlay/kraftwerk"
cat >"$overlay/kraftwerk/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [../config/default]
images:
  - { name: ghcr.io/kedacore/keda, newName: ${image%:*}, newTag: ${image##*:} }
  - { name: ghcr.io/kedacore/keda-metrics-apiserver, newName: ${image%:*}, newTag: ${image##*:} }
  - { name: ghcr.io/kedacore/keda-admission-webhooks, newName: ${image%:*}, newTag: ${image##*:} }
patches:
  - target: { kind: Deployment, namespace: keda }
    patch: |-
      - { op: replace, path: /spec/template/spec/containers/0/imagePullPolicy, value: IfNotPresent }
YAML
# Without the APIService first: see below.
mkdir -p "$overlay/backends"
cat >"$overlay/backends/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [../kraftwerk]
patches:
  - patch: |-
      \$patch: delete
      apiVersion: apiregistration.k8s.io/v1
      kind: APIService
      metadata: { name: v1beta1.external.metrics.k8s.io }
YAML
if [[ "${1:-}" == --delete ]]; then
  kubectl kustomize "$overlay/kraftwerk" | kubectl delete --ignore-not-found -f - >/dev/null
  log "KEDA removed"
  exit 0
fi
missing_on_nodes "$image" && kind_load "$image"
# Server-side: KEDA's CRDs are larger than client-side apply's last-applied annotation allows.
# The APIService goes in last, once its Service has ready endpoints: kube-apiserver probes it at
# once, and a probe sent to the Service's ClusterIP before kube-proxy has programmed it leaves
# the node unrouted (on this sandbox something outside answers 404), and conntrack then keeps
# that HTTP/2 connection, so the APIService stays FailedDiscoveryCheck for good (docs/kind.md).
kubectl kustomize "$overlay/backends" | kubectl apply --server-side --force-conflicts -f - >/dev/null
# keda-operator, keda-metrics-apiserver, keda-admission: whatever the manifests name.
for d in $(kubectl -n keda get deployments -o name); do
  kubectl -n keda rollout status "$d" --timeout=300s >/dev/null ||
    { kubectl -n keda describe pods >&2; die "KEDA deployment $d did not become available"; }
done
kubectl kustomize "$overlay/kraftwerk" | kubectl apply --server-side --force-conflicts -f - >/dev/null
# The HPA reads KEDA's metrics through the aggregated external metrics API.
deadline=$((SECONDS + 180))
until kubectl get --raw /apis/external.metrics.k8s.io/v1beta1 >/dev/null 2>&1; do
  ((SECONDS < deadline)) || { kubectl get apiservice v1beta1.external.metrics.k8s.io -o yaml >&2; die "external metrics API not served"; }
  sleep 2
done
log "KEDA $KEDA_VERSION running in namespace keda ($image)"
