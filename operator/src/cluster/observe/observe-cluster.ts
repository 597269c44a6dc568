// Reading the world, once per reconcile: the informer caches, the cluster's claims (from the
// API server, only when a step needs them) and, once a broker could answer, Kafka. Not pure:
// this is the shell's reading half. Everything it returns is plain data for planCluster.
import type { KafkaCluster } from '../../api/kafka-cluster.ts';
import { KubeApiError } from '../../runtime/kube-client.ts';
import type { BrokerLogDirs } from '../../kafka/cluster-port.ts';
import type { KafkaSecurity } from '../../kafka/security.ts';
import type { Logger } from '../../runtime/logger.ts';
import type { KubeObject } from '../../runtime/resource.ts';
import { errorText, resources, type ClusterReconcilerDeps } from '../deps.ts';
import type { ClusterModel } from '../model/cluster-model.ts';
import { CLUSTER_LABEL, ROLE_LABEL } from '../model/labels.ts';
import { configMapName, type Role } from '../model/node-layout.ts';
import type {
  BrokerRegistration,
  ObservedPod,
  PartitionState,
  QuorumState,
} from '../model/observed-state.ts';
import {
  claimsNeeded,
  classesToRead,
  isShrinking,
  kafkaCanAnswer,
  teardownClaimRoles,
  type ListedClaim,
  type TeardownObservation,
} from '../plan/cluster-plan.ts';
import type { ClusterStatus } from '../plan/cluster-status.ts';
import { INITIAL_CONTROLLERS_KEY } from '../render/render-configmap.ts';
import {
  currentReplicas,
  existingClaimSizes,
  observePods,
  ownedBy,
  partitionStates,
  quorumState,
  racks,
  registrations,
  type PodObject,
  type StatefulSetObject,
} from './cluster-resource.ts';
import { nodeFacts, podNodeName, type NodeFacts } from './nodes.ts';

/** What Kafka told us this round; undefined fields could not be read. */
export interface KafkaView {
  quorum?: QuorumState;
  partitions?: PartitionState[];
  registrations?: BrokerRegistration[];
  racks?: Record<number, string>;
  reassigning?: { topic: string; partition: number }[];
  brokerDefaults?: Record<string, string>;
  features?: Readonly<Record<string, number>>;
  /** Each broker's log directories (volume size and what is left), by node id: metrics only. */
  logDirs?: Readonly<Record<number, BrokerLogDirs>>;
  /** The first error, for logs and the status message. */
  error?: string;
  /** A secured cluster the operator has no certificate for (yet): Kafka was not asked. */
  credentialsPending?: string;
}

export interface ClusterObservation {
  model: ClusterModel;
  clusterId: string;
  previous?: ClusterStatus;
  /** The cluster's own StatefulSets (controlled by it), by role. */
  statefulSets: Partial<Record<Role, StatefulSetObject>>;
  /** Their spec.replicas. */
  current: Partial<Record<Role, number>>;
  /** Their claim templates' (immutable) sizes. */
  claimSizes: Partial<Record<Role, string>>;
  podObjects: readonly PodObject[];
  pods: ObservedPod[];
  /** The ConfigMap's initial-controller list has been withdrawn: a quorum formed before. */
  initialControllersWithdrawn: boolean;
  /** Services labelled with the cluster, as cached. */
  services: readonly KubeObject[];
  kafka: KafkaView;
  /** The cluster's PVCs; listed only when a step needs them. */
  claims?: ListedClaim[];
  /** allowVolumeExpansion by StorageClass name; undefined: unknown (not found, forbidden). */
  storageClasses: Record<string, boolean | undefined>;
  /** The nodes the cluster's pods are bound to, by name (absent: not cached); undefined
   *  without a node cache. */
  nodes?: Record<string, NodeFacts>;
  now: Date;
}

type Deps = Pick<
  ClusterReconcilerDeps,
  | 'client'
  | 'statefulSets'
  | 'pods'
  | 'services'
  | 'configMaps'
  | 'kafka'
  | 'clusterKafka'
  | 'nodes'
>;

export async function observeCluster(
  deps: Deps,
  kc: KafkaCluster,
  model: ClusterModel,
  clusterId: string,
  bootstrap: string,
  now: Date,
  log: Logger,
  /** The operator's credentials: TLS settings, or why there are none yet (pending). */
  credentials: { security?: KafkaSecurity; pending?: string } = {},
): Promise<ClusterObservation> {
  const { ref, layouts } = model;
  const statefulSets: Partial<Record<Role, StatefulSetObject>> = {};
  for (const l of layouts) {
    const sts = deps.statefulSets.getByName(ref.namespace, l.statefulSetName);
    if (sts && ownedBy(sts, ref.uid)) statefulSets[l.role] = sts;
  }
  const podObjects = deps.pods.list(ref.namespace).filter((p) => isLabelled(p, ref.name));
  const nodes = deps.nodes ? nodesOf(deps.nodes, podObjects) : undefined;
  const pods = observePods(
    ref,
    layouts,
    podObjects,
    statefulSets,
    now,
    nodes ? (name) => nodes[name] : undefined,
  );
  const configMap = deps.configMaps.getByName(ref.namespace, configMapName(ref.name));
  const current = currentReplicas(statefulSets);
  const claimSizes = existingClaimSizes(statefulSets);
  const claims = claimsNeeded(model, claimSizes) ? await listClaims(deps, ref) : undefined;
  const storageClasses: Record<string, boolean | undefined> = {};
  for (const name of classesToRead(model, claimSizes, claims ?? [])) {
    storageClasses[name] = await allowsExpansion(deps, name);
  }
  return {
    model,
    clusterId,
    ...(kc.status ? { previous: kc.status as ClusterStatus } : {}),
    statefulSets,
    current,
    claimSizes,
    podObjects,
    pods,
    ...(nodes ? { nodes } : {}),
    initialControllersWithdrawn: configMap?.data?.[INITIAL_CONTROLLERS_KEY] === '',
    services: deps.services.list(ref.namespace).filter((s) => isLabelled(s, ref.name)),
    kafka:
      credentials.pending !== undefined
        ? { credentialsPending: credentials.pending }
        : kafkaCanAnswer(pods)
          ? await observeKafka(
              deps,
              bootstrap,
              credentials.security,
              isShrinking(model.desired, current),
              log,
            )
          : {},
    ...(claims ? { claims } : {}),
    storageClasses,
    now,
  };
}

