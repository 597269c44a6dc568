// The KafkaCluster reconciler: read (caches + Kafka), plan (the pure core in this directory),
// act (server-side apply, pod deletion, Kafka Admin requests), report (status, Events).
// Level-triggered: every run recomputes from what is there now. The only things kept are
// persisted ones: status.clusterId, and the withdrawn initial-controller list in the
// ConfigMap. A restarted operator therefore picks a roll or a drain up where it stands.
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import type { KafkaCluster } from '../api/kafka-cluster.ts';
import type { KafkaClusterPort } from '../kafka/cluster-port.ts';
import { metadataLevelOfRelease, metadataVersionName } from '../kafka/metadata-versions.ts';
import type { KafkaAdminPort } from '../kafka/port.ts';
import { alreadyApplied, apply, applyStatus, withAppliedHash } from '../runtime/apply.ts';
import { addFinalizer, hasFinalizer, removeFinalizer } from '../runtime/finalizers.ts';
import type { Clock } from '../runtime/clock.ts';
import type { EventRecorder } from '../runtime/events.ts';
import type { Informer } from '../runtime/informer.ts';
import type { KubeClient } from '../runtime/kube-client.ts';
import { KubeApiError, isConflict, isNotFound } from '../runtime/kube-client.ts';
import type { Logger } from '../runtime/logger.ts';
import type { KubeObject, ResourceInfo } from '../runtime/resource.ts';
import { resourcePath } from '../runtime/resource.ts';
import type { ReconcileResult } from '../runtime/work-queue.ts';
import type { ClusterRef, ClusterSpec } from './cluster-spec.ts';
import {
  clusterRef,
  currentReplicas,
  desiredReplicas,
  existingClaimSizes,
  movesByTopic,
  observePods,
  observedStatefulSets,
  partitionStates,
  quorumState,
  racks,
  registrations,
  strayObjects,
  type PodObject,
  type StatefulSetObject,
} from './observe/cluster-resource.ts';
import { clusterStatus, deletingStatus, type ClusterStatus } from './plan/cluster-status.ts';
import { configDiff, dynamicConfig } from './model/dynamic-config.ts';
import { CLUSTER_FINALIZER, CLUSTER_LABEL, ROLE_LABEL } from './model/labels.ts';
import { planMetadataVersion, type MetadataVersionDecision } from './plan/metadata-version-plan.ts';
import {
  CONTROLLER_LISTENER,
  REPLICATION_LISTENER,
  bootstrapServiceName,
  configMapName,
  controllerLayout,
  podDnsName,
  podName,
  roleLayouts,
} from './model/node-layout.ts';
import type { Role } from './model/node-layout.ts';
import type {
  BrokerRegistration,
  ObservedPod,
  PartitionState,
  QuorumState,
} from './model/observed-state.ts';
import { clusterIdFromBytes } from './model/quorum-bootstrap.ts';
import { desiredObjectList, renderCluster } from './render/render-cluster.ts';
import { INITIAL_CONTROLLERS_KEY } from './render/render-configmap.ts';
import { planRoll, type RollDecision } from './plan/roll-plan.ts';
import {
  planClaimDeletion,
  planScale,
  replicasToRender,
  type ClaimDeletionPlan,
  type ScaleAction,
} from './plan/scale-plan.ts';
import { specProblems } from './plan/spec-checks.ts';
import { claimName, planStorage } from './plan/storage-plan.ts';
import { terminationGraceSeconds } from './render/render-statefulset.ts';
import {
  planTeardown,
  teardownMaxWaitSeconds,
  type TeardownClaim,
  type TeardownPod,
  type TeardownStatefulSet,
} from './plan/teardown-plan.ts';

export const resources = {
  StatefulSet: {
    group: 'apps',
    version: 'v1',
    kind: 'StatefulSet',
    plural: 'statefulsets',
    namespaced: true,
  },
  Service: { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true },
  ConfigMap: {
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    plural: 'configmaps',
    namespaced: true,
  },
  PodDisruptionBudget: {
    group: 'policy',
    version: 'v1',
    kind: 'PodDisruptionBudget',
    plural: 'poddisruptionbudgets',
    namespaced: true,
  },
  Pod: { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true },
  PersistentVolumeClaim: {
    group: '',
    version: 'v1',
    kind: 'PersistentVolumeClaim',
    plural: 'persistentvolumeclaims',
    namespaced: true,
  },
  StorageClass: {
    group: 'storage.k8s.io',
    version: 'v1',
    kind: 'StorageClass',
    plural: 'storageclasses',
    namespaced: false,
  },
  KafkaCluster: {
    group: 'kraftwerk.dev',
    version: 'v1alpha1',
    kind: 'KafkaCluster',
    plural: 'kafkaclusters',
    namespaced: true,
  },
} as const satisfies Record<string, ResourceInfo>;

