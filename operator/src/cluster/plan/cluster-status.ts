// The KafkaCluster status, computed from what was observed and what the planners decided.
// Conditions follow Kubernetes conventions: Ready (is the cluster usable as specified),
// Progressing (is the operator changing it), Degraded (is something wrong right now).
import { removeCondition, setCondition, setKstatusConditions } from '../../runtime/conditions.ts';
import type { Condition, ConditionInput } from '../../runtime/conditions.ts';
import type { ClusterModel } from '../model/cluster-model.ts';
import { CLUSTER_LABEL, ROLE_LABEL } from '../model/labels.ts';
import type { CertificateCondition } from './certificate-plan.ts';
import type { RackCondition } from './rack-plan.ts';
import type { MetadataVersionDecision } from './metadata-version-plan.ts';
import { bootstrapServiceName, brokerLayout, controllerLayout } from '../model/node-layout.ts';
import type { Role, RoleLayout } from '../model/node-layout.ts';
import type { ObservedPod, PartitionState, QuorumState } from '../model/observed-state.ts';
import {
  listenerSaslMechanism,
  listenerSecurityProtocol,
  securitySecrets,
  type SecurityProtocol,
} from '../model/security.ts';
import { needsRestart } from './roll-plan.ts';
import type { RollDecision } from './roll-plan.ts';
import type { ScaleAction } from './scale-plan.ts';

export interface ObservedStatefulSet {
  replicas: number;
  readyReplicas: number;
}

export interface ClusterStatus {
  observedGeneration?: number;
  clusterId?: string;
  kafkaVersion?: string;
  metadataVersion?: string;
  listeners?: ListenerStatus[];
  controllers?: {
    replicas?: number;
    readyReplicas?: number;
    nodeIds?: number[];
    leaderId?: number;
    lag?: number;
  };
  brokers?: { replicas?: number; readyReplicas?: number; nodeIds?: number[]; selector?: string };
  partitions?: PartitionCounts;
  conditions?: Condition[];
}

/** The few partition numbers a person looks at first (kubectl get columns). */
export interface PartitionCounts {
  total: number;
  underReplicated: number;
  underMinIsr: number;
  offline: number;
}

/** How clients reach one listener and what they must speak there. */
export interface ListenerStatus {
  name: string;
  bootstrapServers: string;
  securityProtocol: SecurityProtocol;
  saslMechanism?: string;
  /** TLS listeners: the Secret whose `ca.crt` clients trust. */
  caSecret?: string;
}

export interface StatusInput {
  /** The cluster as this reconcile sees it: ref, spec, generation and role layouts. */
  model: ClusterModel;
  clusterId: string;
  previous?: ClusterStatus;
  /** Observed StatefulSets by role; a missing one does not exist yet. */
  statefulSets: Partial<Record<Role, ObservedStatefulSet>>;
  pods: ObservedPod[];
  quorum?: QuorumState;
  partitions?: PartitionState[];
  metadataVersion?: string;
  specProblems?: string[];
  roll?: RollDecision;
  scale?: ScaleAction[];
  metadataStep?: MetadataVersionDecision;
  /** Secured clusters: the certificate step's condition; absent, the condition is removed. */
  certificates?: CertificateCondition;
  /** rack.topologyKey set (and nodes cached): RackKnown; absent, the condition is removed. */
  rack?: RackCondition;
  /** A secured cluster whose operator certificate is missing: why Kafka could not be asked. */
  operatorCertificatePending?: string;
  now: Date;
}

/** Certificate problems only a person can fix (kstatus: Stalled). */
const CERTIFICATE_BLOCKERS = ['SecretNotOwned', 'CaSecretInvalid', 'InvalidAnnotation'];

