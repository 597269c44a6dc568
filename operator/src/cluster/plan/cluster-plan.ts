// planCluster: one observation of a KafkaCluster in, everything this reconcile is to do out.
// Pure. The shell observes (observe/observe-cluster.ts), calls this, carries the plan out step
// by step and reports; the decisions are all here or in the planners this one calls.
import { metadataVersionName } from '../../kafka/metadata-versions.ts';
import type { KubeObject } from '../../runtime/resource.ts';
import type { ClusterModel } from '../model/cluster-model.ts';
import { configDiff, dynamicConfig } from '../model/dynamic-config.ts';
import { CLUSTER_LABEL, ROLE_LABEL } from '../model/labels.ts';
import { podName, type Role, type RoleLayout } from '../model/node-layout.ts';
import type { ObservedPod } from '../model/observed-state.ts';
import {
  observedStatefulSets,
  ownedBy,
  strayObjects,
  type PodObject,
  type StatefulSetObject,
} from '../observe/cluster-resource.ts';
import type { ClusterObservation } from '../observe/observe-cluster.ts';
import { renderCluster, type DesiredObjects } from '../render/render-cluster.ts';
import type { OperatorPods } from '../render/render-network-policy.ts';
import { terminationGraceSeconds } from '../render/render-statefulset.ts';
import type { CertificateCondition } from './certificate-plan.ts';
import { clusterStatus, type ClusterStatus } from './cluster-status.ts';
import { planMetadataVersion, type MetadataVersionDecision } from './metadata-version-plan.ts';
import { planRacks, rackPodOf, type RackPlan } from './rack-plan.ts';
import { planRoll, type RollDecision } from './roll-plan.ts';
import {
  planClaimDeletion,
  planScale,
  replicasToRender,
  type ClaimDeletionPlan,
  type ScaleAction,
} from './scale-plan.ts';
import { claimName, planStorage, type ObservedClaim, type StoragePlan } from './storage-plan.ts';
import {
  planTeardown,
  teardownMaxWaitSeconds,
  type TeardownClaim,
  type TeardownPlan,
  type TeardownPod,
  type TeardownStatefulSet,
} from './teardown-plan.ts';

/** A PVC of the cluster as listed by its label. */
export interface ListedClaim extends ObservedClaim {
  uid: string;
  /** It already has a deletionTimestamp. */
  deleting: boolean;
  /** Its kraftwerk.dev/role label. */
  role?: string;
}

export interface ClusterPlan {
  /** A quorum leader was ever seen: the initial controller list is withdrawn. */
  quorumFormed: boolean;
  /** Everything to apply, with the replicas the scale plan allows. */
  objects: DesiredObjects;
  /** Per-broker Services this cluster owns that are no longer rendered. */
  strayServices: KubeObject[];
  /** At most one step per track (brokers, quorum); Kafka-side ones are carried out. */
  scale: ScaleAction[];
  /** The set-replicas steps that change a StatefulSet this round (each an Event). */
  resizing: Extract<ScaleAction, { action: 'set-replicas' }>[];
  /** Claim growth, per role whose spec asks for more than its claims were made with. */
  storage: (StoragePlan & { role: Role })[];
  /** Claims of scaled-away nodes (deleteClaim: true). */
  claims: ClaimDeletionPlan;
  /** Cluster-wide broker defaults to set (null: delete); empty when nothing differs. */
  dynamicConfig: Record<string, string | null>;
  roll: RollDecision;
  /** The uid the restarted pod had when observed (the DELETE's precondition). */
  restartUid?: string;
  /** A rack batch: the uid of each of its pods when observed, by name. */
  restartUids?: Record<string, string>;
  metadataVersion?: string;
  metadataStep: MetadataVersionDecision;
  /** Secured clusters: the CertificatesReady condition of the certificate step. */
  certificates?: CertificateCondition;
  /** broker.rack stamps and RackKnown (rack.topologyKey set and nodes cached). */
  racks?: RackPlan;
  /** Something is under way: look again soon. */
  busy: boolean;
}

/** What the certificate step (apply/certificates.ts) hands the plan on a secured cluster. */
export interface CertificatesInput {
  /** Per StatefulSet name: the certificates hash for its pod template. */
  hashes: Record<string, string>;
  condition: CertificateCondition;
}

/**
 * `operatorPods`: the operator's configuration, admitted by the cluster's NetworkPolicy;
 * `certificates`: what the certificate step stored (secured clusters only).
 */