export interface ClusterReconcilerDeps {
  client: KubeClient;
  clusters: Informer<KafkaCluster>;
  statefulSets: Informer<StatefulSetObject>;
  pods: Informer<PodObject>;
  services: Informer<KubeObject>;
  configMaps: Informer<KubeObject & { data?: Record<string, string> }>;
  /** Without it, PodDisruptionBudgets are applied on every reconcile. */
  podDisruptionBudgets?: Informer<KubeObject>;
  /** Per-topic admin (partition reassignments go through it). */
  kafka: (bootstrap: string) => KafkaAdminPort;
  /** Cluster-level admin: quorum, partitions, registrations, broker defaults, features. */
  clusterKafka: (bootstrap: string) => KafkaClusterPort;
  /** Where the operator reaches a cluster; default: its bootstrap Service, REPLICATION port. */
  bootstrapOf?: (cluster: ClusterRef) => string;
  events: EventRecorder;
  clock: Clock;
  logger: Logger;
  randomBytes?: (n: number) => Uint8Array;
  /** How soon to look again while something is under way (roll, drain, pods coming up). */
  recheckMs?: number;
  /** Closes the Kafka connections of a cluster that is gone. */
  release?: (bootstrap: string) => Promise<void>;
}

/** What Kafka told us this round; undefined fields could not be read. */
interface KafkaView {
  quorum?: QuorumState;
  partitions?: PartitionState[];
  registrations?: BrokerRegistration[];
  racks?: Record<number, string>;
  reassigning?: { topic: string; partition: number }[];
  brokerDefaults?: Record<string, string>;
  features?: Readonly<Record<string, number>>;
  /** The first error, for logs and the status message. */
  error?: string;
}

export function defaultBootstrap(cluster: ClusterRef): string {
  return `${bootstrapServiceName(cluster.name)}.${cluster.namespace}.svc:${REPLICATION_LISTENER.port}`;
}