export function clusterStatus(input: StatusInput): ClusterStatus {
  const { pods } = input;
  const { ref: cluster, layouts } = input.model;
  const controllers = controllerLayout(layouts);
  const brokers = brokerLayout(layouts);
  const idsOf = (role: Role) =>
    pods
      .filter((p) => p.role === role)
      .map((p) => p.nodeId)
      .sort((a, b) => a - b);
  const stsOf = (role: Role) => input.statefulSets[role];
  const versions = new Set(pods.map((p) => p.kafkaVersion).filter((v) => v !== undefined));
  const kafkaVersion =
    versions.size === 1 && pods.length > 0 ? [...versions][0] : input.previous?.kafkaVersion;
  const status: ClusterStatus = {
    observedGeneration: input.model.generation,
    clusterId: input.clusterId,
    ...(kafkaVersion ? { kafkaVersion } : {}),
    ...((input.metadataVersion ?? input.previous?.metadataVersion)
      ? { metadataVersion: input.metadataVersion ?? input.previous?.metadataVersion }
      : {}),
    listeners: listenerStatus(input, brokers),
    controllers: {
      replicas: stsOf(controllers.role)?.replicas ?? 0,
      readyReplicas: stsOf(controllers.role)?.readyReplicas ?? 0,
      nodeIds: idsOf(controllers.role),
      ...(input.quorum
        ? {
            leaderId: input.quorum.leaderId,
            lag: Math.max(0, ...input.quorum.voters.map((v) => v.lag)),
          }
        : {}),
    },
    brokers: {
      replicas: stsOf(brokers.role)?.replicas ?? 0,
      readyReplicas: stsOf(brokers.role)?.readyReplicas ?? 0,
      nodeIds: idsOf(brokers.role),
      selector: `${CLUSTER_LABEL}=${cluster.name},${ROLE_LABEL}=${brokers.role}`,
    },
    ...(input.partitions ? { partitions: partitionCounts(input.partitions) } : {}),
  };
  let conditions = input.previous?.conditions ?? [];
  const readyCond = ready(input, layouts);
  const certificates = input.certificates ? [input.certificates] : [];
  if (!input.certificates) conditions = removeCondition(conditions, 'CertificatesReady');
  const rack = input.rack ? [input.rack] : [];
  if (!input.rack) conditions = removeCondition(conditions, 'RackKnown');
  for (const c of [
    readyCond,
    progressing(input, layouts),
    degraded(input),
    ...certificates,
    ...rack,
  ]) {
    conditions = setCondition(
      conditions,
      { ...c, observedGeneration: input.model.generation },
      input.now,
    );
  }
  // For kstatus (Flux), which reads only Reconciling/Stalled: a spec only a person can fix
  // (InvalidSpec, a refused scale-down) is Stalled; any other not-ready state is Reconciling.
  const refusedScale = input.scale?.some((a) => a.action === 'refuse') ?? false;
  status.conditions = setKstatusConditions(
    conditions,
    { status: readyCond.status, reason: readyCond.reason, message: readyCond.message ?? '' },
    readyCond.reason === 'InvalidSpec' ||
      refusedScale ||
      CERTIFICATE_BLOCKERS.includes(readyCond.reason),
    input.model.generation,
    input.now,
  );
  return status;
}

/**
 * The status of a KafkaCluster being torn down: the last status with Ready=False and
 * Progressing=True, both `Deleting` with what the teardown waits for. Topics and groups that
 * name the cluster then wait for it to go instead of asking brokers that are stopping.
 */
export function deletingStatus(
  previous: ClusterStatus | undefined,
  message: string,
  generation: number,
  now: Date,
): ClusterStatus {
  let conditions = previous?.conditions ?? [];
  for (const type of ['Ready', 'Progressing'] as const) {
    conditions = setCondition(
      conditions,
      {
        type,
        status: type === 'Ready' ? 'False' : 'True',
        reason: 'Deleting',
        message,
        observedGeneration: generation,
      },
      now,
    );
  }
  return {
    ...previous,
    conditions: setKstatusConditions(
      conditions,
      { status: 'False', reason: 'Deleting', message },
      false,
      generation,
      now,
    ),
  };
}