export function planCluster(
  obs: ClusterObservation,
  operatorPods?: OperatorPods,
  certificates?: CertificatesInput,
): ClusterPlan {
  const { model, kafka, current, pods } = obs;
  const { ref, spec, layouts, desired } = model;
  const quorumFormed =
    kafka.quorum !== undefined ||
    obs.previous?.controllers?.leaderId !== undefined ||
    obs.initialControllersWithdrawn;
  const facts = {
    ...(kafka.quorum ? { quorum: kafka.quorum } : {}),
    ...(kafka.partitions ? { partitions: kafka.partitions } : {}),
    ...(kafka.registrations ? { registrations: kafka.registrations } : {}),
  };
  const scale = planScale({
    desired,
    current,
    pods,
    ...facts,
    ...(kafka.reassigning ? { reassigning: kafka.reassigning } : {}),
    ...(kafka.racks ? { racks: kafka.racks } : {}),
  });
  const objects = renderCluster({
    cluster: ref,
    spec,
    clusterId: obs.clusterId,
    quorumFormed,
    replicas: replicasToRender(desired, current, scale),
    existingClaimSize: obs.claimSizes,
    ...(operatorPods ? { operatorPods } : {}),
    ...(certificates ? { certificateHashes: certificates.hashes } : {}),
  });
  const rendered = new Set(objects.services.map((s) => s.metadata?.name ?? ''));
  const roll = planRoll({
    pods,
    expectedPods: layouts.flatMap((l) =>
      Array.from({ length: current[l.role] ?? 0 }, (_, i) => podName(l, i)),
    ),
    ...facts,
    ...(kafka.racks ? { racks: kafka.racks } : {}),
    strategy: spec.roll?.strategy ?? 'OneAtATime',
  });
  const mvLevel = kafka.features?.['metadata.version'];
  const metadataVersion = mvLevel === undefined ? undefined : metadataVersionName(mvLevel);
  const metadataStep = planMetadataVersion({
    desiredVersion: spec.version,
    pods,
    ...(metadataVersion ? { currentMetadataVersion: metadataVersion } : {}),
    expectedPods: Object.values(current).reduce((a, b) => a + b, 0),
  });
  const claims = planScaledAwayClaims(obs);
  const restartUid = roll.action === 'restart' ? uidOf(obs.podObjects, roll.pod) : undefined;
  const restartUids =
    roll.action === 'restart-rack'
      ? Object.fromEntries(
          roll.pods.flatMap((m) => {
            const uid = uidOf(obs.podObjects, m.pod);
            return uid ? [[m.pod, uid]] : [];
          }),
        )
      : undefined;
  const nodes = obs.nodes;
  const racks = planRacks(
    spec.rack?.topologyKey,
    obs.podObjects.map(rackPodOf),
    nodes ? (n) => nodes[n] : undefined,
  );
  return {
    quorumFormed,
    objects,
    strayServices: strayObjects(obs.services, rendered, ref.uid),
    scale,
    resizing: scale.filter(
      (s): s is Extract<ScaleAction, { action: 'set-replicas' }> =>
        s.action === 'set-replicas' && current[s.role] !== s.replicas,
    ),
    storage: planClaimGrowth(obs),
    claims,
    dynamicConfig: kafka.brokerDefaults
      ? configDiff(kafka.brokerDefaults, dynamicConfig(spec.config)).dynamic
      : {},
    roll,
    ...(restartUid ? { restartUid } : {}),
    ...(restartUids ? { restartUids } : {}),
    ...(metadataVersion ? { metadataVersion } : {}),
    metadataStep,
    ...(certificates ? { certificates: certificates.condition } : {}),
    ...(racks ? { racks } : {}),
    busy:
      // A CA key replacement moves on only when the reconcile looks again after a roll.
      certificates?.condition.status === 'False' ||
      roll.action !== 'none' ||
      scale.length > 0 ||
      claims.delete.length > 0 ||
      claims.waiting.length > 0 ||
      metadataStep.action === 'upgrade' ||
      !statefulSetsReady(layouts, obs.statefulSets) ||
      (pods.some((p) => p.ready) && kafka.quorum === undefined) ||
      // Followers catching up raise no Kubernetes event: without a look soon, Degraded
      // (UnderReplicated) would outlive the cause until the next resync, minutes later.
      (kafka.partitions ?? []).some((p) => p.isr.length < p.replicas.length),
  };
}

/**
 * The status after this reconcile's steps; `storageProblems` are the claim-growth problems
 * with the API server's refusals among them. Kafka unreachable this round: the last leader
 * seen stays, rather than blinking away.
 */
