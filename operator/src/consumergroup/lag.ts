// Lag accounting for one poll: committed, end (high-watermark) and log-start offsets per
// partition -> backlog figures. Pure; offsets are plain numbers (the Kafka port converts Kafka's
// int64s; 2^53 messages per partition is beyond any real log).

export type OffsetResetPolicy = 'latest' | 'earliest';

/** One partition as read in one poll. `committed` is null when the group has no offset there. */
export interface PartitionOffsets {
  topic: string;
  partition: number;
  committed: number | null;
  /** High-watermark: the offset the next produced message will get. */
  end: number;
  /** First offset still in the log (retention may have deleted everything before it). */
  logStart: number;
}

/**
 * Where the group will resume reading this partition, and so what the backlog is measured from:
 * - `committed`: a committed offset inside the log;
 * - `log-start`: no usable committed offset and the reset policy is earliest;
 * - `end`: no usable committed offset and the reset policy is latest (nothing is backlog);
 * - `ahead`: committed is beyond the end (log truncated by an unclean election, or the topic
 *   was recreated); the consumer will reset, so we count nothing rather than negative lag.
 * A committed offset below the log start is out of range: the consumer applies its reset
 * policy, so it resolves to `log-start` or `end` and is flagged `outOfRange`.
 */
export type LagBasis = 'committed' | 'log-start' | 'end' | 'ahead';

export interface PartitionLag {
  topic: string;
  partition: number;
  lag: number;
  basis: LagBasis;
  committed: number | null;
  end: number;
  outOfRange: boolean;
}

export interface TopicLag {
  topic: string;
  total: number;
  maxPartition: number;
  partitionsWithLag: number;
  partitions: number;
}

export interface LagSummary {
  total: number;
  maxPartition: number;
  partitionsWithLag: number;
  partitionCount: number;
  /** Partitions without a committed offset (whatever the policy made of them). */
  uncommitted: number;
  /** Partitions whose committed offset was ahead of the end (reported, counted as 0). */
  ahead: number;
  /** Partitions whose committed offset fell below the log start (retention overtook them). */
  outOfRange: number;
  topics: TopicLag[];
  partitions: PartitionLag[];
}

export type LagResult = { ok: true; lag: LagSummary } | { ok: false; error: string };

export function partitionKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

function isOffset(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/** Why a partition's offsets cannot be used, or null when they can. */
export function invalidOffsetsReason(p: PartitionOffsets): string | null {
  const key = partitionKey(p.topic, p.partition);
  if (!isOffset(p.end)) return `${key}: end offset ${p.end} is not a valid offset`;
  if (!isOffset(p.logStart)) return `${key}: log-start offset ${p.logStart} is not a valid offset`;
  if (p.logStart > p.end) return `${key}: log-start offset ${p.logStart} is after end ${p.end}`;
  if (p.committed !== null && !isOffset(p.committed)) {
    return `${key}: committed offset ${p.committed} is not a valid offset`;
  }
  return null;
}

export function partitionLag(p: PartitionOffsets, policy: OffsetResetPolicy): PartitionLag {
  const base = { topic: p.topic, partition: p.partition, committed: p.committed, end: p.end };
  const reset = (outOfRange: boolean): PartitionLag =>
    policy === 'earliest'
      ? { ...base, lag: p.end - p.logStart, basis: 'log-start', outOfRange }
      : { ...base, lag: 0, basis: 'end', outOfRange };
  if (p.committed === null) return reset(false);
  if (p.committed > p.end) return { ...base, lag: 0, basis: 'ahead', outOfRange: false };
  if (p.committed < p.logStart) return reset(true);
  return { ...base, lag: p.end - p.committed, basis: 'committed', outOfRange: false };
}

/**
 * Lag of the whole group from one poll. Any unusable offset fails the whole computation:
 * a partial answer would read as less lag than there is.
 */
export function computeLag(
  partitions: readonly PartitionOffsets[],
  policy: OffsetResetPolicy,
): LagResult {
  const seen = new Set<string>();
  for (const p of partitions) {
    const reason = invalidOffsetsReason(p);
    if (reason !== null) return { ok: false, error: reason };
    const key = partitionKey(p.topic, p.partition);
    if (seen.has(key)) return { ok: false, error: `${key}: reported twice in one poll` };
    seen.add(key);
  }
  const lags = partitions.map((p) => partitionLag(p, policy));
  const byTopic = new Map<string, TopicLag>();
  let total = 0;
  let maxPartition = 0;
  let partitionsWithLag = 0;
  for (const l of lags) {
    total += l.lag;
    maxPartition = Math.max(maxPartition, l.lag);
    if (l.lag > 0) partitionsWithLag++;
    const t = byTopic.get(l.topic) ?? {
      topic: l.topic,
      total: 0,
      maxPartition: 0,
      partitionsWithLag: 0,
      partitions: 0,
    };
    t.total += l.lag;
    t.maxPartition = Math.max(t.maxPartition, l.lag);
    if (l.lag > 0) t.partitionsWithLag++;
    t.partitions++;
    byTopic.set(l.topic, t);
  }
  return {
    ok: true,
    lag: {
      total,
      maxPartition,
      partitionsWithLag,
      partitionCount: lags.length,
      uncommitted: lags.filter((l) => l.committed === null).length,
      ahead: lags.filter((l) => l.basis === 'ahead').length,
      outOfRange: lags.filter((l) => l.outOfRange).length,
      topics: [...byTopic.values()].sort((a, b) => a.topic.localeCompare(b.topic)),
      partitions: lags,
    },
  };
}
