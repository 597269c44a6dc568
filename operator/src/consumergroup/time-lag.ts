// Time lag: how many seconds behind the head the group is, estimated as kafka-lag-exporter
// does — find when the end offset passed the committed offset by interpolating the recent
// (end offset, time) samples, and report now minus that moment. No message timestamps needed.

import type { PartitionSample } from './rates.ts';

/**
 * How the estimate was made:
 * - `caught-up`: committed >= the latest end offset, time lag is 0;
 * - `interpolated`: committed lies between two samples of the end offset;
 * - `extrapolated`: committed is older than the window; the moment is projected back along
 *   the window's average produce rate. Only as good as the assumption that the rate before
 *   the window matched the rate inside it;
 * - `lower-bound`: older than the window and nothing was produced inside it, so no rate to
 *   project with: the lag is at least the window's age, which is what we report;
 * - `unknown`: fewer than two end samples and not caught up.
 */
export type TimeLagMethod =
  'caught-up' | 'interpolated' | 'extrapolated' | 'lower-bound' | 'unknown';

export interface TimeLag {
  seconds: number | null;
  method: TimeLagMethod;
}

/**
 * `position` is where the group resumes (the committed offset, or what the reset policy makes
 * of a missing one: end - lag). `samples` oldest first; `now` in ms.
 */
export function estimateTimeLag(
  samples: readonly PartitionSample[],
  position: number,
  now: number,
): TimeLag {
  const last = samples.at(-1);
  if (last !== undefined && position >= last.end) return { seconds: 0, method: 'caught-up' };
  const first = samples[0];
  if (first === undefined || last === undefined || samples.length < 2) {
    return { seconds: null, method: 'unknown' };
  }
  const secondsSince = (t: number) => Math.max(0, (now - t) / 1000);
  if (position < first.end) {
    const produced = last.end - first.end;
    if (produced <= 0 || last.time <= first.time) {
      return { seconds: secondsSince(first.time), method: 'lower-bound' };
    }
    const perMs = produced / (last.time - first.time);
    return {
      seconds: secondsSince(first.time - (first.end - position) / perMs),
      method: 'extrapolated',
    };
  }
  // The message at `position` appeared between the last sample whose end was <= position and
  // the next one, whose end was beyond it.
  for (let i = samples.length - 1; i > 0; i--) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    if (a.end <= position && b.end > position) {
      const fraction = (position - a.end) / (b.end - a.end);
      return {
        seconds: secondsSince(a.time + fraction * (b.time - a.time)),
        method: 'interpolated',
      };
    }
  }
  // Unreachable with monotonic ends (recordPoll restarts a window that went backwards).
  return { seconds: null, method: 'unknown' };
}

/** Group time lag: the worst partition, ignoring unknowns; null when none is known. */
export function groupTimeLag(perPartition: readonly TimeLag[]): number | null {
  let worst: number | null = null;
  for (const t of perPartition) {
    if (t.seconds !== null) worst = Math.max(worst ?? 0, t.seconds);
  }
  return worst;
}
