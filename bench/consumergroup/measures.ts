// The figures the evaluation prints for one timeline.

import type { Timeline } from './replay.ts';

export interface Measures {
  /** Seconds from the trace's event to the first change of size; null if none. */
  firstDecision: number | null;
  /** Seconds from the event to the last change (after which the size held to the end). */
  timeToFinal: number | null;
  finalSize: number;
  peakLag: number;
  /** Sum over seconds of replicas above the steady-state ideal ceil(rate / per-replica rate). */
  excessReplicaSeconds: number;
  /** Sum over seconds of the backlog: how long how many messages waited. */
  lagMessageSeconds: number;
  changes: number;
  reversals: number;
  /** Changed size in the last `settleWindow` seconds of the trace: it never settled. */
  stillChanging: boolean;
}

/** A size unchanged over the trace's last ten minutes counts as settled. */
export const settleWindow = 600;

export function measure(timeline: Timeline, eventAt: number): Measures {
  const after = timeline.changes.filter((c) => c.time >= eventAt);
  let reversals = 0;
  for (let i = 1; i < timeline.changes.length; i++) {
    const a = timeline.changes[i - 1]!;
    const b = timeline.changes[i]!;
    if (Math.sign(a.to - a.from) !== Math.sign(b.to - b.from)) reversals++;
  }
  let excess = 0;
  timeline.replicas.forEach((r, t) => (excess += Math.max(0, r - timeline.ideal[t]!)));
  return {
    firstDecision: after.length > 0 ? after[0]!.time - eventAt : null,
    timeToFinal: after.length > 0 ? after.at(-1)!.time - eventAt : null,
    finalSize: timeline.replicas.at(-1) ?? 0,
    peakLag: Math.max(0, ...timeline.lag),
    excessReplicaSeconds: excess,
    lagMessageSeconds: timeline.lag.reduce((a, b) => a + b, 0),
    changes: timeline.changes.length,
    reversals,
    stillChanging: timeline.changes.some((c) => c.time >= timeline.replicas.length - settleWindow),
  };
}
