// One poll in, everything the reconciler needs out: the updated sample windows, the figures for
// status and metrics, and the observation the scaling policy decides on. Pure composition of
// lag, rates, time lag and health.

import type { GroupHealth, Health, HealthSettings } from './health.ts';
import { defaultHealthSettings, evaluateGroup } from './health.ts';
import type { OffsetResetPolicy, PartitionOffsets, TopicLag } from './lag.ts';
import { computeLag, partitionKey } from './lag.ts';
import type { GroupObservation } from './policy.ts';
import type { MemberAssignment, OffsetWindows, WindowLimits } from './rates.ts';
import {
  backloggedThroughout,
  defaultWindowLimits,
  groupRates,
  recordPoll,
  samplesSince,
  saturatedMemberRate,
} from './rates.ts';
import type { TimeLag } from './time-lag.ts';
import { estimateTimeLag, groupTimeLag } from './time-lag.ts';

/** What the Kafka port read in one poll (one batched read), or why it could not. */
export type Poll =
  | {
      kind: 'offsets';
      time: number;
      /** Every partition of the group's topics; a missing end offset must be an error instead. */
      partitions: readonly PartitionOffsets[];
      members: number;
      /**
       * Each member's assigned partitions (DescribeGroups), when the port can decode them: they
       * let capacity be measured from the saturated members alone. Without them, capacity is
       * measured only when every partition was behind.
       */
      assignments?: readonly MemberAssignment[];
    }
  | { kind: 'error'; time: number; error: string };

export interface ObserveSettings {
  offsetResetPolicy: OffsetResetPolicy;
  window: WindowLimits;
  health: HealthSettings;
  /** Rates that drive sizing look back this far: long enough to smooth commits, short enough to follow a step. */
  rateWindowMs: number;
  /**
   * The produce rate used for sizing is the higher of this short window's and rateWindowMs's:
   * it rises as fast as production does and falls only as fast as the long window lets it.
   */
  attackWindowMs: number;
  /** Least span of backlogged samples before a consume rate counts as capacity. */
  capacitySpanMs: number;
  /**
   * Lag up to this much of a partition's production is what commits not yet made explain,
   * not a backlog: twice the 5 s auto-commit interval of the Java client and kafkajs' usual
   * setting, so a consumer that keeps up is never measured as saturated.
   */
  commitSlackMs: number;
}

export const defaultObserveSettings: ObserveSettings = {
  offsetResetPolicy: 'latest',
  window: defaultWindowLimits,
  health: defaultHealthSettings,
  rateWindowMs: 60_000,
  attackWindowMs: 15_000,
  capacitySpanMs: 20_000,
  commitSlackMs: 10_000,
};

/**
 * The figures status and the Prometheus gauges show (lag, rates, health:
 * docs/api.md#kafkaconsumergroup-status).
 */
export interface GroupFigures {
  lag: {
    total: number;
    maxPartition: number;
    partitionsWithLag: number;
    timeLagSeconds: number | null;
  };
  rates: { producedPerSecond: number | null; consumedPerSecond: number | null };
  health: Health;
  members: number;
  partitionCount: number;
  topics: TopicLag[];
}

export interface Observed {
  windows: OffsetWindows;
  /** null when the poll failed: keep the last figures and say why in a condition. */
  figures: GroupFigures | null;
  health: GroupHealth | null;
  timeLags: Readonly<Record<string, TimeLag>>;
  observation: GroupObservation;
}

/**
 * Partitions we have history for whose topic is in the poll but which the poll lacks: a
 * partial read (a leader without an answer), since a topic's partitions never go away. A whole
 * topic may vanish (deleted, or no longer watched); that is not an error.
 */
export function missingPartitions(
  windows: OffsetWindows,
  partitions: readonly PartitionOffsets[],
): string[] {
  const topics = new Set(partitions.map((p) => p.topic));
  const present = new Set(partitions.map((p) => partitionKey(p.topic, p.partition)));
  return Object.entries(windows)
    .filter(([key, w]) => topics.has(w.topic) && !present.has(key))
    .map(([key]) => key);
}

/**
 * `capacitySince` (ms): when the last change's dwell ended (lastScaleTime + dwell), so a
 * rebalance's pause is never measured as the consumers' capacity.
 */
