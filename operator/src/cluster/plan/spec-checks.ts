// What only the operator can judge about a spec (the API server's schema and CEL rules catch
// the rest): each problem is a sentence a person can act on, reported as Ready=False.
// Admission rules are repeated here: a cluster admitted under an older CRD (or a CRD left
// stale) must get a sentence in its status, not a 422 from every apply.
import type { ClusterRef, ClusterSpec } from '../cluster-spec.ts';
import { CLUSTER_NAME_PATTERN } from '../model/derived-names.ts';
import { configValueProblems } from '../model/kafka-config-values.ts';
import {
  CONTROLLER_LISTENER,
  REPLICATION_LISTENER,
  kafkaListenerName,
} from '../model/node-layout.ts';
import {
  ADVERTISED_HOST_MESSAGE,
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
  const reservedPorts: number[] = [CONTROLLER_LISTENER.port, REPLICATION_LISTENER.port];
  const reservedNames: string[] = [CONTROLLER_LISTENER.name, REPLICATION_LISTENER.name];
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
