// The controller's safety net: a reconcile that throws ends in a Ready=False condition and a
// Warning Event on its object, never in a silent retry loop. The plan is pure; the write is a
// status apply under a field manager of its own that sends only the conditions it sets, so
// every other condition and status field stays as the reconciler wrote it, and the
// reconciler's next apply (forced, as all of ours are) takes the condition back.
import { applyStatus } from './apply.ts';
import type { Clock } from './clock.ts';
import { findCondition, setCondition, setKstatusConditions } from './conditions.ts';
import type { Condition } from './conditions.ts';
import { errorMessage, failureReason, TerminalError } from './errors.ts';
import type { EventRecorder } from './events.ts';
import type { KubeClient } from './kube-client.ts';
import type { KubeObject } from './resource.ts';

/** The field manager of conditions written for failures the reconciler did not report. */
export const failureFieldManager = 'kraftwerk-failures';

/** Condition messages are capped well under the schema's 32 KiB: they are read by people. */
const maxMessage = 4096;

export interface FailurePlan {
  reason: string;
  message: string;
  /** The conditions to apply; empty when the object already says this (the reconciler did). */
  apply: Condition[];
}

/**
 * What to write for `err` on an object whose conditions are `conditions` now. Already
 * reported: Ready is not True and its message carries the error's message — then its reason
 * names the Event too. Reconciling/Stalled (kstatus) are set only where the kind uses them.
 */
export function planFailureReport(
  conditions: readonly Condition[] | undefined,
  err: unknown,
  generation: number | undefined,
  now: Date,
): FailurePlan {
  const raw = errorMessage(err);
  const ready = findCondition(conditions, 'Ready');
  if (ready && ready.status !== 'True' && raw && ready.message.includes(raw)) {
    return { reason: ready.reason, message: ready.message, apply: [] };
  }
  const terminal = err instanceof TerminalError;
  const reason = failureReason(err);
  const message = (terminal ? `${raw} (not retried until the resource changes)` : raw).slice(
    0,
    maxMessage,
  );
  const input = {
    type: 'Ready',
    status: 'False' as const,
    reason,
    message,
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
  let next = setCondition(conditions, input, now);
  const kstatus = ['Reconciling', 'Stalled'].some((t) => findCondition(conditions, t));
  if (kstatus && generation !== undefined) {
    next = setKstatusConditions(next, input, terminal, generation, now);
  }
  const types = new Set(['Ready', ...(kstatus ? ['Reconciling', 'Stalled'] : [])]);
  return { reason, message, apply: next.filter((c) => types.has(c.type)) };
}

export interface FailureReporting {
  client: KubeClient;
  events?: EventRecorder;
  clock: Clock;
}

/**
 * Reports `err` on `obj`: reads the object afresh (the cache may not yet hold what the
 * reconciler wrote just before it threw), writes the condition unless it is already there,
 * and records a Warning Event (identical ones become a series count, events.ts).
 */
export async function reportFailure(
  r: FailureReporting,
  obj: KubeObject,
  err: unknown,
): Promise<void> {
  const m = obj.metadata;
  if (!m?.name) return;
  const info = await r.client.resourceOf(obj);
  const live = await r.client.get<KubeObject & { status?: { conditions?: Condition[] } }>(
    info,
    m.namespace,
    m.name,
  );
  if (!live || live.metadata?.uid !== m.uid) return; // gone or replaced: nothing to report on
  const plan = planFailureReport(
    live.status?.conditions,
    err,
    live.metadata?.generation,
    new Date(r.clock.now()),
  );
  if (plan.apply.length > 0) {
    await applyStatus(
      r.client,
      live,
      { conditions: plan.apply },
      { fieldManager: failureFieldManager, resource: info },
    );
  }
  void r.events?.warning(live, plan.reason, 'Reconcile', plan.message);
}