export function observe(
  windows: OffsetWindows,
  poll: Poll,
  currentReplicas: number,
  capacitySince: number,
  settings: ObserveSettings = defaultObserveSettings,
): Observed {
  const failed = (error: string): Observed => ({
    windows,
    figures: null,
    health: null,
    timeLags: {},
    observation: { kind: 'error', currentReplicas, error },
  });
  if (poll.kind === 'error') return failed(poll.error);
  const missing = missingPartitions(windows, poll.partitions);
  if (missing.length > 0) {
    return failed(`no offsets for ${missing.join(', ')} (partitions never shrink in Kafka)`);
  }
  const result = computeLag(poll.partitions, settings.offsetResetPolicy);
  if (!result.ok) return failed(result.error);
  const lag = result.lag;
  const now = poll.time;
  const next = recordPoll(windows, now, lag, settings.window);

  const health = evaluateGroup(next, poll.members, now, settings.health);
  const stalled = new Set(
    health.partitions
      .filter((p) => p.health === 'Stalled')
      .map((p) => partitionKey(p.topic, p.partition)),
  );

  const timeLags: Record<string, TimeLag> = {};
  for (const p of lag.partitions) {
    const key = partitionKey(p.topic, p.partition);
    timeLags[key] = estimateTimeLag(next[key]?.samples ?? [], p.end - p.lag, now);
  }

  const recent = now - settings.rateWindowMs;
  const statusRates = groupRates(next);
  const sizingRates = groupRates(next, recent);
  const attackRates = groupRates(next, now - settings.attackWindowMs);
  const producedForSizing =
    sizingRates.producedPerSecond === null
      ? attackRates.producedPerSecond
      : Math.max(sizingRates.producedPerSecond, attackRates.producedPerSecond ?? 0);
  const capacityFrom = Math.max(recent, capacitySince);
  const capacityRates = groupRates(next, capacityFrom);
  const movable = lag.partitions
    .map((p) => partitionKey(p.topic, p.partition))
    .filter((k) => !stalled.has(k));
  let replicaCapacity: number | null;
  if (poll.assignments !== undefined) {
    replicaCapacity = saturatedMemberRate(
      next,
      poll.assignments,
      capacityFrom,
      settings.capacitySpanMs,
      settings.commitSlackMs,
      stalled,
    );
  } else {
    // Only consumers that can own a partition consume.
    const consuming = Math.min(currentReplicas, lag.partitionCount);
    const consumed = capacityRates.consumedPerSecond;
    const allBehind = backloggedThroughout(
      next,
      movable,
      capacityFrom,
      settings.capacitySpanMs,
      settings.commitSlackMs,
    );
    replicaCapacity =
      allBehind && consuming > 0 && consumed !== null && consumed > 0 ? consumed / consuming : null;
  }

  let uncommittedTraffic = 0;
  if (settings.offsetResetPolicy === 'latest') {
    for (const p of lag.partitions) {
      if (p.committed !== null) continue;
      const s = samplesSince(next[partitionKey(p.topic, p.partition)]?.samples ?? [], recent);
      if (s.length >= 2) uncommittedTraffic += s.at(-1)!.end - s[0]!.end;
    }
  }

  return {
    windows: next,
    health,
    timeLags,
    figures: {
      lag: {
        total: lag.total,
        maxPartition: lag.maxPartition,
        partitionsWithLag: lag.partitionsWithLag,
        timeLagSeconds: groupTimeLag(Object.values(timeLags)),
      },
      rates: {
        producedPerSecond: statusRates.producedPerSecond,
        consumedPerSecond: statusRates.consumedPerSecond,
      },
      health: health.health,
      members: poll.members,
      partitionCount: lag.partitionCount,
      topics: lag.topics,
    },
    observation: {
      kind: 'observed',
      currentReplicas,
      partitionCount: lag.partitionCount,
      partitions: lag.partitions.map((p) => ({
        lag: p.lag,
        stalled: stalled.has(partitionKey(p.topic, p.partition)),
      })),
      producedPerSecond: producedForSizing,
      replicaCapacity,
      uncommittedTraffic,
    },
  };
}
