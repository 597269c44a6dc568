// What only the operator can judge about a spec (the API server's schema and CEL rules catch
// the rest): each problem is a sentence a person can act on, reported as Ready=False.
// Admission rules are repeated here: a cluster admitted under an older CRD (or a CRD left
// stale) must get a sentence in its status, not a 422 from every apply.
import type { ClusterRef, ClusterSpec } from '../cluster-spec.ts';
import { CLUSTER_NAME_PATTERN } from '../model/derived-names.ts';
import { configValueProblems } from '../model/kafka-config-values.ts';
import { kafkaListenerName } from '../model/node-layout.ts';
import {
  ADVERTISED_HOST_MESSAGE,
  AUTHORIZATION_NEEDS_AUTHENTICATION_MESSAGE,
  CA_OUTLIVES_LEAF_MESSAGE,
  CA_RENEWAL_AFTER_LEAF_MESSAGE,
  CA_RENEWAL_BEFORE_VALIDITY_MESSAGE,
  MTLS_NEEDS_TLS_MESSAGE,
  NODEPORT_TLS_NEEDS_HOST_MESSAGE,
  RENEWAL_BEFORE_VALIDITY_MESSAGE,
  SUPER_USER_MESSAGE,
  SUPER_USER_PATTERN,
  CLUSTER_NAME_LIMIT,
  CLUSTER_NAME_PATTERN_MESSAGE,
  DNS_SUBDOMAIN_PATTERN,
  clusterNameLengthMessage,
} from '../../api/kafka-cluster.ts';
import {
  configKeySyntaxMessage,
  isConfigKeySyntax,
  isOwnedConfigKey,
  ownedConfigKeyMessage,
  RESERVED_LISTENER_NAMES,
  RESERVED_LISTENER_PORTS,
} from '../../api/owned-config-keys.ts';

export function specProblems(spec: ClusterSpec, cluster?: Pick<ClusterRef, 'name'>): string[] {
  const problems: string[] = [];
  if (cluster) {
    if (cluster.name.length > CLUSTER_NAME_LIMIT.maxLength) {
      problems.push(clusterNameLengthMessage(cluster.name));
    }
    if (!new RegExp(CLUSTER_NAME_PATTERN).test(cluster.name)) {
      problems.push(CLUSTER_NAME_PATTERN_MESSAGE);
    }
  }
  const brokers = spec.brokers.replicas;
  const config = spec.config ?? {};
  const rf = Number(config['default.replication.factor'] ?? 1);
  const minIsr = Number(config['min.insync.replicas'] ?? 1);
  if (rf > brokers) {
    problems.push(
      `default.replication.factor=${rf} is more than the ${brokers} broker(s); topics created with the default would fail`,
    );
  }
  if (minIsr > rf) {
    problems.push(
      `min.insync.replicas=${minIsr} is more than default.replication.factor=${rf}; producers with acks=all could never write`,
    );
  }
  const userConfig: typeof config = {};
  for (const key of Object.keys(config)) {
    // Syntax first: the owned-key check compares exact keys.
    if (!isConfigKeySyntax(key)) problems.push(configKeySyntaxMessage(key));
    else if (isOwnedConfigKey(key)) problems.push(ownedConfigKeyMessage(key));
    else userConfig[key] = config[key]!;
  }
  // Values Kafka's own config definitions refuse, in Kafka's words; unknown keys pass.
  problems.push(...configValueProblems(spec.version, userConfig));
  const reservedPorts = RESERVED_LISTENER_PORTS;
  const reservedNames = RESERVED_LISTENER_NAMES.map(kafkaListenerName);
  const seenPorts = new Set<number>();
  const seenNames = new Set<string>();
  for (const l of spec.listeners) {
    const name = kafkaListenerName(l.name);
    if (reservedNames.includes(name))
      problems.push(`listener name '${l.name}' is reserved for kraftwerk's own listeners`);
    if (reservedPorts.includes(l.port))
      problems.push(`listener port ${l.port} is reserved for kraftwerk's own listeners`);
    if (seenPorts.has(l.port)) problems.push(`listener port ${l.port} is used twice`);
    if (seenNames.has(name)) problems.push(`listener name '${l.name}' is used twice`);
    seenPorts.add(l.port);
    seenNames.add(name);
    if (
      l.advertisedHost !== undefined &&
      !new RegExp(DNS_SUBDOMAIN_PATTERN).test(l.advertisedHost)
    ) {
      problems.push(`listener '${l.name}': ${ADVERTISED_HOST_MESSAGE}`);
    }
    if (
      l.type === 'nodeport' &&
      l.nodePortBase !== undefined &&
      l.nodePortBase + brokers - 1 > 32767
    ) {
      problems.push(
        `listener '${l.name}' needs node ports ${l.nodePortBase}..${l.nodePortBase + brokers - 1}, beyond 32767`,
      );
    }
  }
  problems.push(...securityProblems(spec));
  if (spec.listeners.length === 0) problems.push('at least one listener is required');
  for (const [role, pool] of [
    ['brokers', spec.brokers],
    ['controllers', spec.controllers],
  ] as const) {
    if (pool?.storage.type === 'persistent-claim' && !pool.storage.size) {
      problems.push(`${role}.storage.size is required for persistent-claim storage`);
    }
  }
  return problems;
}

