// Which Kafka a KafkaTopic or KafkaConsumerGroup talks to: the bootstrap servers it names, or
// the internal listener of a KafkaCluster in its namespace once that cluster is Ready. Pure:
// the caller passes the cluster it found in its cache.
import type { KafkaCluster } from './api/kafka-cluster.ts';

export interface ClusterReference {
  readonly cluster?: string;
  readonly bootstrapServers?: string;
}

export type KafkaTarget =
  | { readonly ready: true; readonly bootstrap: string; readonly key: string }
  | {
      readonly ready: false;
      readonly reason: 'ClusterNotFound' | 'ClusterNotReady';
      readonly message: string;
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
  if (!cluster) {
    return {
      ready: false,
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
  if (!isReady || !address) {
    return {
      ready: false,
      reason: 'ClusterNotReady',
      message: `KafkaCluster ${namespace}/${name} is not Ready yet; waiting for it`,
    };
  }
  return { ready: true, bootstrap: address, key: `cluster:${namespace}/${name}` };
}