function listenerStatus(input: StatusInput, brokers: RoleLayout): ListenerStatus[] {
  const { ref: cluster, spec } = input.model;
  return spec.listeners.map((l) => {
    // What a client must configure besides the address: everything here is public (a Secret's
    // name, never its content).
    const saslMechanism = listenerSaslMechanism(l);
    const security = {
      securityProtocol: listenerSecurityProtocol(l),
      ...(saslMechanism ? { saslMechanism } : {}),
      ...(l.tls === true ? { caSecret: securitySecrets.clusterCaCert(cluster.name) } : {}),
    };
    if (l.type === 'internal') {
      return {
        name: l.name,
        bootstrapServers: `${bootstrapServiceName(cluster.name)}.${cluster.namespace}.svc:${l.port}`,
        ...security,
      };
    }
    const base = l.nodePortBase ?? 30092;
    const addresses: string[] = [];
    for (let ordinal = 0; ordinal < brokers.spec.replicas; ordinal++) {
      const host =
        l.advertisedHost ??
        input.pods.find((p) => p.role === brokers.role && p.ordinal === ordinal)?.hostIP;
      if (host) addresses.push(`${host}:${base + ordinal}`);
    }
    return { name: l.name, bootstrapServers: addresses.join(','), ...security };
  });
}

type Cond = Omit<ConditionInput, 'observedGeneration'>;

function ready(input: StatusInput, roles: readonly RoleLayout[]): Cond {
  const t = 'Ready';
  if (input.specProblems && input.specProblems.length > 0) {
    return {
      type: t,
      status: 'False',
      reason: 'InvalidSpec',
      message: input.specProblems.join('; '),
    };
  }
  const refusal = input.scale?.find((a) => a.action === 'refuse');
  if (refusal)
    return { type: t, status: 'False', reason: refusal.reason, message: refusal.message };
  const certs = input.certificates;
  if (certs && CERTIFICATE_BLOCKERS.includes(certs.reason)) {
    return { type: t, status: 'False', reason: certs.reason, message: certs.message };
  }
  // A failing pod says why (Kafka's exception), which "not ready" or "no quorum" would hide.
  const failing = failingPods(input.pods);
  if (failing.length > 0) {
    return { type: t, status: 'False', reason: 'PodCrashLooping', message: failureText(failing) };
  }
  // A pod on a stopped or partitioned node looks Running in the API; only its node says why
  // it is not serving. Kubernetes does not replace a StatefulSet pod there on its own.
  const lost = onLostNodes(input.pods);
  if (lost.length > 0) {
    return { type: t, status: 'False', reason: 'NodeNotReady', message: lostText(lost) };
  }
  // Secured, and the operator has no certificate for it (yet): it cannot look at Kafka, so
  // nothing later (quorum, partitions, scaling) can be judged; say what it waits for.
  if (input.operatorCertificatePending !== undefined) {
    return {
      type: t,
      status: 'False',
      reason: 'OperatorCertificatePending',
      message: input.operatorCertificatePending,
    };
  }
  const missing = roles.filter((l) => input.statefulSets[l.role] === undefined);
  if (missing.length > 0) {
    return {
      type: t,
      status: 'False',
      reason: 'Creating',
      message: `creating the ${missing.map((l) => l.statefulSetName).join(', ')} StatefulSet(s)`,
    };
  }
  // During a roll every pod may be ready between two restarts; the cluster is still not what
  // the spec asks for until the last stale pod has restarted, so Ready stays False throughout.
  const stale = input.pods.filter(needsRestart);
  if (stale.length > 0 && input.roll && input.roll.action !== 'none') {
    return {
      type: t,
      status: 'False',
      reason: 'RollingRestart',
      message: `${stale.length} pod(s) still to restart onto the current spec: ${stale.map((p) => p.name).join(', ')}`,
    };
  }
  const notReady = roles.filter((l) => {
    const sts = input.statefulSets[l.role]!;
    return sts.readyReplicas < sts.replicas;
  });
  if (notReady.length > 0) {
    const detail = notReady
      .map(
        (l) =>
          `${l.statefulSetName}: ${input.statefulSets[l.role]!.readyReplicas}/${input.statefulSets[l.role]!.replicas} ready`,
      )
      .join(', ');
    const none = roles.every((l) => input.statefulSets[l.role]!.readyReplicas === 0);
    return {
      type: t,
      status: 'False',
      reason: none ? 'Creating' : 'PodsNotReady',
      message: detail,
    };
  }
  if (!input.quorum) {
    return {
      type: t,
      status: 'False',
      reason: 'QuorumUnavailable',
      message: 'the KRaft quorum could not be described (no leader reachable)',
    };
  }
  // A roll onto new certificates shows as RollingRestart above; this is what is left (a CA
  // key replacement between two phases).
  if (certs && certs.status === 'False') {
    return { type: t, status: 'False', reason: certs.reason, message: certs.message };
  }
  return {
    type: t,
    status: 'True',
    reason: 'ClusterReady',
    message: 'all nodes are ready and the quorum has a leader',
  };
}