/** The admission rules on tls, authentication, authorization and certificates, repeated. */
function securityProblems(spec: ClusterSpec): string[] {
  const problems: string[] = [];
  for (const l of spec.listeners) {
    if (l.authentication?.type === 'tls' && l.tls !== true) {
      problems.push(`listener '${l.name}': ${MTLS_NEEDS_TLS_MESSAGE}`);
    }
    if (l.type === 'nodeport' && l.tls === true && l.advertisedHost === undefined) {
      problems.push(`listener '${l.name}': ${NODEPORT_TLS_NEEDS_HOST_MESSAGE}`);
    }
  }
  if (spec.authorization && !spec.listeners.some((l) => l.authentication !== undefined)) {
    problems.push(AUTHORIZATION_NEEDS_AUTHENTICATION_MESSAGE);
  }
  const superUser = new RegExp(SUPER_USER_PATTERN);
  for (const principal of spec.authorization?.superUsers ?? []) {
    if (!superUser.test(principal)) problems.push(`${SUPER_USER_MESSAGE}; got '${principal}'`);
  }
  const certificates = spec.certificates;
  if (certificates) {
    const { validityDays, renewalDays, caValidityDays, caRenewalDays } = certificates;
    if (renewalDays >= validityDays) problems.push(RENEWAL_BEFORE_VALIDITY_MESSAGE);
    // A CRD older than the CA fields neither stores nor defaults them; the operator's defaults
    // then apply (certificate-plan.ts), and issuing copes with any combination.
    if (caValidityDays !== undefined && caValidityDays <= validityDays) {
      problems.push(CA_OUTLIVES_LEAF_MESSAGE);
    }
    if (caRenewalDays !== undefined && caValidityDays !== undefined) {
      if (caRenewalDays >= caValidityDays) problems.push(CA_RENEWAL_BEFORE_VALIDITY_MESSAGE);
    }
    if (caRenewalDays !== undefined && caRenewalDays < renewalDays) {
      problems.push(CA_RENEWAL_AFTER_LEAF_MESSAGE);
    }
  }
  return problems;
}

/** What the spec names outside itself, as read now: only the exporter ConfigMap so far. */
export interface ReferencedObjects {
  /** spec.metrics.exporter.configMapKeyRef's ConfigMap: its keys, or null when it is absent. */
  metricsConfig?: { name: string; key: string; keys: readonly string[] | null };
}

/**
 * A reference to an object that is not there: refused before anything is applied, because a
 * pod that mounts a missing ConfigMap never starts — a roll would stop with its first broker
 * down, and a new cluster would never come up.
 */
export function referenceProblems(refs: ReferencedObjects, namespace: string): string[] {
  const m = refs.metricsConfig;
  if (!m) return [];
  if (m.keys === null) {
    return [
      `spec.metrics.exporter.configMapKeyRef: ConfigMap "${m.name}" does not exist in namespace ${namespace}; create it (or remove the reference): nothing is applied or rolled until it exists`,
    ];
  }
  if (!m.keys.includes(m.key)) {
    const known = m.keys.length > 0 ? m.keys.join(', ') : 'none';
    return [
      `spec.metrics.exporter.configMapKeyRef: ConfigMap "${m.name}" has no key "${m.key}" (its keys: ${known}); nothing is applied or rolled until it has`,
    ];
  }
  return [];
}
