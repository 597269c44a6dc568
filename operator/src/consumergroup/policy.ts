// The scaling policy: a pure function of (settings, observation, state, now) -> decision.
//
// Mapping from the KafkaConsumerGroup spec (docs/api.md#kafkaconsumergroup) to ScalingSettings:
//   spec.minReplicas                      -> minReplicas (may be 0)
//   spec.maxReplicas                      -> maxReplicas
//   spec.lagThreshold                     -> lagThreshold (messages per replica)
//   spec.activationLagThreshold           -> activationLagThreshold
//   spec.drainTargetSeconds (optional)    -> drainTargetSeconds (null when unset)
//   spec.allowIdleConsumers (proposed, default false) -> allowIdleConsumers
//   spec.scaleDown.stabilizationSeconds   -> scaleDownStabilizationSeconds
//   spec.scaleDown.maxStepPercent         -> scaleDownMaxStepPercent
//   spec.scaleUp.dwellSeconds (default 40) -> dwellSeconds
//   spec.scaleUp.rebalanceSeconds (proposed; default 15) -> rebalanceSeconds
//   spec.pollIntervalSeconds is the reconciler's requeue period; the policy only sees `now`.
//   spec.offsetResetPolicy goes to observe() (lag accounting), not here.
// status.currentReplicas comes from the target's scale subresource; status.lastScaleTime seeds
// ScalingState after an operator restart (initialScalingState).
//
// settings.ts turns a spec-shaped object into ScalingSettings with these defaults.
//
// How it differs from KEDA + HPA, each on purpose:
// - no ratio tolerance on the way up: the size is ceil(need), so there is no trap one replica
//   short of the partition ceiling (kedacore/keda#2908); hysteresis lives on the way down only
//   (the stabilization window, scaleDownHeadroom, and a scale-down paying for its rebalance);
// - scale up in one step to the computed size, including straight from zero;
// - a dwell after every change so the lag a rebalance causes is not read as demand, and
//   rate-aware sizes that include the backlog the change's own rebalance will add;
// - lag alone never sizes a group that is receiving traffic below what keeps up with it: that
//   needs a measured per-replica capacity, and until there is one the group only steps down a
//   replica at a time (KEDA's lag-only sizing oscillates at steady load: scale down on low lag,
//   fall behind, scale up, repeat);
// - a stalled partition counts as at most one consumer's worth of lag: more replicas cannot
//   unblock it;
// - a read error holds the current size; it is never read as zero lag.

export interface ScalingSettings {
  minReplicas: number;
  maxReplicas: number;
  lagThreshold: number;
  activationLagThreshold: number;
  drainTargetSeconds: number | null;
  allowIdleConsumers: boolean;
  scaleDownStabilizationSeconds: number;
  scaleDownMaxStepPercent: number;
  dwellSeconds: number;
  /** How long a membership change pauses consumption (eager rebalance + pod start). */
  rebalanceSeconds: number;
}

export interface PartitionDemand {
  lag: number;
  /** Health judged this partition Stalled (members present, committed offset not moving). */
  stalled: boolean;
}

export interface ObservedGroup {
  kind: 'observed';
  /** Replicas of the scale target now (its scale subresource's status). */
  currentReplicas: number;
  partitionCount: number;
  partitions: readonly PartitionDemand[];
  /** Messages per second arriving on the group's partitions; null until measurable. */
  producedPerSecond: number | null;
  /**
   * Messages per second one replica consumes when it has more than it can do, measured this
   * poll from saturated members only (observe() does it), or null when no member was
   * saturated long enough: a consumer keeping up shows the produce rate, not its capacity.
   */
  replicaCapacity: number | null;
  /**
   * Messages produced recently to partitions without a committed offset under offsetResetPolicy
   * latest. Not backlog (the group will start after them), but proof of traffic: it wakes a
   * group at zero, which otherwise could never commit its first offset.
   */
  uncommittedTraffic: number;
}

export interface FailedObservation {
  kind: 'error';
  currentReplicas: number;
  error: string;
}

export type GroupObservation = ObservedGroup | FailedObservation;

export interface Recommendation {
  time: number;
  replicas: number;
}