export function planStatus(
  obs: ClusterObservation,
  plan: ClusterPlan,
  storageProblems: readonly string[],
): ClusterStatus {
  const { model, kafka, previous } = obs;
  const status = clusterStatus({
    model,
    clusterId: obs.clusterId,
    ...(previous ? { previous } : {}),
    statefulSets: observedStatefulSets(obs.statefulSets),
    pods: obs.pods,
    ...(kafka.quorum ? { quorum: kafka.quorum } : {}),
    ...(kafka.partitions ? { partitions: kafka.partitions } : {}),
    ...(plan.metadataVersion ? { metadataVersion: plan.metadataVersion } : {}),
    ...(storageProblems.length > 0 ? { specProblems: [...storageProblems] } : {}),
    roll: plan.roll,
    scale: plan.scale,
    metadataStep: plan.metadataStep,
    ...(plan.certificates ? { certificates: plan.certificates } : {}),
    ...(plan.racks ? { rack: plan.racks.condition } : {}),
    ...(kafka.credentialsPending !== undefined
      ? { operatorCertificatePending: kafka.credentialsPending }
      : {}),
    now: obs.now,
  });
  if (!kafka.quorum && previous?.controllers?.leaderId !== undefined && status.controllers) {
    status.controllers.leaderId = previous.controllers.leaderId;
  }
  return status;
}

/** The status of a spec the operator refuses: nothing else is looked at or applied. */
export function invalidSpecStatus(
  model: ClusterModel,
  previous: ClusterStatus | undefined,
  problems: string[],
  now: Date,
): ClusterStatus {
  const clusterId = previous?.clusterId ?? '';
  const status = clusterStatus({
    model,
    clusterId,
    ...(previous ? { previous } : {}),
    statefulSets: {},
    pods: [],
    specProblems: problems,
    now,
  });
  if (!clusterId) delete status.clusterId;
  return status;
}

/** Kafka is asked only when some broker pod is ready: nobody else would answer. */
export function kafkaCanAnswer(pods: readonly ObservedPod[]): boolean {
  return pods.some((p) => p.ready && p.role !== 'controller');
}

/** Brokers are being scaled in: reassignments in flight matter to the drain. */
export function isShrinking(
  desired: Partial<Record<Role, number>>,
  current: Partial<Record<Role, number>>,
): boolean {
  return (Object.keys(desired) as Role[]).some(
    (r) => r !== 'controller' && (current[r] ?? 0) > (desired[r] ?? 0),
  );
}

/** Roles whose storage spec asks for a bigger size than their claims were made with. */
function growingRoles(
  model: ClusterModel,
  claimSizes: Partial<Record<Role, string>>,
): RoleLayout[] {
  return model.layouts.filter((l) => {
    const storage = l.spec.storage;
    const existing = claimSizes[l.role];
    return storage.type === 'persistent-claim' && !!existing && existing !== storage.size;
  });
}

function deletesClaims(l: RoleLayout): boolean {
  return l.spec.storage.type === 'persistent-claim' && l.spec.storage.deleteClaim === true;
}

/** The claims are listed when one will be grown or deleted. */
export function claimsNeeded(
  model: ClusterModel,
  claimSizes: Partial<Record<Role, string>>,
): boolean {
  return model.layouts.some(deletesClaims) || growingRoles(model, claimSizes).length > 0;
}

/** A role's claims: its label and the name its StatefulSet's claim template gives. */
function claimsOfRole(l: RoleLayout, claims: readonly ListedClaim[]): ListedClaim[] {
  const prefix = claimName(l.statefulSetName, 0).slice(0, -1);
  return claims.filter((c) => c.role === l.role && c.name.startsWith(prefix));
}

/** The StorageClasses whose allowVolumeExpansion the claim growth needs. */
export function classesToRead(
  model: ClusterModel,
  claimSizes: Partial<Record<Role, string>>,
  claims: readonly ListedClaim[],
): string[] {
  const names = growingRoles(model, claimSizes).map(
    (l) => claimsOfRole(l, claims)[0]?.storageClassName,
  );
  return [...new Set(names.filter((n): n is string => n !== undefined))];
}

function planClaimGrowth(obs: ClusterObservation): ClusterPlan['storage'] {
  return growingRoles(obs.model, obs.claimSizes).map((l) => {
    const claims = claimsOfRole(l, obs.claims ?? []).map((c) => ({
      name: c.name,
      requested: c.requested,
      ...(c.storageClassName ? { storageClassName: c.storageClassName } : {}),
      bound: c.bound,
    }));
    const className = claims[0]?.storageClassName;
    const allow = className === undefined ? undefined : obs.storageClasses[className];
    return { role: l.role, ...planStorage(l.spec.storage, claims, allow) };
  });
}

