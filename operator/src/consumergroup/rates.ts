// A bounded window of per-partition samples (time, end, committed, lag) kept across polls,
// and the produce / consume rates read from it. Pure: the caller keeps the returned window.

import type { LagSummary } from './lag.ts';
import { partitionKey } from './lag.ts';

export interface PartitionSample {
  /** Milliseconds (the caller's clock). */
  time: number;
  end: number;
  committed: number | null;
  lag: number;
}

export interface PartitionWindow {
  topic: string;
  partition: number;
  /** Oldest first. */
  samples: PartitionSample[];
}

/** Keyed by `topic/partition`. */
export type OffsetWindows = Readonly<Record<string, PartitionWindow>>;

export interface WindowLimits {
  /** Samples older than this are dropped. Size it to cover the health window. */
  maxAgeMs: number;
  /** Hard bound on memory per partition, whatever the poll interval. */
  maxSamples: number;
}

export const defaultWindowLimits: WindowLimits = { maxAgeMs: 10 * 60_000, maxSamples: 120 };

/**
 * Adds one poll to the windows. Partitions absent from the poll are forgotten (topic deleted
 * or no longer watched). An end offset that went backwards means the topic was recreated:
 * that partition's history no longer describes it, so its window restarts; so does a poll not
 * later than the last one (a clock that went backwards), since rates need increasing times.
 */
export function recordPoll(
  windows: OffsetWindows,
  time: number,
  lag: LagSummary,
  limits: WindowLimits = defaultWindowLimits,
): OffsetWindows {
  const next: Record<string, PartitionWindow> = {};
  for (const p of lag.partitions) {
    const key = partitionKey(p.topic, p.partition);
    const sample: PartitionSample = { time, end: p.end, committed: p.committed, lag: p.lag };
    const previous = windows[key]?.samples ?? [];
    const last = previous.at(-1);
    const restart = last !== undefined && (p.end < last.end || time <= last.time);
    const kept = restart ? [] : previous.filter((s) => s.time >= time - limits.maxAgeMs);
    kept.push(sample);
    next[key] = {
      topic: p.topic,
      partition: p.partition,
      samples: kept.slice(Math.max(0, kept.length - limits.maxSamples)),
    };
  }
  return next;
}

/** Samples at or after `since` (ms), oldest first. */
export function samplesSince(
  samples: readonly PartitionSample[],
  since: number,
): PartitionSample[] {
  return samples.filter((s) => s.time >= since);
}

/** Messages produced per second over the samples, or null with fewer than two. */
export function produceRate(samples: readonly PartitionSample[]): number | null {
  const first = samples[0];
  const last = samples.at(-1);
  if (first === undefined || last === undefined || last.time <= first.time) return null;
  return (Math.max(0, last.end - first.end) * 1000) / (last.time - first.time);
}

/**
 * Messages committed per second. Only the run of samples after the last rewind (committed
 * offset moved backwards: a reset or a seek) counts, and only samples with a commit; a partition
 * that never committed in the window consumed nothing measurable (null).
 */
export function consumeRate(samples: readonly PartitionSample[]): number | null {
  let run: { offset: number; time: number }[] = [];
  for (const s of samples) {
    if (s.committed === null) continue;
    const prev = run.at(-1);
    if (prev !== undefined && s.committed < prev.offset) run = [];
    run.push({ offset: s.committed, time: s.time });
  }
  const first = run[0];
  const last = run.at(-1);
  if (first === undefined || last === undefined || last.time <= first.time) return null;
  return ((last.offset - first.offset) * 1000) / (last.time - first.time);
}

export interface GroupRates {
  /** null until some partition has two samples. */
  producedPerSecond: number | null;
  consumedPerSecond: number | null;
  /** Span in seconds of the longest window the figures came from. */
  windowSeconds: number;
}

/**
 * Group rates: sums over partitions, each measured over its own window from `since` (ms).
 * Partitions with no measurable consumption count as consuming nothing once any partition is
 * measurable, because a silent partition is exactly what a stuck consumer looks like.
 */
