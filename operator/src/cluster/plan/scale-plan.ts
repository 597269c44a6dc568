// Safe scaling, one step per reconcile (level-triggered: each call recomputes from what it sees).
//
// Brokers up: grow the StatefulSet; new brokers register by themselves.
// Brokers down (highest ordinals leave): refuse if some topic's replication factor exceeds the
// brokers that would remain; else reassign the leaving brokers' replicas onto the remaining
// ones, wait for the reassignment, shrink only when they hold no replica, then unregister them.
// Controllers (KIP-853 dynamic quorum), one voter change at a time and never below a majority
// of caught-up voters: up = grow the StatefulSet, then add-controller each new node once it
// runs as an observer; down = remove-controller first, shrink after. A voter that came back
// with a new directory id (lost disk) is replaced: remove the old directory, add the new one.
// Combined nodes follow both: drain, remove from the quorum, shrink; grow, add to the quorum.
import { idBaseFor } from '../model/node-layout.ts';
import type { Role } from '../model/node-layout.ts';
import type {
  BrokerRegistration,
  ObservedPod,
  PartitionState,
  QuorumState,
} from '../model/observed-state.ts';
import { planDrain } from './drain-plan.ts';
import { claimName } from './storage-plan.ts';
import type { PartitionMove } from './drain-plan.ts';

export interface ScaleInput {
  /** Wanted replicas per role (spec). Dedicated: broker + controller; combined: combined. */
  desired: Partial<Record<Role, number>>;
  /** StatefulSet spec.replicas now, per role. */
  current: Partial<Record<Role, number>>;
  pods: ObservedPod[];
  quorum?: QuorumState;
  partitions?: PartitionState[];
  registrations?: BrokerRegistration[];
  /** Partitions with a reassignment under way (listPartitionReassignments). */
  reassigning?: { topic: string; partition: number }[];
  /** broker.rack per node id, to keep replicas spread when draining. */
  racks?: Record<number, string>;
  options?: { maxQuorumLag?: number };
}

export type ScaleRefusal = 'ReplicationFactorTooHigh' | 'StaticQuorum' | 'QuorumTooSmall';

export type ScaleWait =
  | 'PartitionsUnknown'
  | 'QuorumUnknown'
  | 'ReassignmentInProgress'
  | 'QuorumAtRisk'
  | 'WaitingForObserver';

export type ScaleAction =
  | { action: 'set-replicas'; role: Role; replicas: number; message: string }
  | { action: 'reassign'; moves: PartitionMove[]; message: string }
  | {
      action: 'add-controller';
      nodeId: number;
      /** The observer's directory id, for Admin.addRaftVoter (with the pod's CONTROLLER endpoint). */
      directoryId?: string;
      /** The pod, to run kafka-metadata-quorum add-controller in instead (it reads the node's config). */
      pod: string;
      message: string;
    }
  | { action: 'remove-controller'; nodeId: number; directoryId?: string; message: string }
  | { action: 'unregister-broker'; nodeId: number; message: string }
  | { action: 'wait'; reason: ScaleWait; message: string }
  | { action: 'refuse'; reason: ScaleRefusal; message: string };

/** The steps to take now: at most one per independent track (brokers, quorum). */
export function planScale(input: ScaleInput): ScaleAction[] {
  const combined = input.desired.combined !== undefined;
  if (combined) {
    const step = brokerTrack(input, 'combined') ?? quorumTrack(input, 'combined');
    return step ? [step] : [];
  }
  return [brokerTrack(input, 'broker'), quorumTrack(input, 'controller')].filter(
    (a): a is ScaleAction => a !== undefined,
  );
}

function brokerTrack(input: ScaleInput, role: Role): ScaleAction | undefined {
  const desired = input.desired[role] ?? 0;
  const current = input.current[role] ?? 0;
  const base = idBaseFor(role);
  if (desired > current) {
    return {
      action: 'set-replicas',
      role,
      replicas: desired,
      message: `adding ${desired - current} ${nodes(role)} (${current} -> ${desired})`,
    };
  }
  if (desired < current) return scaleDown(input, role, desired, current, base);
  return unregisterGone(input, role, current, base);
}