export interface ScalingState {
  /** ms; the last time this policy changed the size. */
  lastScaleTime: number | null;
  /**
   * Effective lag and produce rate when the size last changed: during the dwell, lag beyond
   * what a complete pause since then explains is new demand, not the rebalance.
   */
  atLastScale: { lag: number; producedPerSecond: number } | null;
  /** Recommendations inside the scale-down stabilization window, oldest first. */
  recommendations: Recommendation[];
  /** Last measured capacity of one replica (messages/s) and when it was measured. */
  perReplicaRate: { value: number; time: number } | null;
  /** Since when lag has asked for fewer replicas with no capacity known to allow it. */
  blindSince: number | null;
}

export type LimitReason =
  | 'PartitionCeiling'
  | 'MaxReplicas'
  | 'MinReplicas'
  | 'StabilizationWindow'
  | 'StepLimit'
  | 'Dwell'
  | 'AllStalled'
  | 'ReadError';

export type Sizing = 'backlog' | 'rate' | 'idle' | 'inactive' | 'activation' | 'held';

export interface ScalingDecision {
  desiredReplicas: number;
  action: 'scale-up' | 'scale-down' | 'hold';
  /** What the demand alone asks for, before bounds, window, step and dwell. */
  neededReplicas: number;
  sizing: Sizing;
  reasons: string[];
  limitedBy: LimitReason[];
  nextState: ScalingState;
}

/**
 * State for a group first seen (or after an operator restart): the current size counts as a
 * recommendation made now, so nothing scales down before a full stabilization window has passed.
 */
export function initialScalingState(
  now: number,
  currentReplicas: number,
  lastScaleTime: number | null = null,
): ScalingState {
  return {
    lastScaleTime,
    atLastScale: null,
    recommendations: [{ time: now, replicas: currentReplicas }],
    perReplicaRate: null,
    blindSince: null,
  };
}

/**
 * A scale-down must leave this much spare capacity (5%): sizing exactly at capacity leaves no
 * room to drain the saw-tooth of periodic commits, and the group would flap one replica up
 * and down. Up-scaling has no such margin.
 */
export const scaleDownHeadroom = 0.05;

/**
 * How long a group that receives traffic, has never shown its per-replica capacity, and whose
 * lag asks for fewer replicas is held before one replica is taken away to find out (10 min):
 * long enough that a steady group is not disturbed often, short enough that a group left
 * over-provisioned does not stay so for good.
 */
export const probeAfterMs = 10 * 60_000;

// Guards ceil() against float noise: 6.000000000001 replicas is 6.
function ceilNeed(x: number): number {
  return Math.max(0, Math.ceil(x - 1e-9));
}

/** Lag that more replicas can help with: a stalled partition counts at most lagThreshold. */
export function effectiveLag(partitions: readonly PartitionDemand[], lagThreshold: number): number {
  let sum = 0;
  for (const p of partitions) sum += p.stalled ? Math.min(p.lag, lagThreshold) : p.lag;
  return sum;
}

interface Demand {
  /** Size to scale up to when above the current size. */
  up: number;
  /** Least size a scale-down may go to (>= up: the hysteresis). */
  down: number;
  sizing: 'backlog' | 'rate';
  /** Lag asks for fewer replicas, but no capacity is known to say fewer would keep up. */
  blind?: boolean;
  reasons: string[];
}

/**
 * Rate-aware (drainTargetSeconds set and a capacity measured): the group must sustain the
 * produce rate plus the backlog spread over the drain target. When the current size cannot,
 * the new size also covers what the change's own rebalance will add (produced x
 * rebalanceSeconds): without that, each step up pauses consumption, the pause reads as new
 * backlog, and the group climbs step by step. A scale-down pays for its rebalance too, and
 * goes only to a size with scaleDownHeadroom to spare.
 * Backlog (otherwise): lag / lagThreshold, but never below what keeps up with production when
 * a capacity is known; while none is known and traffic flows, down one replica at a time:
 * lag says nothing about throughput.
 */
