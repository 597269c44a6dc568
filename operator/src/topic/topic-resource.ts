// Maps a KafkaTopic resource and what Kafka reports onto the planner's inputs, and the plan
// back onto the resource's status. Pure; the reconciler does the I/O around it.
import type { KafkaTopic, KafkaTopicStatus } from '../api/kafka-topic.ts';
import type { ConfigEntry, PartitionReassignment, TopicDescription } from '../kafka/port.ts';
import { setCondition, setKstatusConditions, type Condition } from '../runtime/conditions.ts';
import type {
  DesiredTopic,
  ObservedTopic,
  OngoingReassignment,
  TopicClaim,
  TopicPlan,
} from './planner.ts';

export const topicFinalizer = 'kraftwerk.dev/topic';

/** Ready reasons that stay until a person changes something (Stalled, for kstatus/Flux). */
const needsAction = new Set([
  'KafkaRejected',
  'ReplicationFactorTooHigh',
  'Conflict',
  'PartitionsAboveSpec',
  'InvalidSpec',
  'ReservedTopic',
  // A Secret of spec.authentication/spec.tls with a key missing or unusable PEM. Not a missing
  // Secret nor refused credentials: a KafkaUser applied with the topic writes its Secret and its
  // credentials moments later.
  'AuthenticationSecretInvalid',
]);

export function topicNameOf(t: KafkaTopic): string {
  return t.spec.topicName ?? t.metadata.name ?? '';
}

export function claimOf(t: KafkaTopic): TopicClaim {
  return {
    namespace: t.metadata.namespace ?? '',
    name: t.metadata.name ?? '',
    creationTimestamp: String(t.metadata.creationTimestamp ?? new Date(0).toISOString()),
  };
}

/**
 * The replication factor to hold the topic to. Unset in the spec, it is the cluster's
 * default.replication.factor; for an external Kafka whose default we cannot see, an existing
 * topic keeps what it has and a new one gets min(3, brokers).
 */
export function desiredReplicationFactor(
  t: KafkaTopic,
  clusterDefault: number | undefined,
  observed: TopicDescription | null,
  brokerCount: number,
): number {
  if (t.spec.replicationFactor !== undefined) return t.spec.replicationFactor;
  if (clusterDefault !== undefined) return clusterDefault;
  const current = observed?.partitions.map((p) => p.replicas.length);
  if (current && current.length > 0) return Math.min(...current);
  return Math.max(1, Math.min(3, brokerCount));
}

export function desiredOf(t: KafkaTopic, replicationFactor: number): DesiredTopic {
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries(t.spec.config ?? {})) config[k] = String(v);
  return {
    name: topicNameOf(t),
    partitions: t.spec.partitions,
    replicationFactor,
    config,
    deletionPolicy: t.spec.deletionPolicy,
  };
}

export function observedOf(
  d: TopicDescription | null,
  configs: Readonly<Record<string, ConfigEntry>> | undefined,
): ObservedTopic | null {
  if (!d) return null;
  const observedConfigs: ObservedTopic['configs'] = Object.fromEntries(
    Object.entries(configs ?? {}).map(([k, c]) => [k, { value: c.value, source: c.source }]),
  );
  return {
    // The wire client reports Kafka's zero id (no id: a pre-2.8 Kafka) as ''.
    ...(d.topicId ? { topicId: d.topicId } : {}),
    internal: d.internal,
    partitions: d.partitions.map((p) => ({ partition: p.partition, replicas: [...p.replicas] })),
    configs: observedConfigs,
  };
}

export function reassignmentsOf(
  topic: string,
  all: readonly PartitionReassignment[],
): OngoingReassignment[] {
  return all
    .filter((r) => r.topic === topic)
    .map((r) => ({
      partition: r.partition,
      replicas: r.replicas,
      addingReplicas: r.addingReplicas,
      removingReplicas: r.removingReplicas,
    }));
}

/** Other live resources naming the same topic, on whichever Kafka: the conflict candidates. */
export function namesakes(self: KafkaTopic, all: readonly KafkaTopic[]): KafkaTopic[] {
  const name = topicNameOf(self);
  return all.filter(
    (t) =>
      t.metadata.uid !== self.metadata.uid &&
      !t.metadata.deletionTimestamp &&
      topicNameOf(t) === name,
  );
}

/** The namesakes on the same Kafka cluster, judged by the cluster's identity (kafkaIdentity in
 *  kafka-target.ts), not by how each resource spells its address. */
export function otherClaims(
  candidates: readonly KafkaTopic[],
  identities: readonly string[],
  selfIdentity: string,
): TopicClaim[] {
  return candidates.filter((_, i) => identities[i] === selfIdentity).map(claimOf);
}

/** The status after a reconcile: the plan's facts, and Ready from the plan or a failure. */
export function statusAfter(
  t: KafkaTopic,
  plan: Pick<TopicPlan, 'status'> | undefined,
  ready: { status: 'True' | 'False' | 'Unknown'; reason: string; message: string },
  now: Date,
): KafkaTopicStatus {
  const generation = t.metadata.generation ?? 0;
  const previous = (t.status?.conditions ?? []) as Condition[];
  const conditions = setKstatusConditions(
    setCondition(previous, { type: 'Ready', ...ready, observedGeneration: generation }, now),
    ready,
    needsAction.has(ready.reason),
    generation,
    now,
  );
  const status: KafkaTopicStatus = {
    ...(t.status ?? {}),
    observedGeneration: generation,
    topicName: topicNameOf(t),
    conditions,
  };
  if (plan) {
    // With an observation the facts are exactly what Kafka has now: a topic that is gone has
    // no id, or the next reconcile would report its recreation as a replacement.
    const facts = plan.status;
    delete status.topicId;
    delete status.origin;
    delete status.partitions;
    delete status.replicationFactor;
    if (facts.topicId !== undefined) status.topicId = facts.topicId;
    if (facts.origin !== undefined) status.origin = facts.origin;
    if (facts.partitions !== undefined) status.partitions = facts.partitions;
    if (facts.replicationFactor !== undefined) status.replicationFactor = facts.replicationFactor;
  }
  return status;
}

/** Whether the spec has not changed since Kafka last matched it (so differences are drift). */
export function specUnchanged(t: KafkaTopic): boolean {
  const ready = t.status?.conditions?.find((c) => c.type === 'Ready');
  return t.status?.observedGeneration === t.metadata.generation && ready?.status === 'True';
}