function progressing(input: StatusInput, roles: readonly RoleLayout[]): Cond {
  const t = 'Progressing';
  const steps = (input.scale ?? []).filter((a) => a.action !== 'refuse');
  if (input.pods.some(needsRestart) && input.roll && input.roll.action !== 'none') {
    const stale = input.pods.filter(needsRestart).length;
    return {
      type: t,
      status: 'True',
      reason: 'RollingRestart',
      message: `${stale} pod(s) to restart; ${input.roll.message}`,
    };
  }
  const drain = steps.find((a) => a.action === 'reassign');
  if (drain)
    return { type: t, status: 'True', reason: 'ReassigningPartitions', message: drain.message };
  const quorumStep = steps.find(
    (a) => a.action === 'add-controller' || a.action === 'remove-controller',
  );
  if (quorumStep)
    return { type: t, status: 'True', reason: 'ChangingQuorum', message: quorumStep.message };
  const scaling = steps[0];
  if (scaling) return { type: t, status: 'True', reason: 'Scaling', message: scaling.message };
  if (input.metadataStep?.action === 'upgrade') {
    return {
      type: t,
      status: 'True',
      reason: 'UpgradingMetadataVersion',
      message: input.metadataStep.message,
    };
  }
  const creating = roles.some((l) => input.statefulSets[l.role] === undefined);
  if (creating)
    return { type: t, status: 'True', reason: 'Creating', message: 'creating the cluster' };
  // Pods still coming up (a new cluster, new brokers) are the operator's change taking
  // effect; a pod that is failing shows as Degraded too.
  const starting = roles.filter((l) => {
    const sts = input.statefulSets[l.role]!;
    return sts.readyReplicas < sts.replicas;
  });
  if (starting.length > 0) {
    return {
      type: t,
      status: 'True',
      reason: 'PodsStarting',
      message: `waiting for ${starting.map((l) => l.statefulSetName).join(', ')} pods to become ready`,
    };
  }
  return { type: t, status: 'False', reason: 'Idle', message: '' };
}

function degraded(input: StatusInput): Cond {
  const t = 'Degraded';
  const crashing = failingPods(input.pods);
  if (crashing.length > 0) {
    return { type: t, status: 'True', reason: 'PodCrashLooping', message: failureText(crashing) };
  }
  const lost = onLostNodes(input.pods);
  if (lost.length > 0) {
    return { type: t, status: 'True', reason: 'NodeNotReady', message: lostText(lost) };
  }
  // A pod the scheduler refuses is the cause of what follows (under-replicated partitions):
  // its words say what to do (too few nodes for the spread, a volume bound to a cordoned node,
  // not enough CPU), so it comes first and the partitions' state is added.
  const pending = input.pods.filter((p) => p.phase === 'Pending');
  const refused = pending.find((p) => p.unschedulable !== undefined);
  if (refused) {
    const partitions = partitionText(input.partitions ?? []);
    return {
      type: t,
      status: 'True',
      reason: 'PodUnschedulable',
      message:
        `${pending.map((p) => p.name).join(', ')} cannot be scheduled: ${refused.name}: ${refused.unschedulable}` +
        (partitions ? `; ${partitions}` : ''),
    };
  }
  const offline = (input.partitions ?? []).filter(isOffline);
  if (offline.length > 0) {
    return {
      type: t,
      status: 'True',
      reason: 'OfflinePartitions',
      message: `${offline.length} partition(s) have no leader and can be neither read nor written, e.g. ${offline[0]!.topic}-${offline[0]!.partition} (replicas ${offline[0]!.replicas.join(', ')})`,
    };
  }
  const underMin = (input.partitions ?? []).filter((p) => p.isr.length < p.minIsr);
  if (underMin.length > 0) {
    return {
      type: t,
      status: 'True',
      reason: 'UnderMinIsr',
      message: `${underMin.length} partition(s) below min.insync.replicas, e.g. ${underMin[0]!.topic}-${underMin[0]!.partition}`,
    };
  }
  const under = (input.partitions ?? []).filter((p) => p.isr.length < p.replicas.length);
  if (under.length > 0) {
    return {
      type: t,
      status: 'True',
      reason: 'UnderReplicated',
      message: `${under.length} partition(s) have replicas out of sync`,
    };
  }
  if (pending.length > 0 && input.pods.some((p) => p.ready)) {
    return {
      type: t,
      status: 'True',
      reason: 'PodPending',
      message: `${pending.map((p) => p.name).join(', ')} cannot be scheduled yet`,
    };
  }
  return { type: t, status: 'False', reason: 'Healthy', message: '' };
}