function sizeForDemand(
  s: ScalingSettings,
  lag: number,
  produced: number | null,
  capacity: number | null,
  current: number,
  probe: boolean,
): Demand {
  const upAndDown = (load: number, perReplica: number): [number, number] => [
    ceilNeed(load / perReplica),
    ceilNeed(load / (perReplica * (1 - scaleDownHeadroom))),
  ];
  if (s.drainTargetSeconds !== null && capacity !== null && produced !== null) {
    // Staying costs no rebalance; a change does, so only a change is sized with it.
    const stay = ceilNeed((produced + lag / s.drainTargetSeconds) / capacity);
    const backlog = lag + produced * s.rebalanceSeconds;
    const [up, down] = upAndDown(produced + backlog / s.drainTargetSeconds, capacity);
    return {
      up: stay > current ? up : stay,
      down,
      sizing: 'rate',
      reasons: [
        `rate: (${produced.toFixed(1)}/s produced + (${lag} backlog + ${s.rebalanceSeconds}s ` +
          `rebalance) / ${s.drainTargetSeconds}s) / ${capacity.toFixed(1)}/s per replica`,
      ],
    };
  }
  const byBacklog = ceilNeed(lag / s.lagThreshold);
  const reasons = [`backlog: ${lag} / ${s.lagThreshold} per replica`];
  if (capacity === null) {
    // Blind: a smaller size may not keep up, so hold; after probeAfterMs of holding blind,
    // step down one replica. If that is too few, the group falls behind, its saturated members
    // show the capacity we lacked, and sizing is no longer blind.
    const blind = produced !== 0 && byBacklog < current;
    if (blind) {
      reasons.push(
        probe
          ? 'no measured per-replica capacity: probing down one replica'
          : 'no measured per-replica capacity: not scaling down on lag alone while traffic flows',
      );
    }
    return {
      up: byBacklog,
      down: blind ? (probe ? Math.max(byBacklog, current - 1) : current) : byBacklog,
      sizing: 'backlog',
      blind,
      reasons,
    };
  }
  const [floor, downFloor] = upAndDown(produced ?? 0, capacity);
  return {
    up: Math.max(byBacklog, floor),
    down: Math.max(byBacklog, downFloor),
    sizing: 'backlog',
    reasons,
  };
}