function planScaledAwayClaims(obs: ClusterObservation): ClaimDeletionPlan {
  const { model, kafka } = obs;
  if (!model.layouts.some(deletesClaims)) return { delete: [], waiting: [] };
  return planClaimDeletion({
    roles: model.layouts.map((l) => ({
      role: l.role,
      statefulSetName: l.statefulSetName,
      deleteClaim: deletesClaims(l),
    })),
    desired: model.desired,
    current: obs.current,
    claims: obs.claims ?? [],
    podNames: obs.podObjects.map((p) => p.metadata?.name ?? ''),
    ...(kafka.registrations ? { registrations: kafka.registrations } : {}),
    ...(kafka.quorum ? { quorum: kafka.quorum } : {}),
  });
}

function statefulSetsReady(
  layouts: readonly RoleLayout[],
  statefulSets: Partial<Record<Role, StatefulSetObject>>,
): boolean {
  return layouts.every((l) => {
    const sts = statefulSets[l.role];
    return sts !== undefined && (sts.status?.readyReplicas ?? 0) >= (sts.spec?.replicas ?? 0);
  });
}

function uidOf(objects: readonly KubeObject[], name: string): string | undefined {
  return objects.find((o) => o.metadata?.name === name)?.metadata?.uid;
}

// ---- Deletion ------------------------------------------------------------------------------

/** What the teardown looks at: the caches, and the claims when some role deletes them. */
export interface TeardownObservation {
  model: ClusterModel;
  /** StatefulSets labelled with the cluster. */
  statefulSets: readonly StatefulSetObject[];
  /** Every pod of the namespace (the plan picks the cluster's). */
  pods: readonly PodObject[];
  claims: readonly ListedClaim[];
  /** The KafkaCluster's deletionTimestamp. */
  deletedAt: Date;
  now: Date;
}

/** The roles whose claims go with the cluster (deleteClaim: true). */
export function teardownClaimRoles(model: ClusterModel): Role[] {
  return model.layouts.filter(deletesClaims).map((l) => l.role);
}

/** The next teardown step (planTeardown) over what the caches show of the cluster. */
export function planClusterTeardown(obs: TeardownObservation): TeardownPlan {
  const { model } = obs;
  const roles = model.layouts.map((l) => l.role);
  const statefulSets: Partial<Record<Role, TeardownStatefulSet>> = {};
  // StatefulSets `--cascade=orphan` took away from the cluster, and their pods, are not ours.
  const foreign = new Set<string>();
  for (const sts of obs.statefulSets) {
    const role = sts.metadata?.labels?.[ROLE_LABEL] as Role | undefined;
    if (!ownedBy(sts, model.ref.uid)) foreign.add(sts.metadata?.uid ?? '');
    else if (role && roles.includes(role))
      statefulSets[role] = {
        name: sts.metadata?.name ?? '',
        uid: sts.metadata?.uid ?? '',
        deleting: sts.metadata?.deletionTimestamp !== undefined,
      };
  }
  const pods: TeardownPod[] = [];
  for (const p of obs.pods) {
    const labels = p.metadata?.labels ?? {};
    const role = labels[ROLE_LABEL] as Role | undefined;
    if (labels[CLUSTER_LABEL] !== model.ref.name || !role) continue;
    if ((p.metadata?.ownerReferences ?? []).some((o) => foreign.has(o.uid))) continue;
    const deletion = p.metadata?.deletionTimestamp;
    pods.push({
      name: p.metadata?.name ?? '',
      uid: p.metadata?.uid ?? '',
      role,
      phase: typeof p.status?.['phase'] === 'string' ? p.status['phase'] : 'Unknown',
      ...(deletion ? { deletionDeadline: new Date(deletion) } : {}),
    });
  }
  const claimLayouts = model.layouts.filter(deletesClaims);
  // Only the names the claim template gives (data-<statefulset>-<ordinal>), not any PVC
  // that carries the cluster's label.
  const roleOfClaim = (name: string) =>
    claimLayouts.find((l) => {
      const prefix = claimName(l.statefulSetName, 0).slice(0, -1);
      return name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length));
    })?.role;
  const claims: TeardownClaim[] = obs.claims.flatMap((c) => {
    const role = roleOfClaim(c.name);
    return role ? [{ name: c.name, uid: c.uid, deleting: c.deleting, role }] : [];
  });
  return planTeardown({
    roles,
    statefulSets,
    pods,
    deleteClaimRoles: claimLayouts.map((l) => l.role),
    claims,
    deletedAt: obs.deletedAt,
    now: obs.now,
    options: { maxWaitSeconds: teardownMaxWaitSeconds(terminationGraceSeconds(model.spec)) },
  });
}