function scaleDown(
  input: ScaleInput,
  role: Role,
  desired: number,
  current: number,
  base: number,
): ScaleAction | undefined {
  const leaving = range(base + desired, base + current);
  const remaining = range(base, base + desired);
  if (!input.partitions)
    return {
      action: 'wait',
      reason: 'PartitionsUnknown',
      message: `cannot describe partitions; not removing ${nodes(role)} ${leaving.join(', ')}`,
    };
  const tooWide = input.partitions.filter((p) => p.replicas.length > desired);
  if (tooWide.length > 0) {
    const topics = [...new Set(tooWide.map((p) => `${p.topic} (RF ${p.replicas.length})`))].sort();
    return {
      action: 'refuse',
      reason: 'ReplicationFactorTooHigh',
      message: `cannot scale ${nodes(role)} down to ${desired}: ${topics.join(', ')} need more brokers than would remain; lower their replication factor or keep ${Math.max(...tooWide.map((p) => p.replicas.length))} brokers`,
    };
  }
  if (role === 'combined' && desired < 1) {
    return {
      action: 'refuse',
      reason: 'QuorumTooSmall',
      message: 'a combined cluster needs at least one node',
    };
  }
  if ((input.reassigning ?? []).length > 0) {
    return {
      action: 'wait',
      reason: 'ReassignmentInProgress',
      message: `waiting for ${input.reassigning!.length} partition reassignment(s) to finish`,
    };
  }
  const holding = input.partitions.filter((p) => p.replicas.some((id) => leaving.includes(id)));
  if (holding.length > 0) {
    const moves = planDrain(input.partitions, leaving, remaining, input.racks);
    return {
      action: 'reassign',
      moves,
      message: `moving ${moves.length} partition(s) off ${nodes(role)} ${leaving.join(', ')} before removing them`,
    };
  }
  if (role === 'combined') {
    const voterStep = removeLeavingVoters(input, role, leaving);
    if (voterStep) return voterStep;
  }
  return {
    action: 'set-replicas',
    role,
    replicas: desired,
    message: `${nodes(role)} ${leaving.join(', ')} hold no replicas; removing them (${current} -> ${desired})`,
  };
}

/** Registered brokers whose pods are gone for good (scaled away): unregister them. */
function unregisterGone(
  input: ScaleInput,
  role: Role,
  current: number,
  base: number,
): ScaleAction | undefined {
  const live = new Set(input.pods.map((p) => p.nodeId));
  const gone = (input.registrations ?? [])
    .filter((r) => r.nodeId >= base + current && !live.has(r.nodeId))
    .sort((a, b) => a.nodeId - b.nodeId)[0];
  if (!gone) return undefined;
  return {
    action: 'unregister-broker',
    nodeId: gone.nodeId,
    message: `broker ${gone.nodeId} was scaled away; unregistering it`,
  };
}

function quorumTrack(input: ScaleInput, role: Role): ScaleAction | undefined {
  const desired = input.desired[role] ?? 0;
  const current = input.current[role] ?? 0;
  const base = idBaseFor(role);
  const q = input.quorum;
  const controllerPods = input.pods.filter((p) => p.role === role);
  const wanted = new Set(range(base, base + desired));
  const changeNeeded =
    desired !== current ||
    (q !== undefined &&
      (q.voters.some((v) => !wanted.has(v.nodeId)) ||
        controllerPods.some(
          (p) => wanted.has(p.nodeId) && !q.voters.some((v) => v.nodeId === p.nodeId),
        ) ||
        controllerPods.some((p) => replacedDirectory(q, p.nodeId) !== undefined)));
  if (!changeNeeded) return undefined;
  if (!q)
    return {
      action: 'wait',
      reason: 'QuorumUnknown',
      message: 'cannot describe the KRaft quorum; not changing its membership',
    };
  if (q.kraftVersion === 0) {
    return {
      action: 'refuse',
      reason: 'StaticQuorum',
      message:
        'the quorum uses static voters (kraft.version 0); controllers cannot be added or removed',
    };
  }
  const maxLag = input.options?.maxQuorumLag ?? 100;
  // Scale-up: grow first, then promote observers one at a time.
  if (role === 'controller' && desired > current) {
    return {
      action: 'set-replicas',
      role,
      replicas: desired,
      message: `adding ${desired - current} controller(s) (${current} -> ${desired}); each joins the quorum once it runs`,
    };
  }
  // A voter that lost its disk comes back as an observer with a new directory id.
  for (const p of [...controllerPods].sort((a, b) => a.nodeId - b.nodeId)) {
    const oldDirectory = replacedDirectory(q, p.nodeId);
    if (oldDirectory === undefined) continue;
    const risk = majorityRisk(q, p.nodeId, q.voters.length - 1, maxLag);
    if (risk) return risk;
    return {
      action: 'remove-controller',
      nodeId: p.nodeId,
      directoryId: oldDirectory,
      message: `controller ${p.nodeId} came back with a new disk; removing its old voter entry so it can rejoin`,
    };
  }
  // Remove voters that should not be there, highest first, before their pods go away.
  const extra = q.voters
    .filter((v) => !wanted.has(v.nodeId))
    .sort((a, b) => b.nodeId - a.nodeId)[0];
  if (extra) {
    if (q.voters.length <= 1)
      return {
        action: 'refuse',
        reason: 'QuorumTooSmall',
        message: 'the last voter of the quorum cannot be removed',
      };
    const risk = majorityRisk(q, extra.nodeId, q.voters.length - 1, maxLag);
    if (risk) return risk;
    return {
      action: 'remove-controller',
      nodeId: extra.nodeId,
      directoryId: extra.directoryId,
      message: `removing controller ${extra.nodeId} from the quorum (${q.voters.length} -> ${q.voters.length - 1} voters)`,
    };
  }
  // Promote running observers that should be voters, lowest first.
  const candidate = [...controllerPods]
    .sort((a, b) => a.nodeId - b.nodeId)
    .find((p) => wanted.has(p.nodeId) && !q.voters.some((v) => v.nodeId === p.nodeId));
  if (candidate) {
    const observer = q.observers.find((o) => o.nodeId === candidate.nodeId);
    if (!candidate.ready || !observer || observer.lag > maxLag) {
      return {
        action: 'wait',
        reason: 'WaitingForObserver',
        message: `waiting for controller ${candidate.nodeId} to run and catch up as an observer before it joins the quorum`,
      };
    }
    const laggingVoters = q.voters.filter((v) => v.nodeId !== q.leaderId && v.lag > maxLag);
    if (laggingVoters.length > 0) {
      return {
        action: 'wait',
        reason: 'QuorumAtRisk',
        message: `waiting for voters ${laggingVoters.map((v) => v.nodeId).join(', ')} to catch up before changing the quorum`,
      };
    }
    return {
      action: 'add-controller',
      nodeId: candidate.nodeId,
      ...(observer.directoryId ? { directoryId: observer.directoryId } : {}),
      pod: candidate.name,
      message: `adding controller ${candidate.nodeId} to the quorum (${q.voters.length} -> ${q.voters.length + 1} voters)`,
    };
  }
  // Dedicated scale-down: the leaving controllers are out of the quorum; their pods can go.
  if (role === 'controller' && desired < current) {
    return {
      action: 'set-replicas',
      role,
      replicas: desired,
      message: `controllers ${range(base + desired, base + current).join(', ')} left the quorum; removing their pods (${current} -> ${desired})`,
    };
  }
  return undefined;
}