export function decideScale(
  settings: ScalingSettings,
  observation: GroupObservation,
  state: ScalingState,
  now: number,
): ScalingDecision {
  const current = observation.currentReplicas;
  if (observation.kind === 'error') {
    return {
      desiredReplicas: current,
      action: 'hold',
      neededReplicas: current,
      sizing: 'held',
      reasons: [`cannot read lag (${observation.error}); holding ${current} replicas`],
      limitedBy: ['ReadError'],
      nextState: state,
    };
  }
  const s = settings;
  const reasons: string[] = [];
  const limitedBy: LimitReason[] = [];
  const inDwell = state.lastScaleTime !== null && now - state.lastScaleTime < s.dwellSeconds * 1000;

  // A capacity measured inside the dwell would include the rebalance's pause.
  let perReplicaRate = state.perReplicaRate;
  const measuredNow = observation.replicaCapacity;
  if (measuredNow !== null && measuredNow > 0 && !inDwell) {
    perReplicaRate = { value: measuredNow, time: now };
  }

  const total = observation.partitions.reduce((a, p) => a + p.lag, 0);
  const lag = effectiveLag(observation.partitions, s.lagThreshold);
  const lagging = observation.partitions.filter((p) => p.lag > 0);
  const allStalled = lagging.length > 0 && lagging.every((p) => p.stalled);
  const stalledCount = lagging.filter((p) => p.stalled).length;
  if (stalledCount > 0) {
    reasons.push(`${stalledCount} stalled partition(s) count as at most one replica each`);
  }
  const produced = observation.producedPerSecond;

  let needed: number;
  let sizing: Sizing;
  let blind = false;
  let probing = false;
  const waking =
    total > s.activationLagThreshold || observation.uncommittedTraffic > s.activationLagThreshold;
  if (current === 0 && !waking) {
    needed = 0;
    sizing = 'inactive';
    reasons.push(`lag ${total} not above activation threshold ${s.activationLagThreshold}`);
  } else if (current > 0 && lag <= s.activationLagThreshold && produced === 0) {
    needed = 0;
    sizing = 'idle';
    reasons.push('idle: no backlog and nothing produced');
  } else {
    probing = state.blindSince !== null && now - state.blindSince >= probeAfterMs;
    const d = sizeForDemand(s, lag, produced, perReplicaRate?.value ?? null, current, probing);
    blind = d.blind === true;
    reasons.push(...d.reasons);
    needed = d.up;
    sizing = d.sizing;
    if (current === 0) {
      needed = Math.max(1, needed);
      sizing = 'activation';
      reasons.push(
        `activating: lag ${total} above activation threshold ${s.activationLagThreshold}`,
      );
    }
    // Traffic is flowing (or we cannot tell): someone must be there to consume it.
    if (produced === null || produced > 0) needed = Math.max(needed, 1);
    // Hysteresis, on the way down only: no tolerance trap on the way up.
    if (needed < current) needed = Math.max(needed, Math.min(current, d.down));
  }

  // Bounds. minReplicas wins over the partition ceiling: it is what the user asked for.
  const ceiling = s.allowIdleConsumers
    ? s.maxReplicas
    : Math.min(s.maxReplicas, observation.partitionCount);
  let recommended = needed;
  if (recommended > ceiling) {
    const byPartitions = !s.allowIdleConsumers && observation.partitionCount < s.maxReplicas;
    limitedBy.push(byPartitions ? 'PartitionCeiling' : 'MaxReplicas');
    reasons.push(
      byPartitions
        ? `capped at ${ceiling} partitions (${needed} needed)`
        : `capped at maxReplicas ${ceiling} (${needed} needed)`,
    );
    recommended = ceiling;
  }
  if (recommended < s.minReplicas) {
    limitedBy.push('MinReplicas');
    recommended = s.minReplicas;
  }
  if (allStalled && sizing !== 'activation' && recommended > current) {
    // Every partition behind is stalled: more replicas cannot unblock it. Scaling down by the
    // healthy partitions' demand stays allowed.
    recommended = Math.max(current, s.minReplicas);
    limitedBy.push('AllStalled');
    reasons.push('every partition with lag is stalled; not scaling up');
  }

  const windowMs = s.scaleDownStabilizationSeconds * 1000;
  const recommendations = [
    ...state.recommendations.filter((r) => r.time > now - windowMs && r.time <= now),
    { time: now, replicas: recommended },
  ];
  const base = { neededReplicas: needed, sizing, reasons, limitedBy };
  const next = (changed: boolean): ScalingState => ({
    lastScaleTime: changed ? now : state.lastScaleTime,
    atLastScale: changed ? { lag, producedPerSecond: produced ?? 0 } : state.atLastScale,
    recommendations,
    perReplicaRate,
    // A probe that kept up lets the next one follow after the usual window; any other change
    // (or a capacity measured) ends blindness.
    blindSince: blind && (!changed || probing) ? (state.blindSince ?? now) : null,
  });
  const hold = (why?: LimitReason, message?: string): ScalingDecision => {
    if (why !== undefined) limitedBy.push(why);
    if (message !== undefined) reasons.push(message);
    return {
      ...base,
      desiredReplicas: current,
      action: 'hold',
      nextState: next(false),
    };
  };
  const change = (to: number): ScalingDecision => ({
    ...base,
    desiredReplicas: to,
    action: to > current ? 'scale-up' : 'scale-down',
    nextState: next(true),
  });

  // Even if nothing was consumed since the change, lag could only have grown by what was
  // produced meanwhile; more than a replica's worth beyond that is demand that rose.
  const beyondRebalance = (): boolean => {
    const at = state.atLastScale;
    if (at === null || state.lastScaleTime === null) return false;
    const explained =
      at.lag + (at.producedPerSecond * (now - state.lastScaleTime)) / 1000 + s.lagThreshold;
    if (lag <= explained) return false;
    reasons.push(`lag ${lag} beyond what the rebalance explains (${Math.round(explained)})`);
    return true;
  };

  // Outside the bounds (they changed, or someone scaled the target by hand): back inside at
  // once, as the HPA does; replicas above the partition count own nothing anyway.
  const upper = Math.max(ceiling, s.minReplicas);
  if (current > upper) {
    reasons.push(`${current} replicas is above the bound ${upper}`);
    return change(upper);
  }
  if (recommended > current) {
    // Nothing consumes at zero, so there is no rebalance to wait out.
    if (inDwell && current > 0 && current >= s.minReplicas && !beyondRebalance()) {
      return hold('Dwell', 'waiting out the dwell after the last change');
    }
    return change(recommended);
  }
  if (recommended < current) {
    const stabilized = Math.max(...recommendations.map((r) => r.replicas));
    if (stabilized >= current) {
      return hold(
        'StabilizationWindow',
        `scale-down waits for the ${s.scaleDownStabilizationSeconds}s window`,
      );
    }
    if (inDwell) return hold('Dwell', 'waiting out the dwell after the last change');
    const maxStep = Math.max(1, Math.floor((current * s.scaleDownMaxStepPercent) / 100));
    const to = Math.max(stabilized, current - maxStep);
    if (to > stabilized) {
      limitedBy.push('StepLimit');
      reasons.push(`scale-down limited to ${s.scaleDownMaxStepPercent}% per step`);
    }
    return change(to);
  }
  return hold();
}
