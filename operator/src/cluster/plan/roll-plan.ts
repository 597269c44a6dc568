// Decides the next pod to restart, one at a time, or why to wait. Pure and level-triggered:
// it looks only at the present state, so it never needs to remember what it did last.
//
// Order and checks (cf. Strimzi's KafkaRoller, with a stricter "previous is healthy again"):
//  1. A stale pod that is stuck (CrashLoopBackOff, Pending, unready for long) restarts first
//     and without safety checks: it is failing those checks itself, and only a restart onto
//     the new spec can fix it. So does a broker that has not registered for minutes while
//     the quorum has been steady: Kafka 4.1.1 sometimes leaves a new broker retrying a
//     registration it never sends after early leader changes (seen on kind: 300 s, until
//     initial.broker.registration.timeout.ms made it exit); a restart registers it in seconds.
//     Unregistered, it serves nothing, so its restart takes nothing away.
//  2. Otherwise nothing restarts while any pod is missing, terminating, unready, unregistered
//     (broker) or behind in the quorum (controller): the previous restart must have fully
//     recovered. Missing counts: between the old pod's deletion and its replacement's creation
//     a restarted pod is in no list, and Kafka still reports a controller that stopped seconds
//     ago as a caught-up voter (seen on kind: two controllers down at once, 4 s apart).
//  3. Controllers before brokers; the active controller last among the controllers (a combined
//     cluster: the leader's node last of all).
//  4. A controller only when the caught-up voters without it are still a majority.
//  5. A broker only when every partition it is in sync for keeps min.insync.replicas without it.
//  6. With the RackAtATime strategy, dedicated brokers go by rack (racks in name order, then
//     brokers without a rack one at a time): the outdated brokers of one rack restart together
//     when every partition keeps min.insync.replicas in-sync replicas on brokers outside them.
//     When too few in-sync replicas are outside it because brokers that restarted recently
//     (ready for less than catchUpSeconds: the previous rack) are not back in the ISR yet, it
//     waits for them: the next rack starts once the previous one has caught up. Otherwise that
//     step restarts one broker of the rack with the serial checks, and says why: the rack holds
//     too many replicas of some partition (it can never go together), or replicas elsewhere
//     are out of sync for longer (falling back, not waiting, so they never stall the roll).
import type { Role } from '../model/node-layout.ts';
import type {
  BrokerRegistration,
  ObservedPod,
  PartitionState,
  QuorumState,
} from '../model/observed-state.ts';

export interface RollInput {
  pods: ObservedPod[];
  /** Names of the pods the StatefulSets are to have now (ordinals below their replicas). */
  expectedPods?: readonly string[];
  /** undefined when no controller could be asked. */
  quorum?: QuorumState;
  /** undefined when the brokers could not be asked. */
  partitions?: PartitionState[];
  /** undefined when the brokers could not be asked. */
  registrations?: BrokerRegistration[];
  options?: RollOptions;
  /** spec.roll.strategy; OneAtATime when absent. */
  strategy?: RollStrategy;
  /** broker.rack per node id, as Kafka reports it (DescribeCluster); undefined: unknown. */
  racks?: Readonly<Record<number, string>>;
}

export type RollStrategy = 'OneAtATime' | 'RackAtATime';

export interface RollOptions {
  /** A voter this far behind the leader counts as caught up (metadata log records). */
  maxQuorumLag?: number;
  /** A stale pod running but unready for this long is restarted without waiting. */
  stuckAfterSeconds?: number;
  /** A broker running unready and unregistered this long, with a steady quorum, is restarted. */
  unregisteredAfterSeconds?: number;
  /** Steady quorum: a leader, and every controller pod Ready for at least this long. */
  steadyQuorumSeconds?: number;
  /** RackAtATime: a broker ready for less than this and out of an ISR is still catching up
   *  after its restart, and a rack batch waits for it rather than going one at a time. */
  catchUpSeconds?: number;
}

export type RestartReason =
  'StuckOnStaleSpec' | 'BrokerNotRegistering' | 'SpecChanged' | 'ManualRestart';