function isOffline(p: PartitionState): boolean {
  return p.leader === -1;
}

export function partitionCounts(partitions: readonly PartitionState[]): PartitionCounts {
  return {
    total: partitions.length,
    underReplicated: partitions.filter((p) => p.isr.length < p.replicas.length).length,
    underMinIsr: partitions.filter((p) => p.isr.length < p.minIsr).length,
    offline: partitions.filter(isOffline).length,
  };
}

/**
 * A Degraded=True condition that is new or says something new (another reason or message):
 * worth a Warning Event, so `kubectl get events` shows when a node was lost or a pod began
 * crash-looping, not only the status's latest word.
 */
export function degradedNews(
  previous: ClusterStatus | undefined,
  next: ClusterStatus,
): { reason: string; message: string } | undefined {
  const now = next.conditions?.find((c) => c.type === 'Degraded');
  if (now?.status !== 'True') return undefined;
  const before = previous?.conditions?.find((c) => c.type === 'Degraded');
  if (before?.status === 'True' && before.reason === now.reason && before.message === now.message)
    return undefined;
  return { reason: now.reason ?? 'Degraded', message: now.message ?? '' };
}

/** The partitions' trouble in a few words, or '' when all are fully in sync. */
function partitionText(partitions: readonly PartitionState[]): string {
  const underMin = partitions.filter((p) => p.isr.length < p.minIsr).length;
  const under = partitions.filter((p) => p.isr.length < p.replicas.length).length;
  if (underMin > 0) return `${underMin} partition(s) below min.insync.replicas`;
  return under > 0 ? `${under} partition(s) have replicas out of sync` : '';
}

function onLostNodes(pods: readonly ObservedPod[]): ObservedPod[] {
  return pods.filter((p) => p.nodeProblem !== undefined && !p.ready);
}

/** `<pods> on <node problem>` per node: which pods are lost and why, node by node. */
function lostText(pods: readonly ObservedPod[]): string {
  const byProblem = new Map<string, string[]>();
  for (const p of pods) {
    byProblem.set(p.nodeProblem!, [...(byProblem.get(p.nodeProblem!) ?? []), p.name]);
  }
  return [...byProblem].map(([problem, names]) => `${names.join(', ')} on ${problem}`).join('; ');
}

function failingPods(pods: readonly ObservedPod[]): ObservedPod[] {
  return pods.filter((p) => p.crashLooping || p.failure !== undefined);
}

/** `<pod> (<reason>): <Kafka's exception line>` for the first few failing pods. */
function failureText(pods: readonly ObservedPod[]): string {
  const shown = 3;
  const parts = pods.slice(0, shown).map((p) => {
    const reason = p.failure?.reason ?? 'CrashLoopBackOff';
    return p.failure?.detail
      ? `${p.name} (${reason}): ${p.failure.detail}`
      : `${p.name} (${reason})`;
  });
  const more = pods.length > shown ? `; and ${pods.length - shown} more` : '';
  return `${parts.join('; ')}${more}`;
}
