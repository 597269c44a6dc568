// What a KafkaCluster's security settings mean, shared by the renderer (server.properties,
// volumes), the certificate step (Secrets) and the operator's own Kafka connections: one place
// for the names of Secrets, files and principals, so the pieces cannot disagree.
import type { ClusterSpec, ListenerSpec } from '../cluster-spec.ts';
import type { RoleLayout } from './node-layout.ts';

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';

/**
 * A cluster is secured when any client listener uses TLS or authentication. Then the
 * cluster-internal listeners (KRaft controller, replication) use TLS with client certificates
 * of the cluster CA too: an authenticated client listener is worth little while anyone in the
 * Kubernetes cluster can talk to the replication port unauthenticated.
 */
export function isSecured(spec: Pick<ClusterSpec, 'listeners'>): boolean {
  return spec.listeners.some((l) => l.tls === true || l.authentication !== undefined);
}

export function listenerSecurityProtocol(l: ListenerSpec): SecurityProtocol {
  const sasl = l.authentication?.type === 'scram-sha-512';
  if (l.tls === true) return sasl ? 'SASL_SSL' : 'SSL';
  return sasl ? 'SASL_PLAINTEXT' : 'PLAINTEXT';
}

/** The SASL mechanism clients of the listener use, if any. */
export function listenerSaslMechanism(l: ListenerSpec): 'SCRAM-SHA-512' | undefined {
  return l.authentication?.type === 'scram-sha-512' ? 'SCRAM-SHA-512' : undefined;
}

/** Secrets the operator owns for a cluster (owner reference: the KafkaCluster). */
export const securitySecrets = {
  /** Private: the cluster CA's certificate and key (and the previous CA during a replacement). */
  clusterCa: (cluster: string) => `${cluster}-cluster-ca`,
  /** Public: `ca.crt`, the cluster CA certificate(s) clients of TLS listeners trust. */
  clusterCaCert: (cluster: string) => `${cluster}-cluster-ca-cert`,
  /** Private: the clients CA, which signs client certificates for mTLS listeners. */
  clientsCa: (cluster: string) => `${cluster}-clients-ca`,
  /** Public: `ca.crt`, the clients CA certificate(s) the brokers trust on mTLS listeners. */
  clientsCaCert: (cluster: string) => `${cluster}-clients-ca-cert`,
  /** One per role (all pods of a StatefulSet share it); the files below. */
  nodeCerts: (statefulSetName: string) => `${statefulSetName}-certs`,
  /** The operator's own client certificate for this cluster (signed by the cluster CA). */
  operatorCerts: (cluster: string) => `${cluster}-operator-certs`,
} as const;

/** Keys of the node certificate Secret, which is mounted as files at TLS_MOUNT_DIR. */
export const NODE_CERT_FILES = {
  /** PEM key store: the PKCS#8 private key followed by the certificate (Kafka's PEM store). */
  keystore: 'keystore.pem',
  certificate: 'tls.crt',
  key: 'tls.key',
  /** The cluster CA bundle (current, plus previous during a CA key replacement). */
  clusterCa: 'ca.crt',
  /** The clients CA bundle, trusted on listeners with authentication type tls. */
  clientsCa: 'clients-ca.crt',
} as const;

export const TLS_MOUNT_DIR = '/etc/kafka/tls';

/** On the pod template: a hash of the certificates and trust the pods should run with; a
 *  change rolls the role with the safe roller. */
export const CERTIFICATES_HASH_ANNOTATION = 'kraftwerk.dev/certificates-hash';

/** On the KafkaCluster: `leaves` re-issues every node certificate now, `ca` replaces the CA
 *  key too. The operator removes the annotation once the new certificates are stored. */
export const RENEW_CERTIFICATES_ANNOTATION = 'kraftwerk.dev/renew-certificates';

/** The operator's identity on every secured cluster (certificate CN, hence principal). */
export const OPERATOR_COMMON_NAME = 'kraftwerk-operator';

/** Node certificates are named after their StatefulSet (≤ 59 characters, within a CN's 64). */
export function nodeCommonName(layout: Pick<RoleLayout, 'statefulSetName'>): string {
  return layout.statefulSetName;
}

/**
 * Principals from certificates are the subject's CN (`User:<cn>`), not the whole DN, so the
 * names in super.users and ACLs are the ones users wrote in their resources.
 */
export const SSL_PRINCIPAL_MAPPING_RULES = 'RULE:^CN=([^,]+)(,.*)?$/$1/,DEFAULT';

/**
 * super.users when authorization is on: the cluster's own nodes (they replicate and talk to
 * the quorum), the operator, and whoever the spec names. Sorted and without duplicates, so
 * the rendered properties (and their hash) do not change with the order in the spec.
 */
export function superUsers(
  spec: Pick<ClusterSpec, 'authorization'>,
  layouts: readonly Pick<RoleLayout, 'statefulSetName'>[],
): string[] {
  const own = [...layouts.map(nodeCommonName), OPERATOR_COMMON_NAME].map((cn) => `User:${cn}`);
  return [...new Set([...own, ...(spec.authorization?.superUsers ?? [])])].sort();
}