export type WaitReason =
  | 'PodMissing'
  | 'PodTerminating'
  | 'PodNotReady'
  | 'BrokerNotRegistered'
  | 'ControllerCatchingUp'
  | 'QuorumUnknown'
  | 'QuorumAtRisk'
  | 'PartitionsUnknown'
  | 'UnderMinIsr'
  | 'ReplicasCatchingUp';

/** One broker of a rack batch. */
export interface BatchMember {
  pod: string;
  nodeId: number;
  reason: 'SpecChanged' | 'ManualRestart';
}

export type RollDecision =
  | { action: 'restart'; pod: string; nodeId: number; reason: RestartReason; message: string }
  /** Two or more outdated brokers of one rack, deleted together (RackAtATime). */
  | { action: 'restart-rack'; rack: string; pods: BatchMember[]; message: string }
  | { action: 'wait'; reason: WaitReason; pod?: string; message: string }
  | { action: 'none' };

const DEFAULTS: Required<RollOptions> = {
  maxQuorumLag: 100,
  stuckAfterSeconds: 300,
  unregisteredAfterSeconds: 120,
  steadyQuorumSeconds: 60,
  catchUpSeconds: 300,
};

export function needsRestart(pod: ObservedPod): boolean {
  return pod.revision !== pod.desiredRevision || pod.restartRequested === true;
}

export function isStuck(pod: ObservedPod, stuckAfterSeconds = DEFAULTS.stuckAfterSeconds): boolean {
  if (pod.terminating) return false;
  if (pod.crashLooping || pod.phase === 'Pending' || pod.phase === 'Failed') return true;
  return !pod.ready && (pod.unreadySeconds ?? 0) >= stuckAfterSeconds;
}

const isControllerRole = (role: Role) => role !== 'broker';
const isBrokerRole = (role: Role) => role !== 'controller';

export function planRoll(input: RollInput): RollDecision {
  const options = { ...DEFAULTS, ...input.options };
  const pods = [...input.pods].sort(byRollOrder(input.quorum?.leaderId));
  const stale = pods.filter(needsRestart);

  const stuck = stale.find((p) => isStuck(p, options.stuckAfterSeconds));
  if (stuck) {
    return restart(
      stuck,
      'StuckOnStaleSpec',
      `${stuck.name} is ${stuckState(stuck)} on an old spec; restarting it onto the new one`,
    );
  }
  const unregistered = notRegistering(pods, input, options);
  if (unregistered) {
    return restart(
      unregistered,
      'BrokerNotRegistering',
      `broker ${unregistered.nodeId} (${unregistered.name}) has not registered in ${unregistered.unreadySeconds}s while the quorum has been steady; restarting it`,
    );
  }
  if (stale.length === 0) return { action: 'none' };

  const unhealthy = firstUnhealthy(pods, input, options);
  if (unhealthy) return unhealthy;

  const byRack = input.strategy === 'RackAtATime';
  for (const pod of byRack ? rackOrder(stale, input.racks) : stale) {
    const rack = byRack && pod.role === 'broker' ? input.racks?.[pod.nodeId] : undefined;
    if (rack !== undefined) return rackStep(rack, stale, input, options);
    const blocked =
      (isControllerRole(pod.role) ? quorumCheck(pod, input.quorum, options) : undefined) ??
      (isBrokerRole(pod.role) ? availabilityCheck(pod, input.partitions) : undefined);
    if (blocked) return blocked;
    return rollStep(pod);
  }
  return { action: 'none' };
}

function restartReason(pod: ObservedPod): 'SpecChanged' | 'ManualRestart' {
  return pod.revision !== pod.desiredRevision ? 'SpecChanged' : 'ManualRestart';
}

function rollStep(pod: ObservedPod, note = ''): RollDecision {
  const reason = restartReason(pod);
  const why =
    reason === 'SpecChanged'
      ? `its spec changed (revision ${pod.revision} -> ${pod.desiredRevision})`
      : 'a restart was requested';
  return restart(pod, reason, `restarting ${pod.name} (node ${pod.nodeId}): ${why}${note}`);
}

/**
 * RackAtATime order: controllers and combined nodes as before (first), then the dedicated
 * brokers with a rack by rack name and node id, then those without a rack by node id. One
 * rack is finished before the next starts, also when it goes one at a time.
 */
