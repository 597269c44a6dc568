// Kubernetes-style status conditions (metav1.Condition), pure.
// lastTransitionTime moves only when status flips, so `kubectl wait` and humans can trust it.

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

export type ConditionInput = Omit<Condition, 'lastTransitionTime' | 'message'> & {
  message?: string;
};

/** metav1.Time has second precision; writing milliseconds would churn the object for nothing. */
export function conditionTime(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Returns new conditions with `input` set. The input array is never modified, and when nothing
 * but the clock would change the same array comes back, so callers can skip a no-op write.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  input: ConditionInput,
  now: Date,
): Condition[] {
  const list = conditions ?? [];
  const existing = list.find((c) => c.type === input.type);
  const next: Condition = {
    type: input.type,
    status: input.status,
    reason: input.reason,
    message: input.message ?? '',
    ...(input.observedGeneration !== undefined
      ? { observedGeneration: input.observedGeneration }
      : {}),
    lastTransitionTime:
      existing && existing.status === input.status
        ? existing.lastTransitionTime
        : conditionTime(now),
  };
  if (existing && conditionsEqual(existing, next)) return list as Condition[];
  return existing ? list.map((c) => (c.type === input.type ? next : c)) : [...list, next];
}

export function removeCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isConditionTrue(
  conditions: readonly Condition[] | undefined,
  type: string,
): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

function conditionsEqual(a: Condition, b: Condition): boolean {
  return (
    a.type === b.type &&
    a.status === b.status &&
    a.reason === b.reason &&
    a.message === b.message &&
    a.observedGeneration === b.observedGeneration &&
    a.lastTransitionTime === b.lastTransitionTime
  );
}

/**
 * Reconciling and Stalled next to Ready, for kstatus (Flux, kpt, cli-utils): it ignores Ready
 * and reads only these two plus observedGeneration. Not ready and waiting on something that
 * resolves by itself → Reconciling; not ready until a person acts → Stalled; Ready → neither.
 */
export function setKstatusConditions(
  conditions: readonly Condition[],
  ready: { status: ConditionStatus; reason: string; message: string },
  needsAction: boolean,
  observedGeneration: number,
  now: Date,
): Condition[] {
  const notReady = ready.status !== 'True';
  let next = setCondition(
    conditions,
    notReady && !needsAction
      ? {
          type: 'Reconciling',
          status: 'True',
          reason: ready.reason,
          message: ready.message,
          observedGeneration,
        }
      : { type: 'Reconciling', status: 'False', reason: 'Idle', observedGeneration },
    now,
  );
  next = setCondition(
    next,
    notReady && needsAction
      ? {
          type: 'Stalled',
          status: 'True',
          reason: ready.reason,
          message: ready.message,
          observedGeneration,
        }
      : { type: 'Stalled', status: 'False', reason: 'Healthy', observedGeneration },
    now,
  );
  return next;
}