export function clusterReconciler(deps: ClusterReconcilerDeps) {
  const recheckMs = deps.recheckMs ?? 5_000;
  const random = deps.randomBytes ?? ((n: number) => nodeRandomBytes(n));
  const bootstrapOf = deps.bootstrapOf ?? defaultBootstrap;

  return async (key: string): Promise<ReconcileResult | undefined> => {
    const kc = deps.clusters.get(key);
    if (kc?.metadata.deletionTimestamp && hasFinalizer(kc, CLUSTER_FINALIZER)) {
      const result = await teardown(kc);
      if (result) return result;
    }
    if (!kc || kc.metadata.deletionTimestamp) {
      // The garbage collector removes what it owned; only our connections to it are left.
      const slash = key.indexOf('/');
      await deps.release?.(
        bootstrapOf({ namespace: key.slice(0, slash), name: key.slice(slash + 1), uid: '' }),
      );
      return undefined;
    }
    // Before anything is applied, so that whatever exists is torn down in order.
    await addFinalizer(deps.client, kc, CLUSTER_FINALIZER, resources.KafkaCluster);
    const ref = clusterRef(kc);
    const spec: ClusterSpec = kc.spec;
    const log = deps.logger.child({ kafkacluster: key });
    const now = () => new Date(deps.clock.now());
    const previous = kc.status as ClusterStatus | undefined;

    // 1. What only the operator can judge. Nothing is applied for a bad spec.
    const problems = specProblems(spec, ref);
    if (problems.length > 0) {
      const clusterId = previous?.clusterId ?? '';
      const status = clusterStatus({
        cluster: ref,
        spec,
        generation: kc.metadata.generation ?? 0,
        clusterId,
        ...(previous ? { previous } : {}),
        statefulSets: {},
        pods: [],
        specProblems: problems,
        now: now(),
      });
      if (!clusterId) delete status.clusterId;
      await writeStatus(kc, status);
      void deps.events.warning(kc, 'InvalidSpec', 'Reconcile', problems.join('; '));
      return undefined;
    }

    // 2. The cluster id, persisted before anything that carries it is applied.
    const clusterId = await ensureClusterId(kc);

    // 3. Observe the objects and pods.
    const layouts = roleLayouts(ref, spec);
    const statefulSets: Partial<Record<Role, StatefulSetObject>> = {};
    for (const l of layouts) {
      const sts = deps.statefulSets.getByName(ref.namespace, l.statefulSetName);
      if (sts && ownedByCluster(sts, ref)) statefulSets[l.role] = sts;
    }
    const podObjects = deps.pods
      .list(ref.namespace)
      .filter((p) => p.metadata?.labels?.[CLUSTER_LABEL] === ref.name);
    const pods = observePods(ref, spec, podObjects, statefulSets, now());
    const configMap = deps.configMaps.getByName(ref.namespace, configMapName(ref.name));

    // 4. Kafka, when some broker could answer.
    const kafkaView = await observeKafka(ref, pods, statefulSets, spec, log);
    const quorumFormed =
      kafkaView.quorum !== undefined ||
      previous?.controllers?.leaderId !== undefined ||
      (configMap !== undefined && configMap.data?.[INITIAL_CONTROLLERS_KEY] === '');

    // 5. Scale plan → the replicas to render; then render and apply everything.
    const desired = desiredReplicas(spec);
    const current = currentReplicas(statefulSets);
    const scale = planScale({
      desired,
      current,
      pods,
      ...(kafkaView.quorum ? { quorum: kafkaView.quorum } : {}),
      ...(kafkaView.partitions ? { partitions: kafkaView.partitions } : {}),
      ...(kafkaView.registrations ? { registrations: kafkaView.registrations } : {}),
      ...(kafkaView.reassigning ? { reassigning: kafkaView.reassigning } : {}),
      ...(kafkaView.racks ? { racks: kafkaView.racks } : {}),
    });
    const replicas = replicasToRender(desired, current, scale);
    const claimSizes = existingClaimSizes(statefulSets);
    const objects = renderCluster({
      cluster: ref,
      spec,
      clusterId,
      quorumFormed,
      replicas,
      existingClaimSize: claimSizes,
    });
    for (const obj of desiredObjectList(objects)) {
      // The renderers build client-node V1* objects, whose timestamp fields are Dates; they
      // set none of them, so the object is already the wire JSON the API server takes.
      const desiredObj = withAppliedHash(obj as unknown as KubeObject);
      const resource = resourceOf(obj);
      // A quiet resync re-sends nothing: the cache already shows exactly this apply.
      if (alreadyApplied(desiredObj, cachedObject(resource, ref.namespace, desiredObj))) continue;
      await apply(deps.client, desiredObj, { resource });
    }
    await pruneServices(ref, new Set(objects.services.map((s) => s.metadata?.name ?? '')), log);
    for (const step of scale) {
      if (step.action === 'set-replicas' && current[step.role] !== step.replicas) {
        log.info('scaling', { role: step.role, replicas: step.replicas });
        void deps.events.normal(kc, 'Scaling', 'Scale', step.message);
      }
    }

    // 6. Storage growth on existing claims.
    const storageProblems = await growClaims(kc, ref, spec, claimSizes, log);

    // 7. Kafka-side steps of the scale plan.
    const bootstrap = bootstrapOf(ref);
    for (const step of scale) await executeScaleStep(kc, ref, spec, step, bootstrap, log);
    const claimPlan = await deleteScaledAwayClaims(kc, ref, spec, current, podObjects, kafkaView);

    // 8. Dynamic config: cluster-wide broker defaults, without a restart.
    if (kafkaView.brokerDefaults) {
      const diff = configDiff(kafkaView.brokerDefaults, dynamicConfig(spec.config));
      if (Object.keys(diff.dynamic).length > 0) {
        try {
          await deps.clusterKafka(bootstrap).alterBrokerDefaults(diff.dynamic);
          const keys = Object.keys(diff.dynamic).join(', ');
          log.info('dynamic config applied', { keys });
          void deps.events.normal(
            kc,
            'ConfigUpdated',
            'AlterConfigs',
            `applied cluster-wide broker config without a restart: ${keys}`,
          );
        } catch (e) {
          void deps.events.warning(kc, 'ConfigRejected', 'AlterConfigs', errorText(e));
          log.warn('dynamic config refused', { err: errorText(e) });
        }
      }
    }

    // 9. Roll: at most one pod is deleted per reconcile, and only when the planner says so.
    const roll = planRoll({
      pods,
      expectedPods: layouts.flatMap((l) =>
        Array.from({ length: current[l.role] ?? 0 }, (_, i) => podName(l, i)),
      ),
      ...(kafkaView.quorum ? { quorum: kafkaView.quorum } : {}),
      ...(kafkaView.partitions ? { partitions: kafkaView.partitions } : {}),
      ...(kafkaView.registrations ? { registrations: kafkaView.registrations } : {}),
    });
    await executeRoll(kc, ref, roll, podObjects, log);

    // 10. metadata.version, once every node runs the new version.
    const mvLevel = kafkaView.features?.['metadata.version'];
    const metadataVersion = mvLevel === undefined ? undefined : metadataVersionName(mvLevel);
    const metadataStep = planMetadataVersion({
      desiredVersion: spec.version,
      pods,
      ...(metadataVersion ? { currentMetadataVersion: metadataVersion } : {}),
      expectedPods: Object.values(current).reduce((a, b) => a + b, 0),
    });
    await executeMetadataStep(kc, metadataStep, bootstrap, log);

    // 11. Status.
    const status = clusterStatus({
      cluster: ref,
      spec,
      generation: kc.metadata.generation ?? 0,
      clusterId,
      ...(previous ? { previous } : {}),
      statefulSets: observedStatefulSets(statefulSets),
      pods,
      ...(kafkaView.quorum ? { quorum: kafkaView.quorum } : {}),
      ...(kafkaView.partitions ? { partitions: kafkaView.partitions } : {}),
      ...(metadataVersion ? { metadataVersion } : {}),
      ...(storageProblems.length > 0 ? { specProblems: storageProblems } : {}),
      roll,
      scale,
      metadataStep,
      now: now(),
    });
    // Kafka unreachable this round: the last leader seen stays, rather than blinking away.
    if (!kafkaView.quorum && previous?.controllers?.leaderId !== undefined && status.controllers) {
      status.controllers.leaderId = previous.controllers.leaderId;
    }
    await writeStatus(kc, status);
    log.debug('reconciled', {
      generation: kc.metadata.generation,
      kafka: kafkaView.quorum ? 'reachable' : (kafkaView.error ?? 'not asked'),
      roll: roll.action === 'none' ? 'none' : `${roll.action}: ${roll.message}`,
      scale: scale.map((s) => `${s.action}: ${s.message}`).join('; ') || 'none',
      metadata: metadataStep.action,
    });

    const busy =
      roll.action !== 'none' ||
      scale.length > 0 ||
      claimPlan.delete.length > 0 ||
      claimPlan.waiting.length > 0 ||
      metadataStep.action === 'upgrade' ||
      layouts.some((l) => {
        const sts = statefulSets[l.role];
        return !sts || (sts.status?.readyReplicas ?? 0) < (sts.spec?.replicas ?? 0);
      }) ||
      (pods.some((p) => p.ready) && kafkaView.quorum === undefined);
    return busy ? { requeueAfterMs: recheckMs } : undefined;
  };

  // ------------------------------------------------------------------------------------------

  function cachedObject(
    resource: ResourceInfo,
    namespace: string,
    obj: KubeObject,
  ): KubeObject | undefined {
    const name = obj.metadata?.name ?? '';
    switch (resource.kind) {
      case 'StatefulSet':
        return deps.statefulSets.getByName(namespace, name);
      case 'Service':
        return deps.services.getByName(namespace, name);
      case 'ConfigMap':
        return deps.configMaps.getByName(namespace, name);
      case 'PodDisruptionBudget':
        return deps.podDisruptionBudgets?.getByName(namespace, name);
      default:
        return undefined;
    }
  }

  /**
   * One step of the ordered teardown (teardown-plan.ts); undefined once the finalizer is gone.
   * Uses the caches only: every deletion it waits for arrives as a watch event.
   */
  async function teardown(kc: KafkaCluster): Promise<ReconcileResult | undefined> {
    const ref = clusterRef(kc);
    const log = deps.logger.child({ kafkacluster: `${ref.namespace}/${ref.name}` });
    // `kubectl delete --cascade=orphan`: the garbage collector first takes the owner references
    // off what the user keeps; only what is still ours afterwards is ours to stop.
    if (kc.metadata.finalizers?.includes('orphan')) return { requeueAfterMs: recheckMs };
    const roles = roleLayouts(ref, kc.spec).map((l) => l.role);
    const statefulSets: Partial<Record<Role, TeardownStatefulSet>> = {};
    const foreign = new Set<string>();
    for (const sts of deps.statefulSets.list(ref.namespace)) {
      if (sts.metadata?.labels?.[CLUSTER_LABEL] !== ref.name) continue;
      const role = sts.metadata.labels[ROLE_LABEL] as Role | undefined;
      if (!ownedByCluster(sts, ref)) foreign.add(sts.metadata.uid ?? '');
      else if (role && roles.includes(role))
        statefulSets[role] = {
          name: sts.metadata.name ?? '',
          uid: sts.metadata.uid ?? '',
          deleting: sts.metadata.deletionTimestamp !== undefined,
        };
    }
    const pods: TeardownPod[] = [];
    for (const p of deps.pods.list(ref.namespace)) {
      const labels = p.metadata?.labels ?? {};
      const role = labels[ROLE_LABEL] as Role | undefined;
      if (labels[CLUSTER_LABEL] !== ref.name || !role) continue;
      // A pod of a StatefulSet that was orphaned away from this cluster is not ours to wait for.
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
    const claimLayouts = roleLayouts(ref, kc.spec).filter(
      (l) => l.spec.storage.type === 'persistent-claim' && l.spec.storage.deleteClaim,
    );
    const deleteClaimRoles = claimLayouts.map((l) => l.role);
    // Only the names the claim template gives (data-<statefulset>-<ordinal>), not any PVC
    // that carries the cluster's label.
    const roleOfClaim = (name: string) =>
      claimLayouts.find((l) => {
        const ordinal = name.slice(claimName(l.statefulSetName, 0).length - 1);
        return (
          name.startsWith(claimName(l.statefulSetName, 0).slice(0, -1)) && /^\d+$/.test(ordinal)
        );
      })?.role;
    const claims: TeardownClaim[] =
      deleteClaimRoles.length > 0
        ? (await listClaims(ref)).flatMap((claim) => {
            const role = roleOfClaim(claim.name);
            return role ? [{ ...claim, role }] : [];
          })
        : [];
    const plan = planTeardown({
      roles,
      statefulSets,
      pods,
      deleteClaimRoles,
      claims,
      deletedAt: new Date(kc.metadata.deletionTimestamp ?? deps.clock.now()),
      now: new Date(deps.clock.now()),
      options: { maxWaitSeconds: teardownMaxWaitSeconds(terminationGraceSeconds(kc.spec)) },
    });
    for (const step of plan.steps) {
      const path =
        step.action === 'delete-statefulset'
          ? resourcePath(resources.StatefulSet, ref.namespace, step.name)
          : step.action === 'delete-claim'
            ? resourcePath(resources.PersistentVolumeClaim, ref.namespace, step.name)
            : resourcePath(resources.Pod, ref.namespace, step.name);
      try {
        // The uid precondition: never delete a same-named object that replaced the one seen.
        await deps.client.request('DELETE', path, {
          body: {
            kind: 'DeleteOptions',
            apiVersion: 'v1',
            preconditions: { uid: step.uid },
            ...(step.action === 'delete-statefulset'
              ? { propagationPolicy: 'Background' }
              : step.action === 'delete-pod'
                ? { gracePeriodSeconds: 0 }
                : {}),
          },
        });
      } catch (e) {
        if (isNotFound(e) || isConflict(e)) continue;
        throw e;
      }
      if (step.action === 'delete-statefulset') {
        log.info('teardown: deleting StatefulSet', { statefulset: step.name });
        void deps.events.normal(
          kc,
          step.role === 'broker' ? 'StoppingBrokers' : 'StoppingControllers',
          'Delete',
          step.role === 'broker'
            ? `deleting ${step.name} first, so the brokers shut down while the quorum still answers`
            : `deleting ${step.name} now that the brokers are gone`,
        );
      } else if (step.action === 'delete-claim') {
        log.info('teardown: deleting claim', { claim: step.name });
        void deps.events.normal(kc, 'ClaimDeleted', 'Delete', step.message);
      } else {
        log.info('teardown: deleting Pending pod without a grace period', { pod: step.name });
      }
    }
    if (!plan.done) {
      log.debug('teardown waits', { message: plan.message });
      await writeStatus(
        kc,
        deletingStatus(
          kc.status as ClusterStatus | undefined,
          plan.message,
          kc.metadata.generation ?? 0,
          new Date(deps.clock.now()),
        ),
      );
      return { requeueAfterMs: recheckMs };
    }
    if (plan.abandoned.length > 0) {
      log.warn('teardown: not waiting any longer', { message: plan.message });
      void deps.events.warning(kc, 'TeardownStuckPods', 'Delete', plan.message);
    }
    log.info('teardown done; the garbage collector removes the rest', { message: plan.message });
    await removeFinalizer(deps.client, kc, CLUSTER_FINALIZER, resources.KafkaCluster);
    return undefined;
  }

  /** The cluster's PVCs of its StatefulSets' claim templates, with the role of each. */
  /** The PVCs labelled with the cluster (the claim templates carry its labels). */
  async function listClaims(
    ref: ClusterRef,
  ): Promise<{ name: string; uid: string; deleting: boolean }[]> {
    const list = await deps.client.list<KubeObject>(
      resources.PersistentVolumeClaim,
      ref.namespace,
      {
        labelSelector: `${CLUSTER_LABEL}=${ref.name}`,
      },
    );
    return list.items.map((c) => ({
      name: c.metadata?.name ?? '',
      uid: c.metadata?.uid ?? '',
      deleting: c.metadata?.deletionTimestamp !== undefined,
    }));
  }

  /**
   * deleteClaim: true: the claims of nodes a scale-down removed, once Kafka no longer knows
   * them (planClaimDeletion). A uid-preconditioned DELETE of exactly that claim, with an Event.
   */
  async function deleteScaledAwayClaims(
    kc: KafkaCluster,
    ref: ClusterRef,
    spec: ClusterSpec,
    current: Partial<Record<Role, number>>,
    podObjects: readonly PodObject[],
    kafkaView: KafkaView,
  ): Promise<ClaimDeletionPlan> {
    const roles = roleLayouts(ref, spec).map((l) => ({
      role: l.role,
      statefulSetName: l.statefulSetName,
      deleteClaim:
        l.spec.storage.type === 'persistent-claim' && l.spec.storage.deleteClaim === true,
    }));
    if (!roles.some((r) => r.deleteClaim)) return { delete: [], waiting: [] };
    const plan = planClaimDeletion({
      roles,
      desired: desiredReplicas(spec),
      current,
      claims: await listClaims(ref),
      podNames: podObjects.map((p) => p.metadata?.name ?? ''),
      ...(kafkaView.registrations ? { registrations: kafkaView.registrations } : {}),
      ...(kafkaView.quorum ? { quorum: kafkaView.quorum } : {}),
    });
    for (const d of plan.delete) {
      try {
        await deps.client.request(
          'DELETE',
          resourcePath(resources.PersistentVolumeClaim, ref.namespace, d.name),
          { body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: d.uid } } },
        );
      } catch (e) {
        if (isNotFound(e) || isConflict(e)) continue; // gone, or a new claim of that name
        throw e;
      }
      deps.logger.info('deleting claim of a scaled-away node', { claim: d.name, nodeId: d.nodeId });
      void deps.events.normal(kc, 'ClaimDeleted', 'Scale', d.message);
    }
    return plan;
  }

  async function ensureClusterId(kc: KafkaCluster): Promise<string> {
    if (kc.status?.clusterId) return kc.status.clusterId;
    // The cache may lag behind our own last write: ask the API server before generating.
    const fresh = await deps.client.get<KafkaCluster>(
      resources.KafkaCluster,
      kc.metadata.namespace,
      kc.metadata.name ?? '',
    );
    if (fresh?.status?.clusterId) return fresh.status.clusterId;
    const clusterId = clusterIdFromBytes(random(16));
    // status.clusterId is immutable (CEL): should another writer have set one meanwhile, this
    // apply fails and the retry reads theirs.
    await applyStatus(
      deps.client,
      kc,
      { ...(fresh?.status ?? {}), clusterId },
      {
        resource: resources.KafkaCluster,
      },
    );
    deps.logger.info('cluster id generated', { kafkacluster: kc.metadata.name, clusterId });
    void deps.events.normal(kc, 'ClusterIdGenerated', 'Create', `cluster id ${clusterId}`);
    return clusterId;
  }

  async function writeStatus(kc: KafkaCluster, status: ClusterStatus): Promise<void> {
    if (JSON.stringify(status) === JSON.stringify(kc.status ?? {})) return;
    await applyStatus(deps.client, kc, status, { resource: resources.KafkaCluster });
  }

  async function observeKafka(
    ref: ClusterRef,
    pods: ObservedPod[],
    statefulSets: Partial<Record<Role, StatefulSetObject>>,
    spec: ClusterSpec,
    log: Logger,
  ): Promise<KafkaView> {
    // No broker pod is ready: nobody would answer, and DNS may not even know the names yet.
    if (!pods.some((p) => p.ready && p.role !== 'controller')) return {};
    const bootstrap = bootstrapOf(ref);
    const cluster = deps.clusterKafka(bootstrap);
    const desired = desiredReplicas(spec);
    const current = currentReplicas(statefulSets);
    const shrinking = (Object.keys(desired) as Role[]).some(
      (r) => r !== 'controller' && (current[r] ?? 0) > (desired[r] ?? 0),
    );
    const [quorum, partitions, brokers, defaults, features, reassigning] = await Promise.allSettled(
      [
        cluster.describeQuorum(),
        cluster.describePartitions(),
        cluster.describeBrokers(),
        cluster.describeBrokerDefaults(),
        cluster.finalizedFeatures(),
        shrinking ? deps.kafka(bootstrap).listPartitionReassignments() : Promise.resolve([]),
      ],
    );
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
      view.reassigning = reassigning.value.map((r) => ({
        topic: r.topic,
        partition: r.partition,
      }));
    return view;
  }

  async function executeScaleStep(
    kc: KafkaCluster,
    ref: ClusterRef,
    spec: ClusterSpec,
    step: ScaleAction,
    bootstrap: string,
    log: Logger,
  ): Promise<void> {
    const cluster = deps.clusterKafka(bootstrap);
    try {
      switch (step.action) {
        case 'set-replicas':
          return; // carried by the rendered StatefulSet
        case 'wait':
          log.info('scale waits', { reason: step.reason, message: step.message });
          return;
        case 'refuse':
          log.warn('scale refused', { reason: step.reason, message: step.message });
          void deps.events.warning(kc, step.reason, 'Scale', step.message);
          return;
        case 'reassign': {
          const admin = deps.kafka(bootstrap);
          for (const [topic, assignments] of movesByTopic(step.moves)) {
            await admin.alterPartitionReassignments(topic, assignments);
          }
          log.info('reassigning partitions', { moves: step.moves.length });
          void deps.events.normal(kc, 'ReassigningPartitions', 'Scale', step.message);
          return;
        }
        case 'add-controller': {
          if (!step.directoryId) {
            log.warn('observer has no directory id yet; cannot add it', { nodeId: step.nodeId });
            return;
          }
          const layout = controllerLayout(roleLayouts(ref, spec));
          const ordinal = step.nodeId - layout.idBase;
          await cluster.addRaftVoter(step.nodeId, step.directoryId, {
            name: CONTROLLER_LISTENER.name,
            host: podDnsName(ref, layout, ordinal),
            port: CONTROLLER_LISTENER.port,
          });
          void deps.events.normal(kc, 'ControllerAdded', 'Scale', step.message);
          return;
        }
        case 'remove-controller': {
          if (!step.directoryId) {
            log.warn('voter has no directory id; cannot remove it', { nodeId: step.nodeId });
            return;
          }
          await cluster.removeRaftVoter(step.nodeId, step.directoryId);
          void deps.events.normal(kc, 'ControllerRemoved', 'Scale', step.message);
          return;
        }
        case 'unregister-broker':
          await cluster.unregisterBroker(step.nodeId);
          void deps.events.normal(kc, 'BrokerUnregistered', 'Scale', step.message);
          return;
      }
    } catch (e) {
      // The next reconcile sees the state again and decides afresh.
      log.warn('scale step failed', { action: step.action, err: errorText(e) });
      void deps.events.warning(kc, 'ScaleStepFailed', 'Scale', `${step.message}: ${errorText(e)}`);
    }
  }

  async function executeRoll(
    kc: KafkaCluster,
    ref: ClusterRef,
    roll: RollDecision,
    podObjects: readonly PodObject[],
    log: Logger,
  ): Promise<void> {
    if (roll.action === 'wait') {
      log.debug('roll waits', { reason: roll.reason, message: roll.message });
      return;
    }
    if (roll.action !== 'restart') return;
    const pod = podObjects.find((p) => p.metadata?.name === roll.pod);
    const uid = pod?.metadata?.uid;
    log.info('restarting pod', { pod: roll.pod, reason: roll.reason, message: roll.message });
    try {
      // The uid precondition: a stale cache must never delete the pod that replaced this one.
      await deps.client.request('DELETE', resourcePath(resources.Pod, ref.namespace, roll.pod), {
        body: {
          kind: 'DeleteOptions',
          apiVersion: 'v1',
          ...(uid ? { preconditions: { uid } } : {}),
        },
      });
      void deps.events.normal(kc, roll.reason, 'RestartPod', roll.message);
    } catch (e) {
      if (isNotFound(e) || isConflict(e)) return; // already gone or already replaced
      throw e;
    }
  }

  async function executeMetadataStep(
    kc: KafkaCluster,
    step: MetadataVersionDecision,
    bootstrap: string,
    log: Logger,
  ): Promise<void> {
    if (step.action !== 'upgrade') return;
    const level = metadataLevelOfRelease(step.releaseVersion);
    if (level === undefined) {
      log.warn('unknown release for metadata.version', { release: step.releaseVersion });
      return;
    }
    try {
      await deps.clusterKafka(bootstrap).upgradeFeature('metadata.version', level);
      void deps.events.normal(kc, 'MetadataVersionUpgraded', 'UpdateFeatures', step.message);
    } catch (e) {
      log.warn('metadata.version upgrade failed', { err: errorText(e) });
      void deps.events.warning(kc, 'MetadataVersionUpgradeFailed', 'UpdateFeatures', errorText(e));
    }
  }

  async function pruneServices(ref: ClusterRef, desired: Set<string>, log: Logger): Promise<void> {
    const owned = deps.services
      .list(ref.namespace)
      .filter((s) => s.metadata?.labels?.[CLUSTER_LABEL] === ref.name);
    for (const s of strayObjects(owned, desired, ref.uid)) {
      log.info('deleting service no longer rendered', { service: s.metadata?.name });
      await deps.client.delete(resources.Service, ref.namespace, s.metadata?.name ?? '');
    }
  }

  /** Expands existing PVCs to a bigger storage.size; returns why it cannot, if it cannot. */
  async function growClaims(
    kc: KafkaCluster,
    ref: ClusterRef,
    spec: ClusterSpec,
    claimSizes: Partial<Record<Role, string>>,
    log: Logger,
  ): Promise<string[]> {
    const problems: string[] = [];
    for (const layout of roleLayouts(ref, spec)) {
      const storage = layout.spec.storage;
      const existing = claimSizes[layout.role];
      if (storage.type !== 'persistent-claim' || !existing || existing === storage.size) continue;
      const list = await deps.client.list<
        KubeObject & { spec?: ClaimSpec; status?: { phase?: string } }
      >(resources.PersistentVolumeClaim, ref.namespace, {
        labelSelector: `${CLUSTER_LABEL}=${ref.name},${ROLE_LABEL}=${layout.role}`,
      });
      const claims = list.items
        .filter((c) =>
          (c.metadata?.name ?? '').startsWith(claimName(layout.statefulSetName, 0).slice(0, -1)),
        )
        .map((c) => ({
          name: c.metadata?.name ?? '',
          requested: c.spec?.resources?.requests?.storage ?? '0',
          ...(c.spec?.storageClassName ? { storageClassName: c.spec.storageClassName } : {}),
          bound: c.status?.phase === 'Bound',
        }));
      const className = claims[0]?.storageClassName;
      // StorageClasses are cluster-scoped; an install that watches namespaces may not grant
      // reading them. Unknown then: the API server itself refuses an expansion the class
      // does not allow, with a message the reconcile reports.
      const sc = className
        ? await deps.client
            .get<KubeObject & { allowVolumeExpansion?: boolean }>(
              resources.StorageClass,
              undefined,
              className,
            )
            .catch((e: unknown) => {
              if (e instanceof KubeApiError && e.statusCode === 403) return undefined;
              throw e;
            })
        : undefined;
      const plan = planStorage(
        storage,
        claims,
        sc ? (sc.allowVolumeExpansion ?? false) : undefined,
      );
      problems.push(...plan.problems);
      for (const e of plan.expand) {
        try {
          await deps.client.mergePatch(resources.PersistentVolumeClaim, ref.namespace, e.name, {
            spec: { resources: { requests: { storage: e.size } } },
          });
        } catch (err) {
          // Refused (the class cannot expand, which may have been unknown to us; a quota): that
          // is the answer, reported as a condition, not a reconcile that fails forever.
          if (!(err instanceof KubeApiError) || ![403, 422].includes(err.statusCode)) throw err;
          const why = err.status?.message ?? err.message;
          problems.push(`expanding ${e.name} to ${e.size} was refused: ${why}`);
          log.warn('volume expansion refused', { claim: e.name, err: why });
          continue;
        }
        log.info('expanding volume', { claim: e.name, size: e.size });
        void deps.events.normal(kc, 'VolumeExpanding', 'ExpandVolume', `${e.name} -> ${e.size}`);
      }
    }
    return problems;
  }
}

interface ClaimSpec {
  resources?: { requests?: { storage?: string } };
  storageClassName?: string;
}

function ownedByCluster(obj: KubeObject, ref: ClusterRef): boolean {
  return (obj.metadata?.ownerReferences ?? []).some((r) => r.controller && r.uid === ref.uid);
}

function resourceOf(obj: { kind?: string }): ResourceInfo {
  switch (obj.kind) {
    case 'StatefulSet':
      return resources.StatefulSet;
    case 'Service':
      return resources.Service;
    case 'ConfigMap':
      return resources.ConfigMap;
    case 'PodDisruptionBudget':
      return resources.PodDisruptionBudget;
    default:
      throw new Error(`the cluster renderer produced an unexpected kind ${obj.kind}`);
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
