// Maps Kafka's answers onto one poll, and a scaling step onto the KafkaConsumerGroup status.
// Pure; the reconciler does the reading, scaling and writing.
import type { KafkaConsumerGroup, KafkaConsumerGroupStatus } from '../api/kafka-consumer-group.ts';
import type {
  CommittedOffset,
  GroupDescription,
  PartitionOffsetRange,
  TopicDescription,
} from '../kafka/port.ts';
import { setCondition, setKstatusConditions, type Condition } from '../runtime/conditions.ts';
import type { AutoscaleStep } from './autoscale.ts';
import { partitionKey } from './lag.ts';
import type { Poll } from './observe.ts';
import type { ScaleTargetReason } from './scale-target.ts';

export interface GroupReads {
  committed: readonly CommittedOffset[];
  topics: readonly TopicDescription[];
  ranges: readonly PartitionOffsetRange[];
  group: GroupDescription | null;
}

/** The topics whose lag counts: the spec's, or every topic the group committed offsets for. */
export function topicsToWatch(
  spec: { topics?: readonly string[] },
  committed: readonly CommittedOffset[],
): string[] {
  return spec.topics?.length
    ? [...spec.topics]
    : [...new Set(committed.map((c) => c.topic))].sort();
}

export function pollFrom(reads: GroupReads, time: number): Poll {
  const committed = new Map(
    reads.committed.map((c) => [partitionKey(c.topic, c.partition), c.offset]),
  );
  const ranges = new Map(reads.ranges.map((r) => [partitionKey(r.topic, r.partition), r]));
  const partitions = [];
  for (const t of reads.topics) {
    for (const p of t.partitions) {
      const key = partitionKey(t.name, p.partition);
      const range = ranges.get(key);
      // A partition whose end offset is unknown would read as no lag: refuse the poll instead.
      if (!range)
        return { kind: 'error', time, error: `no end offset for ${t.name}-${p.partition}` };
      partitions.push({
        topic: t.name,
        partition: p.partition,
        committed: committed.get(key) ?? null,
        end: range.end,
        logStart: range.logStart,
      });
    }
  }
  const members = reads.group?.members ?? [];
  const assignments = members.map((m) => m.assignment);
  return {
    kind: 'offsets',
    time,
    partitions,
    members: members.length,
    ...(assignments.some((a) => a.length > 0) ? { assignments } : {}),
  };
}

export type ReadyReason =
  | 'Polling'
  | 'ClusterNotFound'
  | 'ClusterNotReady'
  | 'KafkaClusterSecuring'
  | 'KafkaUnavailable'
  | 'TopicNotFound'
  | 'InvalidSettings'
  // spec.authentication/spec.tls with bootstrapServers (external-credentials.ts).
  | 'AuthenticationSecretNotFound'
  | 'AuthenticationSecretInvalid'
  | 'AuthenticationFailed'
  | ScaleTargetReason;

/** Ready reasons that stay until a person changes something (Stalled, for kstatus/Flux). */
const needsAction = new Set<ReadyReason>([
  'InvalidSettings',
  'AuthenticationSecretInvalid',
  'TopicNotFound',
  'TargetNotFound',
  'ScaleTargetForbidden',
  'ScaleAccessDenied',
  'KindNotFound',
  'NoScaleSubresource',
]);

export interface StatusInput {
  step: AutoscaleStep | undefined;
  currentReplicas: number | undefined;
  lastScaleTime: number | null;
  ready: { status: 'True' | 'False'; reason: ReadyReason; message: string };
  now: Date;
}

const round2 = (n: number | null): number | undefined =>
  n === null ? undefined : Math.round(n * 100) / 100;

export function statusFor(g: KafkaConsumerGroup, input: StatusInput): KafkaConsumerGroupStatus {
  const generation = g.metadata.generation ?? 0;
  const previous = g.status ?? {};
  let conditions = (previous.conditions ?? []) as Condition[];
  conditions = setCondition(
    conditions,
    { type: 'Ready', ...input.ready, observedGeneration: generation },
    input.now,
  );
  const status: KafkaConsumerGroupStatus = { ...previous, observedGeneration: generation };
  if (input.currentReplicas !== undefined) status.currentReplicas = input.currentReplicas;
  if (input.lastScaleTime !== null) {
    status.lastScaleTime = new Date(input.lastScaleTime).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  const f = input.step?.figures;
  if (f) {
    const timeLag = round2(f.lag.timeLagSeconds);
    status.lag = {
      total: f.lag.total,
      maxPartition: f.lag.maxPartition,
      partitionsWithLag: f.lag.partitionsWithLag,
      ...(timeLag !== undefined ? { timeLagSeconds: timeLag } : {}),
    };
    const produced = round2(f.rates.producedPerSecond);
    const consumed = round2(f.rates.consumedPerSecond);
    status.rates = {
      ...(produced !== undefined ? { producedPerSecond: produced } : {}),
      ...(consumed !== undefined ? { consumedPerSecond: consumed } : {}),
    };
    status.health = f.health;
    status.members = f.members;
    status.partitions = f.partitionCount;
  }
  const d = input.step?.decision;
  if (d) {
    status.desiredReplicas = d.desiredReplicas;
    const limited = d.limitedBy[0];
    conditions = setCondition(
      conditions,
      limited
        ? {
            type: 'ScalingLimited',
            status: 'True',
            reason: limited,
            message: d.reasons.join('; '),
            observedGeneration: generation,
          }
        : {
            type: 'ScalingLimited',
            status: 'False',
            reason: 'WithinLimits',
            message: `sized by ${d.sizing}`,
            observedGeneration: generation,
          },
      input.now,
    );
    conditions = setCondition(
      conditions,
      d.desiredReplicas > 0
        ? {
            type: 'Active',
            status: 'True',
            reason: 'Consuming',
            message: `${d.desiredReplicas} replica(s) wanted`,
            observedGeneration: generation,
          }
        : {
            type: 'Active',
            status: 'False',
            reason: 'ScaledToZero',
            message: 'no lag to consume; scaled to zero',
            observedGeneration: generation,
          },
      input.now,
    );
  }
  status.conditions = setKstatusConditions(
    conditions,
    input.ready,
    needsAction.has(input.ready.reason),
    generation,
    input.now,
  );
  return status;
}
