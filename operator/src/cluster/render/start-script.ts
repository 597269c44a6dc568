// The bash script every Kafka pod runs (from the ConfigMap). Kept free of cluster-specific
// values: everything it needs arrives through environment variables and the files beside it,
// so one script serves every role and can be run outside a container in tests.
//
// Inputs (environment):
//   KAFKA_HOME                  Kafka installation (default /opt/kafka, the apache/kafka image)
//   KRAFTWERK_CONFIG_DIR        the mounted ConfigMap (default /etc/kraftwerk)
//   KRAFTWERK_WORK_DIR          where the node's own server.properties goes (default /tmp/kraftwerk)
//   KRAFTWERK_ROLE              controller | broker | combined
//   KRAFTWERK_NODE_ID_BASE      the role's first node id; node.id = base + pod ordinal
//   KRAFTWERK_CLUSTER_ID        the cluster id kept in the KafkaCluster status
//   KRAFTWERK_HEADLESS_SERVICE  the role's headless Service (the pod's DNS subdomain)
//   POD_NAME (or HOSTNAME), POD_NAMESPACE, HOST_IP (nodeport listeners without advertisedHost)
//   KAFKA_RACK                  optional; becomes broker.rack
// Files in KRAFTWERK_CONFIG_DIR: <role>.properties, <role>.listeners, initial-controllers.
export const START_SCRIPT = `#!/usr/bin/env bash
# kraftwerk: render this node's server.properties, format its storage once, exec Kafka.
set -euo pipefail

KAFKA_HOME="\${KAFKA_HOME:-/opt/kafka}"
config_dir="\${KRAFTWERK_CONFIG_DIR:-/etc/kraftwerk}"
work_dir="\${KRAFTWERK_WORK_DIR:-/tmp/kraftwerk}"
role="\${KRAFTWERK_ROLE:?KRAFTWERK_ROLE must be set}"
pod="\${POD_NAME:-\${HOSTNAME:?POD_NAME or HOSTNAME must be set}}"
namespace="\${POD_NAMESPACE:?POD_NAMESPACE must be set}"
service="\${KRAFTWERK_HEADLESS_SERVICE:?KRAFTWERK_HEADLESS_SERVICE must be set}"
cluster_id="\${KRAFTWERK_CLUSTER_ID:?KRAFTWERK_CLUSTER_ID must be set}"

# StatefulSet pods are named <statefulset>-<ordinal>.
ordinal="\${pod##*-}"
case "$ordinal" in
  '' | *[!0-9]*) echo "kraftwerk: no ordinal at the end of pod name '$pod'" >&2; exit 1 ;;
esac
ordinal=$((10#$ordinal))
node_id=$((\${KRAFTWERK_NODE_ID_BASE:-0} + ordinal))
pod_dns="$pod.$service.$namespace.svc"

advertised=""
while read -r name kind port base host; do
  [ -n "\${name:-}" ] || continue
  case "$kind" in
    pod) endpoint="$pod_dns:$port" ;;
    nodeport)
      if [ "\${host:--}" = "-" ]; then host="\${HOST_IP:?HOST_IP is needed to advertise listener $name}"; fi
      endpoint="$host:$((base + ordinal))"
      ;;
    *) echo "kraftwerk: unknown listener kind '$kind'" >&2; exit 1 ;;
  esac
  advertised="\${advertised:+$advertised,}$name://$endpoint"
done <"$config_dir/$role.listeners"

mkdir -p "$work_dir"
props="$work_dir/server.properties"
{
  cat "$config_dir/$role.properties"
  echo "node.id=$node_id"
  echo "advertised.listeners=$advertised"
  if [ -n "\${KAFKA_RACK:-}" ] && [ "$role" != controller ]; then echo "broker.rack=$KAFKA_RACK"; fi
} >"$props"

log_dir="$(sed -n 's/^log.dirs=//p' "$props" | head -n 1 | cut -d, -f1)"
if [ -f "$log_dir/meta.properties" ]; then
  echo "kraftwerk: $log_dir is already formatted; node $node_id keeps its storage"
else
  format_args=(format --config "$props" --cluster-id "$cluster_id")
  if [ "$role" != broker ]; then
    # Initial controllers form the quorum together; any later one joins as an observer and is
    # promoted to voter by the operator (kafka-metadata-quorum add-controller).
    initial=""
    if [ -f "$config_dir/initial-controllers" ]; then
      initial="$(tr -d '[:space:]' <"$config_dir/initial-controllers")"
    fi
    case ",$initial" in
      *",$node_id@"*) format_args+=(--initial-controllers "$initial") ;;
      *) format_args+=(--no-initial-controllers) ;;
    esac
  fi
  echo "kraftwerk: formatting $log_dir for node $node_id"
  "$KAFKA_HOME/bin/kafka-storage.sh" "\${format_args[@]}"
fi

exec "$KAFKA_HOME/bin/kafka-server-start.sh" "$props"
`;
