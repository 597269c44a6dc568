// The server.properties lines of a secured cluster (isSecured): TLS with client certificates on
// the operator-owned listeners, what each client listener demands, and the authorizer. The
// files they name are the role's node certificate Secret, mounted at TLS_MOUNT_DIR
// (render-statefulset.ts); the Secret's keys are NODE_CERT_FILES.
import type { ClusterSpec } from '../cluster-spec.ts';
import {
  CONTROLLER_LISTENER,
  PROBE_LISTENER,
  REPLICATION_LISTENER,
  kafkaListenerName,
} from '../model/node-layout.ts';
import type { RoleLayout } from '../model/node-layout.ts';
import {
  NODE_CERT_FILES,
  SSL_PRINCIPAL_MAPPING_RULES,
  TLS_MOUNT_DIR,
  isSecured,
  listenerSaslMechanism,
  listenerSecurityProtocol,
  superUsers,
  type SecurityProtocol,
} from '../model/security.ts';

export const STANDARD_AUTHORIZER = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer';
const SCRAM_LOGIN_MODULE = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';

/** Where the mounted node certificate Secret's files are. */
export const tlsFile = (key: keyof typeof NODE_CERT_FILES): string =>
  `${TLS_MOUNT_DIR}/${NODE_CERT_FILES[key]}`;

/**
 * The protocol of a listener by its Kafka name. The operator-owned listeners follow the
 * cluster: TLS as soon as any client listener is secured (security.ts says why).
 */
export function listenerProtocol(spec: ClusterSpec, name: string): SecurityProtocol {
  if (name === PROBE_LISTENER.name) return 'PLAINTEXT';
  if (name === CONTROLLER_LISTENER.name || name === REPLICATION_LISTENER.name) {
    return isSecured(spec) ? 'SSL' : 'PLAINTEXT';
  }
  const l = spec.listeners.find((x) => kafkaListenerName(x.name) === name);
  return l ? listenerSecurityProtocol(l) : 'PLAINTEXT';
}

/** Whether a node of this role opens the loopback PROBE listener. */
export function hasProbeListener(spec: ClusterSpec, layout: RoleLayout): boolean {
  return layout.isBroker && isSecured(spec);
}

/** `listener.name.<x>.` — Kafka lower-cases the listener name in per-listener keys. */
const prefix = (name: string) => `listener.name.${name.toLowerCase()}.`;

/**
 * Security lines of a role's shared properties on a secured cluster; nothing otherwise.
 * `layouts`: every role of the cluster (each node's certificate CN is its StatefulSet's name,
 * and all of them are super-users when authorization is on).
 */
export function securityProperties(
  spec: ClusterSpec,
  layout: RoleLayout,
  layouts: readonly Pick<RoleLayout, 'statefulSetName'>[],
): Record<string, string> {
  if (!isSecured(spec)) return {};
  const props: Record<string, string> = {
    // One key store and one trust store for the node, as server and as client: brokers dial
    // the quorum and each other with the same certificate they serve, trusting the cluster CA.
    // ssl.endpoint.identification.algorithm keeps Kafka's default (https): node certificates
    // carry the pod DNS names the nodes advertise.
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': tlsFile('keystore'),
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': tlsFile('clusterCa'),
    'ssl.principal.mapping.rules': SSL_PRINCIPAL_MAPPING_RULES,
  };
  // Mutual TLS on the listeners the node serves itself; top-level ssl.client.auth stays
  // `none` so a client listener with tls but no authentication does not ask for certificates.
  if (layout.isController) props[`${prefix(CONTROLLER_LISTENER.name)}ssl.client.auth`] = 'required';
  if (layout.isBroker) {
    props[`${prefix(REPLICATION_LISTENER.name)}ssl.client.auth`] = 'required';
    for (const l of spec.listeners) {
      const p = prefix(kafkaListenerName(l.name));
      const protocol = listenerSecurityProtocol(l);
      if (l.authentication?.type === 'tls' && protocol === 'SSL') {
        // Only the clients CA is trusted here: certificates of the cluster CA (the nodes', the
        // operator's) are refused on client listeners.
        props[`${p}ssl.client.auth`] = 'required';
        props[`${p}ssl.truststore.type`] = 'PEM';
        props[`${p}ssl.truststore.location`] = tlsFile('clientsCa');
      }
      const mechanism = listenerSaslMechanism(l);
      if (mechanism) {
        props[`${p}sasl.enabled.mechanisms`] = mechanism;
        props[`${p}${mechanism.toLowerCase()}.sasl.jaas.config`] = SCRAM_LOGIN_MODULE;
      }
    }
  }
  if (spec.authorization) {
    // KRaft: controllers authorize too (broker registration, forwarded requests), so every
    // role runs the StandardAuthorizer with the same super-users.
    props['authorizer.class.name'] = STANDARD_AUTHORIZER;
    props['super.users'] = superUsers(spec, layouts).join(';');
  }
  return props;
}