function rackOrder(
  stale: readonly ObservedPod[],
  racks: Readonly<Record<number, string>> | undefined,
): ObservedPod[] {
  const rackOf = (p: ObservedPod) => (p.role === 'broker' ? racks?.[p.nodeId] : undefined);
  const others = stale.filter((p) => p.role !== 'broker');
  const racked = stale
    .filter((p) => p.role === 'broker' && rackOf(p) !== undefined)
    .sort((a, b) => rackOf(a)!.localeCompare(rackOf(b)!) || a.nodeId - b.nodeId);
  const rackless = stale.filter((p) => p.role === 'broker' && rackOf(p) === undefined);
  return [...others, ...racked, ...rackless];
}

/**
 * The outdated dedicated brokers of `rack` together, when every partition keeps
 * min.insync.replicas in-sync replicas outside them; a wait while recently restarted brokers
 * elsewhere rejoin the ISR; otherwise one of them, with the serial checks. Every pod is
 * ready and registered here (firstUnhealthy passed).
 */
function rackStep(
  rack: string,
  stale: readonly ObservedPod[],
  input: RollInput,
  options: Required<RollOptions>,
): RollDecision {
  const batch = stale
    .filter((p) => p.role === 'broker' && input.racks?.[p.nodeId] === rack)
    .sort((a, b) => a.nodeId - b.nodeId);
  const first = batch[0]!;
  if (!input.partitions) {
    return wait(
      'PartitionsUnknown',
      first,
      `cannot describe partitions; not restarting the brokers of rack ${rack}`,
    );
  }
  if (batch.length === 1) {
    return (
      availabilityCheck(first, input.partitions) ??
      rollStep(first, ` (the last outdated broker of rack ${rack})`)
    );
  }
  const inBatch = new Set(batch.map((p) => p.nodeId));
  const verdict = rackVerdict(inBatch, input.partitions);
  if (verdict.kind === 'under-min-isr') {
    const catchingUp = catchingUpOutside(inBatch, input, options.catchUpSeconds);
    if (catchingUp.length > 0) {
      const p = verdict.partition;
      return wait(
        'ReplicasCatchingUp',
        first,
        `waiting for broker(s) ${catchingUp.join(',')}, restarted recently, to rejoin the in-sync replicas before rack ${rack} restarts together (${p.topic}-${p.partition}: in sync ${p.isr.join(',')}, min.insync.replicas=${p.minIsr})`,
      );
    }
  }
  if (verdict.kind !== 'ok') {
    // Not together: one broker of the rack, with the serial checks; every step says why.
    const p = verdict.partition;
    const note =
      verdict.kind === 'too-many-in-rack'
        ? `; rack ${rack} goes one broker at a time: ${p.topic}-${p.partition} has ${p.replicas.length - verdict.outside} of its ${p.replicas.length} replicas in it, leaving ${verdict.outside} outside, fewer than min.insync.replicas=${p.minIsr}`
        : `; rack ${rack} goes one broker at a time for now: ${p.topic}-${p.partition} has ${p.isr.filter((id) => !batch.some((b) => b.nodeId === id)).length} in-sync replicas outside it (in sync: ${p.isr.join(',')}), fewer than min.insync.replicas=${p.minIsr}`;
    return availabilityCheck(first, input.partitions) ?? rollStep(first, note);
  }
  return {
    action: 'restart-rack',
    rack,
    pods: batch.map((p) => ({ pod: p.name, nodeId: p.nodeId, reason: restartReason(p) })),
    message: `restarting the ${batch.length} outdated brokers of rack ${rack} together (${batch.map((p) => `${p.name}: ${restartReason(p) === 'SpecChanged' ? 'spec changed' : 'restart requested'}`).join(', ')}); every partition keeps min.insync.replicas in-sync replicas outside the rack`,
  };
}

/**
 * Brokers outside the batch, missing from the ISR of a partition the batch fails for, that
 * became ready less than `catchUpSeconds` ago: just restarted, so they are about to rejoin.
 */
