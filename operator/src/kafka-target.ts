// Which Kafka a KafkaTopic or KafkaConsumerGroup talks to: the bootstrap servers it names, or
// the internal listener of a KafkaCluster in its namespace once that cluster is Ready. Pure:
// the caller passes the cluster it found in its cache.
import type { KafkaCluster } from './api/kafka-cluster.ts';

export interface ClusterReference {
  readonly cluster?: string;
  readonly bootstrapServers?: string;
}

export type KafkaTarget =
  | {
      readonly ready: true;
      readonly bootstrap: string;
      /** How the target is spelled: `bootstrap:<address>` or `cluster:<namespace>/<name>`. */
      readonly key: string;
      /** The KafkaCluster's cluster id (its status), when the target names one. */
      readonly clusterId?: string;
    }
  | {
      readonly ready: false;
      readonly reason: 'ClusterNotFound' | 'ClusterNotReady';
      readonly message: string;
      readonly key: string;
      readonly clusterId?: string;
    };

export function resolveKafkaTarget(
  ref: ClusterReference,
  namespace: string,
  cluster: KafkaCluster | undefined,
): KafkaTarget {
  if (ref.bootstrapServers) {
    return {
      ready: true,
      bootstrap: ref.bootstrapServers,
      key: `bootstrap:${ref.bootstrapServers}`,
    };
  }
  const name = ref.cluster ?? '';
  const key = `cluster:${namespace}/${name}`;
  if (!cluster) {
    return {
      ready: false,
      key,
      reason: 'ClusterNotFound',
      message: `KafkaCluster ${namespace}/${name} does not exist yet; waiting for it`,
    };
  }
  const isReady = cluster.status?.conditions?.some(
    (c) => c.type === 'Ready' && c.status === 'True',
  );
  const internal = cluster.spec.listeners.find((l) => l.type === 'internal');
  const address = cluster.status?.listeners?.find(
    (l) => l.name === internal?.name,
  )?.bootstrapServers;
  const clusterId = cluster.status?.clusterId;
  if (!isReady || !address) {
    return {
      ready: false,
      key,
      ...(clusterId ? { clusterId } : {}),
      reason: 'ClusterNotReady',
      message: `KafkaCluster ${namespace}/${name} is not Ready yet; waiting for it`,
    };
  }
  return {
    ready: true,
    bootstrap: address,
    key,
    ...(clusterId ? { clusterId } : {}),
  };
}

/**
 * Which Kafka cluster a target is, for telling whether two resources mean the same topic:
 * `kafka:<cluster id>` once the id is known (from the KafkaCluster's status, or from Kafka's own
 * Metadata answer, `fromKafka`), so `cluster: demo` and `bootstrapServers:` of demo's Service are
 * one cluster. Without an id (Kafka unreachable), how the target is spelled is all there is.
 */
export function kafkaIdentity(target: KafkaTarget, fromKafka?: string | null): string {
  const id = fromKafka ?? target.clusterId;
  return id ? `kafka:${id}` : target.key;
}