/** What the teardown looks at: the caches, and the claims when some role deletes them. */
export async function observeTeardown(
  deps: Deps,
  kc: KafkaCluster,
  model: ClusterModel,
  now: Date,
): Promise<TeardownObservation> {
  const { ref } = model;
  return {
    model,
    statefulSets: deps.statefulSets.list(ref.namespace).filter((s) => isLabelled(s, ref.name)),
    pods: deps.pods.list(ref.namespace),
    claims: teardownClaimRoles(model).length > 0 ? await listClaims(deps, ref) : [],
    deletedAt: new Date(kc.metadata.deletionTimestamp ?? now),
    now,
  };
}

function isLabelled(obj: KubeObject, cluster: string): boolean {
  return obj.metadata?.labels?.[CLUSTER_LABEL] === cluster;
}

interface ClaimObject extends KubeObject {
  spec?: { resources?: { requests?: { storage?: string } }; storageClassName?: string };
  status?: { phase?: string };
}

/** The PVCs labelled with the cluster (the claim templates carry its labels). */
async function listClaims(
  deps: Deps,
  ref: { namespace: string; name: string },
): Promise<ListedClaim[]> {
  const list = await deps.client.list<ClaimObject>(resources.PersistentVolumeClaim, ref.namespace, {
    labelSelector: `${CLUSTER_LABEL}=${ref.name}`,
  });
  return list.items.map((c) => ({
    name: c.metadata?.name ?? '',
    uid: c.metadata?.uid ?? '',
    deleting: c.metadata?.deletionTimestamp !== undefined,
    ...(c.metadata?.labels?.[ROLE_LABEL] ? { role: c.metadata.labels[ROLE_LABEL] } : {}),
    requested: c.spec?.resources?.requests?.storage ?? '0',
    ...(c.spec?.storageClassName ? { storageClassName: c.spec.storageClassName } : {}),
    bound: c.status?.phase === 'Bound',
  }));
}

/**
 * StorageClasses are cluster-scoped; an install that watches namespaces may not grant reading
 * them. Unknown then: the API server itself refuses an expansion the class does not allow,
 * with a message the reconcile reports.
 */
async function allowsExpansion(deps: Deps, className: string): Promise<boolean | undefined> {
  const sc = await deps.client
    .get<KubeObject & { allowVolumeExpansion?: boolean }>(
      resources.StorageClass,
      undefined,
      className,
    )
    .catch((e: unknown) => {
      if (e instanceof KubeApiError && e.statusCode === 403) return undefined;
      throw e;
    });
  return sc ? (sc.allowVolumeExpansion ?? false) : undefined;
}

async function observeKafka(
  deps: Deps,
  bootstrap: string,
  security: KafkaSecurity | undefined,
  shrinking: boolean,
  log: Logger,
): Promise<KafkaView> {
  const cluster = deps.clusterKafka(bootstrap, security);
  const [quorum, partitions, brokers, defaults, features, reassigning, logDirs] =
    await Promise.allSettled([
      cluster.describeQuorum(),
      cluster.describePartitions(),
      cluster.describeBrokers(),
      cluster.describeBrokerDefaults(),
      cluster.finalizedFeatures(),
      shrinking
        ? deps.kafka(bootstrap, security).listPartitionReassignments()
        : Promise.resolve([]),
      cluster.describeLogDirs(),
    ]);
  const view: KafkaView = {};
  const failed = [quorum, partitions, brokers, defaults, features, reassigning].find(
    (r) => r.status === 'rejected',
  );
  if (failed?.status === 'rejected') {
    view.error = errorText(failed.reason);
    log.info('kafka not fully readable', { err: view.error });
  }
  if (features.status === 'fulfilled') view.features = features.value;
  if (quorum.status === 'fulfilled') view.quorum = quorumState(quorum.value, view.features);
  if (partitions.status === 'fulfilled') view.partitions = partitionStates(partitions.value);
  if (brokers.status === 'fulfilled') {
    view.registrations = registrations(brokers.value);
    view.racks = racks(brokers.value);
  }
  if (defaults.status === 'fulfilled') view.brokerDefaults = { ...defaults.value };
  if (reassigning.status === 'fulfilled')
    view.reassigning = reassigning.value.map((r) => ({ topic: r.topic, partition: r.partition }));
  // Feeds metrics only, so it stays out of `error` (and the status): a log line says why.
  if (logDirs.status === 'fulfilled') view.logDirs = logDirs.value;
  else log.info('log dirs not readable', { err: errorText(logDirs.reason) });
  return view;
}

function nodesOf(
  nodes: NonNullable<Deps['nodes']>,
  pods: readonly PodObject[],
): Record<string, NodeFacts> {
  const out: Record<string, NodeFacts> = {};
  for (const p of pods) {
    const name = podNodeName(p);
    const node = name ? nodes.getByName(undefined, name) : undefined;
    if (name && node) out[name] = nodeFacts(node);
  }
  return out;
}
