// The one call the reconciler makes per poll: fold the poll into the windows, decide, and hand
// back everything to keep (windows, state) and to show (figures, decision). Pure.

import type { GroupFigures, ObserveSettings, Poll } from './observe.ts';
import { observe } from './observe.ts';
import type { ScalingDecision, ScalingSettings, ScalingState } from './policy.ts';
import { decideScale, initialScalingState } from './policy.ts';
import type { OffsetWindows } from './rates.ts';

/** What the reconciler keeps in memory per KafkaConsumerGroup between polls. */
export interface AutoscalerMemory {
  windows: OffsetWindows;
  state: ScalingState;
}

/**
 * Memory for a group seen for the first time by this operator process. `lastScaleTime` (ms)
 * from status.lastScaleTime keeps the dwell across a restart; the current size counts as a
 * fresh recommendation so nothing scales down before a full stabilization window.
 */
export function freshMemory(
  now: number,
  currentReplicas: number,
  lastScaleTime: number | null,
): AutoscalerMemory {
  return { windows: {}, state: initialScalingState(now, currentReplicas, lastScaleTime) };
}

export interface AutoscaleStep {
  memory: AutoscalerMemory;
  /** null when the poll failed: keep the previous figures, report the decision's reason. */
  figures: GroupFigures | null;
  decision: ScalingDecision;
}

export function autoscaleStep(
  memory: AutoscalerMemory,
  poll: Poll,
  currentReplicas: number,
  settings: ScalingSettings,
  observeSettings: ObserveSettings,
): AutoscaleStep {
  const last = memory.state.lastScaleTime;
  // Consumption during a rebalance's pause is not capacity; the drain right after it is the
  // best measure there is (a scale-up sized to the backlog often drains inside the dwell).
  const capacitySince = last === null ? -Infinity : last + settings.rebalanceSeconds * 1000;
  const o = observe(memory.windows, poll, currentReplicas, capacitySince, observeSettings);
  const decision = decideScale(settings, o.observation, memory.state, poll.time);
  return {
    memory: { windows: o.windows, state: decision.nextState },
    figures: o.figures,
    decision,
  };
}
