// The broker readiness probe: one Kafka ApiVersions request to the node's own REPLICATION
// listener (on a secured cluster: the loopback PROBE listener, since REPLICATION demands a
// client certificate), answered well-formed and without error. A TCP check passes as soon as the port is
// bound, which Kafka does before it has caught up with the metadata log: the acceptor queues
// connections but reads no request until startup is done. Only then does a broker answer.
//
// Plain bash (/dev/tcp) and the coreutils/busybox tools every apache/kafka image has: a probe
// that started a JVM (kafka-broker-api-versions.sh) would cost seconds of CPU every period.
import type { V1Probe } from '@kubernetes/client-node';

/**
 * Arguments: $1 the port, $2 the host (default 127.0.0.1). Exit 0 only for a well-formed
 * ApiVersions v0 response with error_code 0; the reason otherwise goes to the probe's output,
 * which the kubelet puts into the Unhealthy event.
 */
export const READINESS_SCRIPT = `# kraftwerk readiness: ask this Kafka node for its API versions.
port="\${1:?port}"
host="\${2:-127.0.0.1}"
exec 3<>"/dev/tcp/$host/$port" || { echo "cannot connect to $host:$port"; exit 1; }
# ApiVersions v0: size 25 | api_key 18 | api_version 0 | correlation_id "KRFT" | client_id
printf '\\x00\\x00\\x00\\x19\\x00\\x12\\x00\\x00KRFT\\x00\\x0fkraftwerk-ready' >&3
# Reply: size (4) | correlation_id (4) | error_code (2) | api_keys count (4) | 6 bytes per key
set -- $(timeout 3 head -c 14 <&3 | od -An -v -tu1)
exec 3<&-
[ "$#" -eq 14 ] || { echo "no complete ApiVersions reply from $host:$port ($# bytes)"; exit 1; }
size=$(( ($1 << 24) + ($2 << 16) + ($3 << 8) + $4 ))
[ "$5 $6 $7 $8" = "75 82 70 84" ] || { echo "not an ApiVersions reply (correlation id)"; exit 1; }
error=$(( ($9 << 8) + \${10} ))
[ "$error" -eq 0 ] || { echo "ApiVersions error code $error"; exit 1; }
count=$(( (\${11} << 24) + (\${12} << 16) + (\${13} << 8) + \${14} ))
[ "$count" -gt 0 ] && [ "$size" -eq $(( 10 + 6 * count )) ] || {
  echo "malformed ApiVersions reply (size $size, $count keys)"; exit 1; }
`;

/** The exec readiness probe for a broker or combined node, on its REPLICATION or PROBE port. */
export function kafkaReadinessProbe(
  port: number,
  timing: { periodSeconds: number; failureThreshold: number },
): V1Probe {
  return {
    exec: { command: ['bash', '-c', READINESS_SCRIPT, 'kraftwerk-ready', String(port)] },
    timeoutSeconds: 5,
    ...timing,
  };
}