function catchingUpOutside(
  batch: ReadonlySet<number>,
  input: RollInput,
  catchUpSeconds: number,
): number[] {
  const out = new Set<number>();
  for (const p of input.partitions ?? []) {
    if (p.replicas.length <= p.minIsr || !p.isr.some((id) => batch.has(id))) continue;
    if (p.isr.filter((id) => !batch.has(id)).length >= p.minIsr) continue;
    for (const id of p.replicas) {
      if (batch.has(id) || p.isr.includes(id)) continue;
      const pod = input.pods.find((x) => x.nodeId === id && x.role !== 'controller');
      if (pod?.readySeconds !== undefined && pod.readySeconds < catchUpSeconds) out.add(id);
    }
  }
  return [...out].sort((a, b) => a - b);
}

type RackVerdict =
  | { kind: 'ok' }
  /** Fewer than minIsr replicas outside the brokers at all: no state of the ISR helps. */
  | { kind: 'too-many-in-rack'; partition: PartitionState; outside: number }
  /** Enough replicas outside, but not enough of them in sync now. */
  | { kind: 'under-min-isr'; partition: PartitionState };

/**
 * Whether restarting `brokers` together keeps every partition at min.insync.replicas. A
 * partition with RF <= min.insync.replicas is skipped, as in the serial check; so is one none
 * of the brokers is in sync for (their restart takes nothing from it). A structural failure
 * is reported before a transient one: it decides how the rack rolls.
 */
export function rackVerdict(
  brokers: ReadonlySet<number>,
  partitions: readonly PartitionState[],
): RackVerdict {
  let transient: RackVerdict | undefined;
  for (const p of partitions) {
    if (p.replicas.length <= p.minIsr) continue;
    if (!p.isr.some((id) => brokers.has(id))) continue;
    const outside = p.replicas.filter((id) => !brokers.has(id)).length;
    if (outside < p.minIsr) return { kind: 'too-many-in-rack', partition: p, outside };
    const inSyncOutside = p.isr.filter((id) => !brokers.has(id)).length;
    if (inSyncOutside < p.minIsr) transient ??= { kind: 'under-min-isr', partition: p };
  }
  return transient ?? { kind: 'ok' };
}

/** A dedicated broker unready and unregistered for long, while the quorum is steady. */
export function notRegistering(
  pods: readonly ObservedPod[],
  input: RollInput,
  options: Required<RollOptions>,
): ObservedPod | undefined {
  const { quorum, registrations, partitions } = input;
  if (quorum === undefined || registrations === undefined || partitions === undefined) {
    return undefined;
  }
  const controllers = pods.filter((p) => p.role === 'controller');
  const steady =
    controllers.length > 0 &&
    controllers.every(
      (p) => p.ready && !p.terminating && (p.readySeconds ?? 0) >= options.steadyQuorumSeconds,
    );
  if (!steady) return undefined;
  return pods.find(
    (p) =>
      p.role === 'broker' &&
      p.phase === 'Running' &&
      !p.ready &&
      !p.terminating &&
      // A crashing broker restarts by itself, with Kubernetes' back-off; the stuck one never exits.
      !p.crashLooping &&
      (p.unreadySeconds ?? 0) >= options.unregisteredAfterSeconds &&
      !registrations.some((r) => r.nodeId === p.nodeId) &&
      // Never the case for a broker that never registered; checked all the same, so that
      // no restart ever takes an in-sync replica away.
      !partitions.some((x) => x.isr.includes(p.nodeId)),
  );
}

/** Dedicated controllers first, then brokers; the quorum leader last within its group. */
function byRollOrder(leaderId: number | undefined) {
  const rank = (p: ObservedPod) =>
    (p.role === 'controller' ? 0 : 1) * 2 + (p.nodeId === leaderId ? 1 : 0);
  return (a: ObservedPod, b: ObservedPod) => rank(a) - rank(b) || a.nodeId - b.nodeId;
}