/** Combined scale-down: the leaving nodes leave the quorum before their pods go. */
function removeLeavingVoters(
  input: ScaleInput,
  role: Role,
  leaving: number[],
): ScaleAction | undefined {
  const q = input.quorum;
  if (!q)
    return {
      action: 'wait',
      reason: 'QuorumUnknown',
      message: 'cannot describe the KRaft quorum; not removing nodes',
    };
  const voter = q.voters
    .filter((v) => leaving.includes(v.nodeId))
    .sort((a, b) => b.nodeId - a.nodeId)[0];
  if (!voter) return undefined;
  if (q.kraftVersion === 0)
    return {
      action: 'refuse',
      reason: 'StaticQuorum',
      message: 'the quorum uses static voters (kraft.version 0); nodes cannot leave it',
    };
  const risk = majorityRisk(
    q,
    voter.nodeId,
    q.voters.length - 1,
    input.options?.maxQuorumLag ?? 100,
  );
  if (risk) return risk;
  return {
    action: 'remove-controller',
    nodeId: voter.nodeId,
    directoryId: voter.directoryId,
    message: `removing ${nodes(role)} ${voter.nodeId} from the quorum before its pod goes away`,
  };
}

/** Removing `nodeId` must leave a majority of the new voter set caught up. */
function majorityRisk(
  q: QuorumState,
  nodeId: number,
  newSize: number,
  maxLag: number,
): ScaleAction | undefined {
  const caughtUp = q.voters.filter(
    (v) => v.nodeId !== nodeId && (v.nodeId === q.leaderId || v.lag <= maxLag),
  ).length;
  const majority = Math.floor(newSize / 2) + 1;
  if (newSize < 1 || caughtUp < majority) {
    return {
      action: 'wait',
      reason: 'QuorumAtRisk',
      message: `removing voter ${nodeId} would leave ${caughtUp} caught-up voters of ${newSize}, fewer than the majority ${majority}`,
    };
  }
  return undefined;
}

