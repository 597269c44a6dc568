// The KafkaCluster reconciler's pure glue: wire-shaped objects from the informer caches and
// Kafka's answers become the core's inputs, and a scale step becomes Kafka requests. No
// clients here; observe-cluster.ts does the reading, the apply steps the writing.
import type { V1Pod } from '@kubernetes/client-node';
import type {
  BrokerRegistrationInfo,
  PartitionInfo,
  QuorumDescription,
} from '../../kafka/cluster-port.ts';
import type { KubeObject, OwnerReference } from '../../runtime/resource.ts';
import type { ClusterRef } from '../cluster-spec.ts';
import type { ObservedStatefulSet } from '../plan/cluster-status.ts';
import type { PartitionMove } from '../plan/drain-plan.ts';
import { CLUSTER_LABEL } from '../model/labels.ts';
import type { Role, RoleLayout } from '../model/node-layout.ts';
import { observePod } from './observe-pod.ts';
import type { NodeFacts } from './nodes.ts';
import type {
  BrokerRegistration,
  ObservedPod,
  PartitionState,
  QuorumState,
} from '../model/observed-state.ts';

/** A StatefulSet as the API server sends it (the fields read here). */
export interface StatefulSetObject extends KubeObject {
  spec?: {
    replicas?: number;
    volumeClaimTemplates?: { spec?: { resources?: { requests?: { storage?: string } } } }[];
  };
  status?: {
    replicas?: number;
    readyReplicas?: number;
    updateRevision?: string;
    currentRevision?: string;
  };
}

/** A Pod as the API server sends it: RFC 3339 strings where client-node's V1Pod has Dates. */
export interface PodObject extends KubeObject {
  status?: Record<string, unknown>;
}

/** spec.replicas of the StatefulSets that exist, per role. */
export function currentReplicas(
  statefulSets: Partial<Record<Role, StatefulSetObject>>,
): Partial<Record<Role, number>> {
  const out: Partial<Record<Role, number>> = {};
  for (const [role, sts] of Object.entries(statefulSets) as [Role, StatefulSetObject][]) {
    out[role] = sts.spec?.replicas ?? 0;
  }
  return out;
}

/** The claim size existing StatefulSets were created with (their templates are immutable). */
export function existingClaimSizes(
  statefulSets: Partial<Record<Role, StatefulSetObject>>,
): Partial<Record<Role, string>> {
  const out: Partial<Record<Role, string>> = {};
  for (const [role, sts] of Object.entries(statefulSets) as [Role, StatefulSetObject][]) {
    const size = sts.spec?.volumeClaimTemplates?.[0]?.spec?.resources?.requests?.storage;
    if (size) out[role] = size;
  }
  return out;
}

export function observedStatefulSets(
  statefulSets: Partial<Record<Role, StatefulSetObject>>,
): Partial<Record<Role, ObservedStatefulSet>> {
  const out: Partial<Record<Role, ObservedStatefulSet>> = {};
  for (const [role, sts] of Object.entries(statefulSets) as [Role, StatefulSetObject][]) {
    out[role] = {
      replicas: sts.status?.replicas ?? 0,
      readyReplicas: sts.status?.readyReplicas ?? 0,
    };
  }
  return out;
}

/**
 * The cluster's pods as the planners see them. A pod of a role whose StatefulSet has no
 * updateRevision yet is left out: without it nobody can tell whether it is stale.
 */
export function observePods(
  cluster: ClusterRef,
  layouts: readonly RoleLayout[],
  pods: readonly PodObject[],
  statefulSets: Partial<Record<Role, StatefulSetObject>>,
  now: Date,
  nodes?: (name: string) => NodeFacts | undefined,
): ObservedPod[] {
  const roles = new Set(layouts.map((l) => l.role));
  const out: ObservedPod[] = [];
  for (const pod of pods) {
    if (pod.metadata?.labels?.[CLUSTER_LABEL] !== cluster.name) continue;
    // The cache holds wire JSON (timestamps as strings); observePod reads timestamps only
    // through `new Date(...)` and presence checks, which treat a string like a Date.
    const role = pod.metadata?.labels?.['kraftwerk.dev/role'] as Role | undefined;
    if (!role || !roles.has(role)) continue;
    const revision = statefulSets[role]?.status?.updateRevision;
    if (!revision) continue;
    const observed = observePod(pod as unknown as V1Pod, revision, now, nodes);
    if (observed) out.push(observed);
  }
  return out.sort((a, b) => a.nodeId - b.nodeId);
}

export function quorumState(
  q: QuorumDescription,
  features: Readonly<Record<string, number>> | undefined,
): QuorumState {
  // ApiVersions lists finalized features above level 0 only: absent means kraft.version 0,
  // a static quorum. Without the features at all, it is unknown.
  const kraftVersion = features === undefined ? undefined : (features['kraft.version'] ?? 0);
  return {
    leaderId: q.leaderId,
    voters: q.voters.map((v) => ({
      nodeId: v.nodeId,
      ...(v.directoryId ? { directoryId: v.directoryId } : {}),
      lag: v.lag,
    })),
    observers: q.observers.map((v) => ({
      nodeId: v.nodeId,
      ...(v.directoryId ? { directoryId: v.directoryId } : {}),
      lag: v.lag,
    })),
    ...(kraftVersion !== undefined ? { kraftVersion } : {}),
  };
}

export function partitionStates(partitions: readonly PartitionInfo[]): PartitionState[] {
  return partitions.map((p) => ({
    topic: p.topic,
    partition: p.partition,
    replicas: [...p.replicas],
    isr: [...p.isr],
    leader: p.leader,
    minIsr: p.minIsr,
  }));
}

export function registrations(brokers: readonly BrokerRegistrationInfo[]): BrokerRegistration[] {
  return brokers.map((b) => ({ nodeId: b.nodeId, fenced: b.fenced }));
}

export function racks(brokers: readonly BrokerRegistrationInfo[]): Record<number, string> {
  const out: Record<number, string> = {};
  for (const b of brokers) if (b.rack) out[b.nodeId] = b.rack;
  return out;
}

/** alterPartitionReassignments is per topic: the drain's moves grouped by topic. */
export function movesByTopic(
  moves: readonly PartitionMove[],
): Map<string, { partition: number; replicas: number[] }[]> {
  const out = new Map<string, { partition: number; replicas: number[] }[]>();
  for (const m of moves) {
    const list = out.get(m.topic) ?? [];
    list.push({ partition: m.partition, replicas: [...m.replicas] });
    out.set(m.topic, list);
  }
  return out;
}

/** Is `obj` controlled by the KafkaCluster with this uid? */
export function ownedBy(obj: KubeObject, uid: string): boolean {
  return (obj.metadata?.ownerReferences ?? []).some(
    (r: OwnerReference) => r.controller === true && r.uid === uid,
  );
}

/**
 * Objects this cluster owns that the renderers no longer produce (the per-broker NodePort
 * Services of brokers scaled away, or of a listener that was removed): to delete.
 */
export function strayObjects<T extends KubeObject>(
  observed: readonly T[],
  desiredNames: ReadonlySet<string>,
  uid: string,
): T[] {
  return observed.filter((o) => ownedBy(o, uid) && !desiredNames.has(o.metadata?.name ?? ''));
}

/** The key of the KafkaCluster a labelled object belongs to (pods carry no owner of ours). */
export function clusterKeyOfLabelled(obj: KubeObject): string[] {
  const name = obj.metadata?.labels?.[CLUSTER_LABEL];
  const ns = obj.metadata?.namespace;
  return name && ns ? [`${ns}/${name}`] : [];
}