function firstUnhealthy(
  pods: ObservedPod[],
  input: RollInput,
  options: Required<RollOptions>,
): RollDecision | undefined {
  const missing = (input.expectedPods ?? []).find((name) => !pods.some((p) => p.name === name));
  if (missing !== undefined) {
    return {
      action: 'wait',
      reason: 'PodMissing',
      pod: missing,
      message: `${missing} does not exist yet; waiting for it to be created and ready`,
    };
  }
  for (const pod of pods) {
    if (pod.terminating)
      return wait(
        'PodTerminating',
        pod,
        `${pod.name} is shutting down; waiting for it to come back`,
      );
    if (!pod.ready || pod.phase !== 'Running')
      return wait('PodNotReady', pod, `waiting for ${pod.name} to be ready`);
  }
  for (const pod of pods.filter((p) => isBrokerRole(p.role))) {
    if (input.registrations === undefined) continue;
    const reg = input.registrations.find((r) => r.nodeId === pod.nodeId);
    if (!reg || reg.fenced) {
      return wait(
        'BrokerNotRegistered',
        pod,
        `waiting for broker ${pod.nodeId} (${pod.name}) to register with the controllers and be unfenced`,
      );
    }
  }
  for (const pod of pods.filter((p) => isControllerRole(p.role))) {
    const voter = input.quorum?.voters.find((v) => v.nodeId === pod.nodeId);
    if (voter && voter.nodeId !== input.quorum!.leaderId && voter.lag > options.maxQuorumLag) {
      return wait(
        'ControllerCatchingUp',
        pod,
        `waiting for controller ${pod.nodeId} to catch up with the quorum leader (${voter.lag} records behind)`,
      );
    }
  }
  return undefined;
}

function quorumCheck(
  pod: ObservedPod,
  quorum: QuorumState | undefined,
  options: Required<RollOptions>,
): RollDecision | undefined {
  if (!quorum)
    return wait(
      'QuorumUnknown',
      pod,
      `cannot describe the KRaft quorum; not restarting controller ${pod.nodeId}`,
    );
  const voters = quorum.voters;
  if (!voters.some((v) => v.nodeId === pod.nodeId)) return undefined; // an observer: not part of the majority
  const majority = Math.floor(voters.length / 2) + 1;
  const caughtUpOthers = voters.filter(
    (v) =>
      v.nodeId !== pod.nodeId && (v.nodeId === quorum.leaderId || v.lag <= options.maxQuorumLag),
  ).length;
  if (voters.length > 1 && caughtUpOthers < majority) {
    return wait(
      'QuorumAtRisk',
      pod,
      `restarting controller ${pod.nodeId} would leave ${caughtUpOthers} caught-up voters of ${voters.length}, fewer than the majority ${majority}`,
    );
  }
  return undefined;
}

function availabilityCheck(
  pod: ObservedPod,
  partitions: PartitionState[] | undefined,
): RollDecision | undefined {
  if (!partitions)
    return wait(
      'PartitionsUnknown',
      pod,
      `cannot describe partitions; not restarting broker ${pod.nodeId}`,
    );
  for (const p of partitions) {
    if (!p.isr.includes(pod.nodeId)) continue; // not in sync: its restart takes nothing away
    // A partition whose replication factor is at or below min.insync.replicas cannot survive
    // any single restart; blocking on it would block every roll forever (as Strimzi decides).
    if (p.replicas.length <= p.minIsr) continue;
    if (p.isr.length - 1 < p.minIsr) {
      return wait(
        'UnderMinIsr',
        pod,
        `restarting broker ${pod.nodeId} would take ${p.topic}-${p.partition} below min.insync.replicas=${p.minIsr} (in sync: ${p.isr.join(',')})`,
      );
    }
  }
  return undefined;
}

function stuckState(pod: ObservedPod): string {
  if (pod.crashLooping) return 'in CrashLoopBackOff';
  if (pod.phase === 'Pending') return 'Pending';
  if (pod.phase === 'Failed') return 'Failed';
  return `unready for ${pod.unreadySeconds}s`;
}

function restart(pod: ObservedPod, reason: RestartReason, message: string): RollDecision {
  return { action: 'restart', pod: pod.name, nodeId: pod.nodeId, reason, message };
}

function wait(reason: WaitReason, pod: ObservedPod, message: string): RollDecision {
  return { action: 'wait', reason, pod: pod.name, message };
}
