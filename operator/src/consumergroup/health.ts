// Burrow-style health of a consumer group, judged per partition over a sliding window of
// samples and rolled up to the worst partition.
//
// Per partition, over the samples in (now - windowMs, now], first rule that applies wins:
//  1. too little history (fewer than minSamples, or spanning less than minSpanMs) -> Ok
//     ("warming up": we do not accuse a group on a glimpse);
//  2. lag was 0 at some sample -> Ok (Burrow: a consumer that touched the head is keeping up);
//  3. the committed offset went backwards (a reset or seek) -> Ok ("rewound", reported);
//  4. the committed offset advanced -> Lagging when the lag at the end of the window is not below
//     the lag at its start (moving but not catching up), else Ok (catching up). Burrow calls any
//     single decrease "catching up"; comparing the ends is robust to the saw-tooth of periodic
//     commits;
//  5. the committed offset never advanced (lag > 0 throughout, so it can only have held or
//     grown, since end offsets never fall):
//     - no committed offset at all, or no group members -> Stopped (nobody is consuming);
//     - otherwise -> Stalled (members are there, committing nothing new: a poison message,
//       a blocked downstream, a hung thread).
// Burrow tells Stopped from Stalled by the age of the last commit; OffsetFetch carries no commit
// time, so we use group membership, which the same poll reads.

import type { OffsetWindows, PartitionSample } from './rates.ts';

export type Health = 'Ok' | 'Lagging' | 'Stalled' | 'Stopped';

export type HealthReason =
  | 'warming-up'
  | 'reached-head'
  | 'rewound'
  | 'catching-up'
  | 'not-catching-up'
  | 'no-commits'
  | 'no-members'
  | 'same-offset';

export interface HealthSettings {
  windowMs: number;
  minSamples: number;
  /** Least time the window's samples must span before Lagging/Stalled/Stopped are judged. */
  minSpanMs: number;
}

// Two minutes outlasts a rebalance pause and several auto-commit intervals (5 s by default), so a
// slow commit cadence is not mistaken for a stall.
export const defaultHealthSettings: HealthSettings = {
  windowMs: 120_000,
  minSamples: 3,
  minSpanMs: 60_000,
};

export interface PartitionHealth {
  topic: string;
  partition: number;
  health: Health;
  reason: HealthReason;
}

export interface GroupHealth {
  health: Health;
  partitions: PartitionHealth[];
}

const severity: Record<Health, number> = { Ok: 0, Lagging: 1, Stalled: 2, Stopped: 3 };

export function worstHealth(a: Health, b: Health): Health {
  return severity[b] > severity[a] ? b : a;
}

export function evaluatePartition(
  allSamples: readonly PartitionSample[],
  members: number,
  now: number,
  settings: HealthSettings = defaultHealthSettings,
): { health: Health; reason: HealthReason } {
  const samples = allSamples.filter((s) => s.time > now - settings.windowMs && s.time <= now);
  const first = samples[0];
  const last = samples.at(-1);
  if (
    first === undefined ||
    last === undefined ||
    samples.length < settings.minSamples ||
    last.time - first.time < settings.minSpanMs
  ) {
    return { health: 'Ok', reason: 'warming-up' };
  }
  if (samples.some((s) => s.lag === 0)) return { health: 'Ok', reason: 'reached-head' };
  const commits = samples.flatMap((s) => (s.committed === null ? [] : [s.committed]));
  for (let i = 1; i < commits.length; i++) {
    if (commits[i]! < commits[i - 1]!) return { health: 'Ok', reason: 'rewound' };
  }
  const firstCommit = commits[0];
  const lastCommit = commits.at(-1);
  if (firstCommit !== undefined && lastCommit !== undefined && lastCommit > firstCommit) {
    return last.lag >= first.lag
      ? { health: 'Lagging', reason: 'not-catching-up' }
      : { health: 'Ok', reason: 'catching-up' };
  }
  if (commits.length === 0) return { health: 'Stopped', reason: 'no-commits' };
  if (members === 0) return { health: 'Stopped', reason: 'no-members' };
  return { health: 'Stalled', reason: 'same-offset' };
}

export function evaluateGroup(
  windows: OffsetWindows,
  members: number,
  now: number,
  settings: HealthSettings = defaultHealthSettings,
): GroupHealth {
  let health: Health = 'Ok';
  const partitions: PartitionHealth[] = [];
  for (const w of Object.values(windows)) {
    const p = evaluatePartition(w.samples, members, now, settings);
    partitions.push({ topic: w.topic, partition: w.partition, ...p });
    health = worstHealth(health, p.health);
  }
  return { health, partitions };
}
