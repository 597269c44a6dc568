#!/usr/bin/env bash
# kraftwerk's lag autoscaling vs real KEDA, side by side on the demo's kind cluster
# (bench/consumergroup/README.md, "Against real KEDA"). One command:
#   bash bench/consumergroup/real/run.sh [--traces step,burst] [--seconds 1800]
# Brings up what `npm run demo` does (kind, operator, the demo KafkaCluster), installs KEDA
# built from its Go module (hack/keda/install.sh), builds and loads the consumer image, then
# runs side-by-side.ts: every trace at once, ~35 minutes with the default 30-minute traces.
. "$(dirname "$0")/../../../hack/demo/lib.sh"
demo_tools
log "demo (kind cluster, operator, demo KafkaCluster)"
bash "$REPO_ROOT/hack/demo/up.sh" >/tmp/kraftwerk-bench-demo-up.log 2>&1 ||
  { tail -30 /tmp/kraftwerk-bench-demo-up.log >&2; die "demo failed (log: /tmp/kraftwerk-bench-demo-up.log)"; }
bash "$REPO_ROOT/hack/keda/install.sh"
image="$(bash "$REPO_ROOT/bench/consumergroup/real/image.sh" | tail -1)"
missing_on_nodes "$image" && kind_load "$image"
PATH="$(ls -d "$KRAFTWERK_CACHE"/node/*/bin | head -1):$PATH"
BENCH_CONSUMER_IMAGE="$image" \
  BENCH_BOOTSTRAP_IN_CLUSTER="demo-kafka-bootstrap.$DEMO_NAMESPACE.svc:9092" \
  BENCH_BOOTSTRAP_HOST=localhost:30092 \
  KEDA_VERSION="$KEDA_VERSION" \
  node "$REPO_ROOT/bench/consumergroup/real/side-by-side.ts" "$@"