export function groupRates(windows: OffsetWindows, since = -Infinity): GroupRates {
  let produced: number | null = null;
  let consumed: number | null = null;
  let anyMeasured = false;
  let windowSeconds = 0;
  for (const w of Object.values(windows)) {
    const s = samplesSince(w.samples, since);
    const pr = produceRate(s);
    if (pr === null) continue;
    anyMeasured = true;
    const span = (s.at(-1)!.time - s[0]!.time) / 1000;
    windowSeconds = Math.max(windowSeconds, span);
    produced = (produced ?? 0) + pr;
    const cr = consumeRate(s);
    consumed = (consumed ?? 0) + (cr ?? 0);
  }
  return anyMeasured
    ? { producedPerSecond: produced, consumedPerSecond: consumed, windowSeconds }
    : { producedPerSecond: null, consumedPerSecond: null, windowSeconds: 0 };
}

/**
 * True when every given partition was behind at every sample since `since`, over at least
 * `minSpanMs`: only then is the consume rate the consumers' capacity rather than the produce
 * rate they were merely keeping up with. Behind means more lag than `commitSlackMs` of the
 * partition's production (a consumer that keeps up still shows the messages produced since its
 * last commit, auto-commit every 5 s by default, and the poll never lands on the commit), and
 * consuming at a rate other than the production's.
 */
export function backloggedThroughout(
  windows: OffsetWindows,
  keys: readonly string[],
  since: number,
  minSpanMs: number,
  commitSlackMs: number,
): boolean {
  if (keys.length === 0) return false;
  for (const key of keys) {
    const w = windows[key];
    if (w === undefined) return false;
    const s = samplesSince(w.samples, since);
    const first = s[0];
    const last = s.at(-1);
    if (first === undefined || last === undefined || last.time - first.time < minSpanMs) {
      return false;
    }
    const produced = produceRate(s) ?? 0;
    if (s.some((x) => x.lag <= (produced * commitSlackMs) / 1000)) return false;
    // Consuming what is produced, give or take a tenth, is keeping up, however far behind:
    // a consumer slowed by latency (a starved CPU, long fetch waits) holds a steady lag. Only
    // falling behind, or draining faster than production, shows what it can do.
    const consumed = consumeRate(s);
    if (
      consumed !== null &&
      produced > 0 &&
      Math.abs(consumed - produced) < produced * keepingUpBand
    ) {
      return false;
    }
  }
  return true;
}

/** Consumption within this fraction of production is keeping up, not capacity. */
export const keepingUpBand = 0.1;

/** One group member's assigned partitions, as DescribeGroups reports them. */
export type MemberAssignment = readonly { topic: string; partition: number }[];

/**
 * What one replica consumes at capacity, from the members that were saturated: a member is
 * saturated when one of its partitions (not `excluded`, i.e. not stalled) was behind
 * (backloggedThroughout) at every sample since `since`, and still advanced — with spare capacity
 * it would have drained it; without progress it is stuck (before health calls it Stalled). Its consumption is the sum over all its partitions. Mean over saturated members, or null
 * when none was. Uneven assignments (12 partitions on 8 members) are why this is per member:
 * the lightly loaded members catch up and say nothing about capacity.
 */
export function saturatedMemberRate(
  windows: OffsetWindows,
  members: readonly MemberAssignment[],
  since: number,
  minSpanMs: number,
  commitSlackMs: number,
  excluded: ReadonlySet<string>,
): number | null {
  let sum = 0;
  let saturated = 0;
  for (const assigned of members) {
    const keys = assigned.map((a) => partitionKey(a.topic, a.partition));
    // Behind and moving: a partition behind that does not move is stuck, not saturating.
    const busy = keys.some(
      (k) =>
        !excluded.has(k) &&
        backloggedThroughout(windows, [k], since, minSpanMs, commitSlackMs) &&
        (consumeRate(samplesSince(windows[k]!.samples, since)) ?? 0) > 0,
    );
    if (!busy) continue;
    let consumed = 0;
    for (const k of keys) {
      const w = windows[k];
      consumed += w === undefined ? 0 : (consumeRate(samplesSince(w.samples, since)) ?? 0);
    }
    sum += consumed;
    saturated++;
  }
  return saturated === 0 ? null : sum / saturated;
}
