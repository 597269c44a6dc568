// Which Kafka a KafkaTopic or KafkaConsumerGroup talks to: the bootstrap servers it names, or
// the internal listener of a KafkaCluster in its namespace once that cluster is Ready. A secured
// cluster (cluster/model/security.ts isSecured) is reached like the KafkaCluster reconciler
// reaches it: its REPLICATION listener with the operator's own certificate
// (kafka-credentials.ts), since its client listeners may demand SCRAM or client certificates
// the operator does not have. A Kafka named by its bootstrap servers is reached with the TLS and
// credentials its resource names (spec.tls, spec.authentication; external-credentials.ts reads
// their Secrets). Pure: the caller passes the cluster it found in its cache.
import type { KafkaCluster } from './api/kafka-cluster.ts';
import { defaultBootstrap } from './cluster/deps.ts';
import { isSecured } from './cluster/model/security.ts';
import { isExternalSecured, type ExternalConnection } from './external-credentials.ts';
import { OPERATOR_CERTIFICATE_PENDING } from './kafka-credentials.ts';

export interface ClusterReference extends ExternalConnection {
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
      /** A secured KafkaCluster: connect with the operator's credentials for it. */
      readonly secured?: KafkaCluster;
      /** Bootstrap servers wanting TLS and/or credentials: connect with those of the resource. */
      readonly external?: ExternalConnection;
    }
  | {
      readonly ready: false;
      readonly reason: 'ClusterNotFound' | 'ClusterNotReady' | typeof KAFKA_CLUSTER_SECURING;
      readonly message: string;
      readonly key: string;
      readonly clusterId?: string;
    };

/** Ready=False reason of a topic or group whose secured cluster the operator cannot reach yet
 *  with its own certificate. */
export const KAFKA_CLUSTER_SECURING = 'KafkaClusterSecuring';

/** Where the operator reaches a secured cluster: its REPLICATION listener (tests: elsewhere). */
export type ReplicationBootstrap = (cluster: { name: string; namespace: string }) => string;

export function resolveKafkaTarget(
  ref: ClusterReference,
  namespace: string,
  cluster: KafkaCluster | undefined,
  replicationBootstrap: ReplicationBootstrap = (c) => defaultBootstrap({ ...c, uid: '' }),
): KafkaTarget {
  if (ref.bootstrapServers) {
    const external: ExternalConnection = {
      ...(ref.authentication ? { authentication: ref.authentication } : {}),
      ...(ref.tls ? { tls: ref.tls } : {}),
    };
    return {
      ready: true,
      bootstrap: ref.bootstrapServers,
      key: `bootstrap:${ref.bootstrapServers}`,
      ...(isExternalSecured(external) ? { external } : {}),
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
  const readyCondition = cluster.status?.conditions?.find((c) => c.type === 'Ready');
  const isReady = readyCondition?.status === 'True';
  const secured = isSecured(cluster.spec);
  const internal = cluster.spec.listeners.find((l) => l.type === 'internal');
  const address = cluster.status?.listeners?.find(
    (l) => l.name === internal?.name,
  )?.bootstrapServers;
  const clusterId = cluster.status?.clusterId;
  if (secured && !isReady && readyCondition?.reason === OPERATOR_CERTIFICATE_PENDING) {
    return {
      ready: false,
      key,
      ...(clusterId ? { clusterId } : {}),
      reason: KAFKA_CLUSTER_SECURING,
      message: `KafkaCluster ${namespace}/${name} is secured and the operator's certificate for it is not there yet; waiting for it`,
    };
  }
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
    bootstrap: secured ? replicationBootstrap({ name, namespace }) : address,
    key,
    ...(clusterId ? { clusterId } : {}),
    ...(secured ? { secured: cluster } : {}),
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
