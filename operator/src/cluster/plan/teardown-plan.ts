// The order in which a deleted KafkaCluster goes away. Pure and level-triggered, like the other
// planners: it looks at what is left now and says what to delete next, or what to wait for.
//
// Why an order at all: when garbage collection removes brokers and controllers together, each
// broker starts a controlled shutdown, cannot reach the departing quorum and waits out its
// terminationGracePeriodSeconds (120 s). Brokers first, while the controllers still answer,
// shut down in seconds; the controllers after them have nobody left to wait for.
//
// Stages (dedicated controllers; a combined cluster has no one to order and just goes, unless
// its claims are to be deleted: then its StatefulSet is stage 1 and its pods are waited for):
//  1. Delete the broker StatefulSet. Deleting it (rather than scaling it to 0) is what garbage
//     collection would have done a moment later anyway, and no field of a spec we own by
//     server-side apply is rewritten. Its claims stay: the StatefulSets retain them (Retain).
//  2. Wait until no broker pod is left. A Pending pod runs no Kafka, so it is deleted at once
//     (grace period 0) instead of being waited for. A pod still there well past the end of
//     its own grace period has a kubelet that is not answering (its node is gone or cut off):
//     it is not waited for any longer; the API object stays until the pod garbage collector
//     (node deleted) or a person removes it, as it would without the operator.
//  3. The same for the controller StatefulSet.
//  4. With deleteClaim: true, delete that role's claims, now that no pod uses them; with false
//     they stay, for a cluster created again under the same name or for a person to remove.
//  5. Done: the finalizer goes and garbage collection removes the rest (Services, ConfigMap,
//     PDBs).
// Past `maxWaitSeconds` after the KafkaCluster's deletion the plan is done whatever is left,
// so a broken garbage collector or a stuck pod can never keep the KafkaCluster forever; the
// claims are deleted then too (pvc-protection keeps each until no pod uses it).
import type { Role } from '../model/node-layout.ts';

export interface TeardownStatefulSet {
  name: string;
  uid: string;
  /** It already has a deletionTimestamp. */
  deleting: boolean;
}

export interface TeardownPod {
  name: string;
  uid: string;
  role: Role;
  phase: string;
  /** metadata.deletionTimestamp: when the kubelet should have killed it at the latest. */
  deletionDeadline?: Date;
}

export interface TeardownClaim {
  name: string;
  uid: string;
  role: Role;
  /** It already has a deletionTimestamp. */
  deleting: boolean;
}

export interface TeardownInput {
  /** The roles the cluster has: ['controller', 'broker'] or ['combined']. */
  roles: readonly Role[];
  /** StatefulSets owned by this KafkaCluster, by role; missing ones are gone. */
  statefulSets: Partial<Record<Role, TeardownStatefulSet>>;
  /** Pods of this cluster that belong to it (not to a StatefulSet orphaned away from it). */
  pods: readonly TeardownPod[];
  /** Roles whose storage says deleteClaim: true. */
  deleteClaimRoles?: readonly Role[];
  /** The cluster's claims (listed only when some role deletes them). */
  claims?: readonly TeardownClaim[];
  /** The KafkaCluster's deletionTimestamp. */
  deletedAt: Date;
  now: Date;
  options?: TeardownOptions;
}

export interface TeardownOptions {
  /** How long past its deletion deadline a terminating pod is still waited for. */
  unresponsiveAfterSeconds?: number;
  /** After this long since the KafkaCluster's deletion, nothing is waited for any longer. */
  maxWaitSeconds?: number;
}

export type TeardownStep =
  | { action: 'delete-statefulset'; role: Role; name: string; uid: string }
  | { action: 'delete-pod'; name: string; uid: string; message: string }
  | { action: 'delete-claim'; role: Role; name: string; uid: string; message: string };

