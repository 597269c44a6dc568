#!/usr/bin/env bash
# kubeconform schemas for the Prometheus Operator's PrometheusRule, ServiceMonitor and
# PodMonitor, so the chart's monitoring objects and the PodMonitor in docs/alerts.md are
# validated like everything else. The CRDs ship inside the operator's Go module
# (example/prometheus-operator-crd/), fetched from the Go module proxy; nothing is built.
# Output: $KRAFTWERK_CACHE/prometheus-operator/<version>/schemas/*.json; prints that dir.
. "$(dirname "$0")/../lib/common.sh"
need go "Install Go (only its module download is used)."
need node "Run hack/toolchain/node.sh and put its bin dir first on PATH."
dest="$KRAFTWERK_CACHE/prometheus-operator/$PROMETHEUS_OPERATOR_VERSION"
write_schemas() {
  local dir crds
  # `go mod download` prints the module's directory in the module cache (read-only).
  dir="$(GOFLAGS=-mod=mod go mod download -json "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Dir))')"
  crds="$dir/example/prometheus-operator-crd"
  [[ -d "$crds" ]] || die "no $crds in the prometheus-operator module"
  node "$HACK_DIR/toolchain/kubeconform-schemas.ts" crds "$1/schemas" \
    "$crds/monitoring.coreos.com_prometheusrules.yaml" \
    "$crds/monitoring.coreos.com_servicemonitors.yaml" \
    "$crds/monitoring.coreos.com_podmonitors.yaml" >&2
}
build_once "$dest" write_schemas
echo "$dest/schemas"
