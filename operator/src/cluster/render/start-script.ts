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
//   KAFKA_RACK                  optional; becomes broker.rack as it is
//   KRAFTWERK_RACK_KEY          brokers with spec.rack: the node label naming the rack. Without
//                               KAFKA_RACK the script waits until the rack is known: the pod's
//                               label of that key (Kubernetes >= 1.35 copies zone/region onto pods),
//                               else the kraftwerk.dev/rack annotation the operator stamps from the
//                               node; both read from the downward API files in KRAFTWERK_POD_INFO_DIR
//                               (default /etc/kraftwerk-pod: labels, annotations)
//   KRAFTWERK_RACK_POLL_SECONDS how often to look again while waiting (default 2)
//   KRAFTWERK_METRICS_AGENT     optional; the JMX exporter's -javaagent option, added to the
//                               server's KAFKA_OPTS only (tools run in the pod would start a second
//                               agent on the same port) and only if the image has that jar
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

# A downward API file holds one key="value" line per entry; prints the value of key $2.
downward_value() {
  local line
  [ -f "$1" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
      # Values are quoted ("..."): drop the first and last character.
      "$2="*) line="\${line#"$2="}"; printf '%s' "\${line:1:\${#line}-2}"; return 0 ;;
    esac
  done <"$1"
}

rack="\${KAFKA_RACK:-}"
rack_key="\${KRAFTWERK_RACK_KEY:-}"
if [ -z "$rack" ] && [ -n "$rack_key" ] && [ "$role" != controller ]; then
  info_dir="\${KRAFTWERK_POD_INFO_DIR:-/etc/kraftwerk-pod}"
  poll="\${KRAFTWERK_RACK_POLL_SECONDS:-2}"
  # Node labels are not in the downward API: kraftwerk stamps the node's label on the pod once it
  # is scheduled. Starting without it would register the broker without a rack for good.
  waited=0
  while :; do
    rack="$(downward_value "$info_dir/labels" "$rack_key")"
    [ -n "$rack" ] || rack="$(downward_value "$info_dir/annotations" kraftwerk.dev/rack)"
    [ -z "$rack" ] || break
    if [ $((waited % 60)) -eq 0 ]; then
      echo "kraftwerk: waiting for this pod's rack (label $rack_key of its node, stamped by the operator as annotation kraftwerk.dev/rack; see the KafkaCluster's RackKnown condition)" >&2
    fi
    sleep "$poll"
    waited=$((waited + poll))
  done
  echo "kraftwerk: broker.rack=$rack"
fi

mkdir -p "$work_dir"
props="$work_dir/server.properties"
{
  cat "$config_dir/$role.properties"
  echo "node.id=$node_id"
  echo "advertised.listeners=$advertised"
  if [ -n "$rack" ] && [ "$role" != controller ]; then echo "broker.rack=$rack"; fi
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

metrics_agent="\${KRAFTWERK_METRICS_AGENT:-}"
if [ -n "$metrics_agent" ]; then
  agent_jar="\${metrics_agent#-javaagent:}"
  agent_jar="\${agent_jar%%=*}"
  if [ -f "$agent_jar" ]; then
    export KAFKA_OPTS="\${KAFKA_OPTS:+$KAFKA_OPTS }$metrics_agent"
  else
    # An image without the agent (the official apache/kafka) still runs Kafka, without metrics.
    echo "kraftwerk: no JMX exporter agent at $agent_jar in this image: Kafka runs without metrics (docs/metrics.md)" >&2
  fi
fi

exec "$KAFKA_HOME/bin/kafka-server-start.sh" "$props"
`;