export interface TeardownPlan {
  /** Deletions to send now (idempotent: a repeat is a 404 or a precondition failure). */
  steps: TeardownStep[];
  /** true: the finalizer may go. */
  done: boolean;
  /** Why it is not done yet, or what was given up on. */
  message: string;
  /** Pods no longer waited for (unresponsive kubelet, or the overall limit reached). */
  abandoned: string[];
}

const DEFAULTS: Required<TeardownOptions> = {
  unresponsiveAfterSeconds: 30,
  // The brokers' and the controllers' grace periods (120 s each) with room to spare.
  maxWaitSeconds: 600,
};

/** How long a teardown waits at most, for pods with this grace period: both stages and more. */
export function teardownMaxWaitSeconds(terminationGracePeriodSeconds: number): number {
  return Math.max(DEFAULTS.maxWaitSeconds, 2 * terminationGracePeriodSeconds + 360);
}

export function planTeardown(input: TeardownInput): TeardownPlan {
  const options = { ...DEFAULTS, ...input.options };
  const claimSteps = claimDeletions(input);
  const combined = !input.roles.includes('controller');
  if (combined && claimSteps.length === 0) {
    return { steps: [], done: true, message: 'combined nodes: nothing to order', abandoned: [] };
  }
  const elapsed = (input.now.getTime() - input.deletedAt.getTime()) / 1000;
  if (elapsed >= options.maxWaitSeconds) {
    const left = input.pods.map((p) => p.name);
    return {
      steps: claimSteps,
      done: true,
      message: `gave up ordering the teardown after ${options.maxWaitSeconds}s`,
      abandoned: left,
    };
  }
  const abandoned: string[] = [];
  const stages: Role[] = combined ? ['combined'] : ['broker', 'controller'];
  for (const role of stages) {
    const steps: TeardownStep[] = [];
    const sts = input.statefulSets[role];
    if (sts && !sts.deleting) {
      steps.push({ action: 'delete-statefulset', role, name: sts.name, uid: sts.uid });
    }
    const waitingFor: string[] = [];
    for (const pod of input.pods.filter((p) => p.role === role)) {
      const deadline = pod.deletionDeadline?.getTime();
      if (pod.phase === 'Pending' && (deadline === undefined || deadline > input.now.getTime())) {
        // Nothing runs Kafka in it yet: there is no shutdown to wait for.
        steps.push({
          action: 'delete-pod',
          name: pod.name,
          uid: pod.uid,
          message: `${pod.name} is Pending: deleted without a grace period`,
        });
        waitingFor.push(pod.name);
        continue;
      }
      if (
        deadline !== undefined &&
        input.now.getTime() > deadline + options.unresponsiveAfterSeconds * 1000
      ) {
        abandoned.push(pod.name);
        continue;
      }
      waitingFor.push(pod.name);
    }
    if (steps.length > 0 || waitingFor.length > 0) {
      const what = role === 'combined' ? 'nodes' : `${role}s`;
      return {
        steps,
        done: false,
        message:
          waitingFor.length > 0
            ? `waiting for the ${what} to stop: ${waitingFor.join(', ')}`
            : `stopping the ${what}`,
        abandoned,
      };
    }
  }
  const stopped = combined ? 'nodes stopped' : 'brokers and controllers stopped';
  return {
    steps: claimSteps,
    done: true,
    message:
      abandoned.length > 0
        ? `no longer waiting for ${abandoned.join(', ')} (past their grace period; node unreachable?)`
        : claimSteps.length > 0
          ? `${stopped}; deleting ${claimSteps.length} claim(s) (deleteClaim: true)`
          : stopped,
    abandoned,
  };
}

function claimDeletions(input: TeardownInput): TeardownStep[] {
  const roles = new Set(input.deleteClaimRoles ?? []);
  return (input.claims ?? [])
    .filter((c) => roles.has(c.role) && !c.deleting)
    .map((c) => ({
      action: 'delete-claim' as const,
      role: c.role,
      name: c.name,
      uid: c.uid,
      message: `deleting ${c.name}: the cluster is deleted and its storage says deleteClaim: true`,
    }));
}