/** The voter's directory id when the same node now runs as an observer with another one. */
function replacedDirectory(q: QuorumState, nodeId: number): string | undefined {
  const voter = q.voters.find((v) => v.nodeId === nodeId);
  const observer = q.observers.find((o) => o.nodeId === nodeId);
  if (!voter?.directoryId || !observer?.directoryId || voter.directoryId === observer.directoryId)
    return undefined;
  return voter.directoryId;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

function nodes(role: Role): string {
  return role === 'combined' ? 'nodes' : `${role}s`;
}

/**
 * The StatefulSet sizes to render this round: the current size of each existing StatefulSet
 * unless a set-replicas step changes it, and the spec's size for one not created yet. Passing
 * this to renderCluster keeps a scale-down from skipping the drain.
 */
export function replicasToRender(
  desired: Partial<Record<Role, number>>,
  current: Partial<Record<Role, number>>,
  steps: ScaleAction[],
): Partial<Record<Role, number>> {
  const out: Partial<Record<Role, number>> = {};
  for (const role of Object.keys(desired) as Role[]) {
    const step = steps.find((s) => s.action === 'set-replicas' && s.role === role);
    out[role] = step?.action === 'set-replicas' ? step.replicas : (current[role] ?? desired[role]);
  }
  return out;
}

/** A PersistentVolumeClaim of the cluster, as listed by its labels. */
export interface ClusterClaim {
  name: string;
  uid: string;
  /** It already has a deletionTimestamp (deleted, or held by pvc-protection). */
  deleting: boolean;
}

export interface ClaimDeletionInput {
  /** Each role's StatefulSet and whether its storage says deleteClaim: true. */
  roles: readonly { role: Role; statefulSetName: string; deleteClaim: boolean }[];
  desired: Partial<Record<Role, number>>;
  /** StatefulSet spec.replicas now; a role without a StatefulSet deletes nothing. */
  current: Partial<Record<Role, number>>;
  claims: readonly ClusterClaim[];
  /** Names of every pod of the cluster that exists, terminating ones included. */
  podNames: readonly string[];
  registrations?: BrokerRegistration[];
  quorum?: QuorumState;
}

export interface ClaimDeletion {
  name: string;
  uid: string;
  role: Role;
  nodeId: number;
  message: string;
}

export interface ClaimDeletionPlan {
  /** DELETE these now, each with its uid as precondition. */
  delete: ClaimDeletion[];
  /** Claims of scaled-away nodes to delete later, with what they wait for. */
  waiting: string[];
}

/**
 * The claims of scaled-away nodes to delete (deleteClaim: true only). The StatefulSets keep
 * their claims (retention Retain), so a claim goes only at the end of the scale-down: after
 * the drain and set-replicas, once the pod is gone and Kafka no longer knows the node (no
 * broker registration, not a voter). A claim whose ordinal the spec wants again, or whose
 * node Kafka cannot be asked about, is kept.
 */
export function planClaimDeletion(input: ClaimDeletionInput): ClaimDeletionPlan {
  const plan: ClaimDeletionPlan = { delete: [], waiting: [] };
  const pods = new Set(input.podNames);
  for (const r of input.roles) {
    const current = input.current[r.role];
    if (!r.deleteClaim || current === undefined) continue;
    const keep = Math.max(current, input.desired[r.role] ?? 0);
    const prefix = claimName(r.statefulSetName, 0).slice(0, -1);
    for (const claim of input.claims) {
      const ordinalText = claim.name.startsWith(prefix) ? claim.name.slice(prefix.length) : '';
      if (!/^(0|[1-9][0-9]*)$/.test(ordinalText) || claim.deleting) continue;
      const ordinal = Number(ordinalText);
      if (ordinal < keep) continue;
      const nodeId = idBaseFor(r.role) + ordinal;
      const why = stillKnown(input, r.role, nodeId, `${r.statefulSetName}-${ordinal}`, pods);
      if (why) {
        plan.waiting.push(`${claim.name}: ${why}`);
        continue;
      }
      plan.delete.push({
        name: claim.name,
        uid: claim.uid,
        role: r.role,
        nodeId,
        message: `node ${nodeId} was scaled away (drained, pod gone, no longer in the cluster); deleting its claim ${claim.name} (deleteClaim: true)`,
      });
    }
  }
  return plan;
}

/** Why the scaled-away node's claim must stay for now; undefined when it may go. */
function stillKnown(
  input: ClaimDeletionInput,
  role: Role,
  nodeId: number,
  pod: string,
  pods: ReadonlySet<string>,
): string | undefined {
  if (pods.has(pod)) return `pod ${pod} still exists`;
  if (role !== 'controller') {
    if (!input.registrations) return `cannot ask Kafka whether broker ${nodeId} is registered`;
    if (input.registrations.some((b) => b.nodeId === nodeId))
      return `broker ${nodeId} is still registered`;
  }
  if (role !== 'broker') {
    if (!input.quorum) return `cannot describe the quorum to see whether ${nodeId} left it`;
    if (input.quorum.voters.some((v) => v.nodeId === nodeId))
      return `node ${nodeId} is still a voter`;
  }
  return undefined;
}
