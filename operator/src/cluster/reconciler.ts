// The KafkaCluster reconciler: observe (caches + Kafka, once), plan (planCluster, pure), apply
// the plan as named steps, report (status, Events). Level-triggered: every run recomputes from
// what is there now. The only things kept are persisted ones: status.clusterId, and the
// withdrawn initial-controller list in the ConfigMap. A restarted operator therefore picks a
// roll or a drain up where it stands. The steps' order is the reconcile function below.
// The controller keeps the finalizer (runtime/controller.ts FinalizerHook): it adds it before
// the first reconcile, so whatever exists is torn down in order, and on deletion calls
// `finalize` (the teardown, one step per call) until it is done.
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import type { KafkaCluster } from '../api/kafka-cluster.ts';
import type { FinalizeResult, Reconciler } from '../runtime/controller.ts';
import { AppliedOver } from '../runtime/apply.ts';
import { objectKey, splitKey } from '../runtime/resource.ts';
import type { ReconcileResult } from '../runtime/work-queue.ts';
import { ensureCertificates } from './apply/certificates.ts';
import { deleteScaledAwayClaims, growClaims } from './apply/storage.ts';
import { connectAsOperator, ensureClusterId, writeStatus, type StepContext } from './apply/kube.ts';
import { scaleInKafka, setDynamicConfig, upgradeMetadataVersion } from './apply/kafka.ts';
import {
  clusterGauges,
  forgetClusterSeries,
  reportCertificateExpiry,
  reportLogDirs,
} from './apply/metrics.ts';
import { applyObjects } from './apply/objects.ts';
import { stampRacks } from './apply/rack.ts';
import { restartPod } from './apply/roll.ts';
import { tearDown } from './apply/teardown.ts';
import { defaultBootstrap, type ClusterReconcilerDeps } from './deps.ts';
import { clusterModel, clusterRef } from './model/cluster-model.ts';
import { CLUSTER_FINALIZER } from './model/labels.ts';
import { observeCluster, type ClusterObservation } from './observe/observe-cluster.ts';
import { readReferences } from './observe/references.ts';
import {
  invalidSpecStatus,
  planCluster,
  planStatus,
  type ClusterPlan,
} from './plan/cluster-plan.ts';
import type { ClusterStatus } from './plan/cluster-status.ts';
import { referenceProblems, specProblems } from './plan/spec-checks.ts';

/** How soon a cluster waiting for an object its spec names looks for it again. */
const REFERENCE_RECHECK_MS = 15_000;

export { defaultBootstrap, type ClusterReconcilerDeps } from './deps.ts';

export function clusterReconciler(deps: ClusterReconcilerDeps): Reconciler<KafkaCluster> {
  const recheckMs = deps.recheckMs ?? 5_000;
  const random = deps.randomBytes ?? ((n: number) => nodeRandomBytes(n));
  const bootstrapOf = deps.bootstrapOf ?? defaultBootstrap;
  const again = (busy: boolean) => (busy ? { requeueAfterMs: recheckMs } : undefined);
  const appliedOver = new AppliedOver();
  const gauges = deps.registry ? clusterGauges(deps.registry) : undefined;
  const contextOf = (kc: KafkaCluster): StepContext => ({
    deps,
    appliedOver,
    kc,
    namespace: kc.metadata.namespace ?? '',
    log: deps.logger.child({ kafkacluster: `${kc.metadata.namespace}/${kc.metadata.name}` }),
    bootstrap: bootstrapOf(clusterRef(kc)),
  });

  const reconcile = async (key: string): Promise<ReconcileResult | undefined> => {
    const kc = deps.clusters.get(key);
    if (!kc || kc.metadata.deletionTimestamp) return forget(key);
    const ctx = contextOf(kc);
    const model = clusterModel(kc);
    const now = new Date(deps.clock.now());

    const missing = referenceProblems(
      await readReferences(deps.client, ctx.namespace, model.spec),
      ctx.namespace,
    );
    const problems = [...specProblems(model.spec, model.ref), ...missing];
    if (problems.length > 0) {
      // What only the operator can judge. Nothing is applied for a bad spec.
      const previous = kc.status as ClusterStatus | undefined;
      await writeStatus(ctx, invalidSpecStatus(model, previous, problems, now));
      void deps.events.warning(kc, 'InvalidSpec', 'Reconcile', problems.join('; '));
      // A missing object may appear without any event we watch: look again.
      return missing.length > 0 ? { requeueAfterMs: REFERENCE_RECHECK_MS } : undefined;
    }
    const clusterId = await ensureClusterId(ctx, random);

    // A secured cluster is asked over mTLS as the operator; without its certificate yet
    // nothing is asked of Kafka and Ready says why.
    await connectAsOperator(ctx);
    const obs = await observeCluster(deps, kc, model, clusterId, ctx.bootstrap, now, ctx.log, {
      ...(ctx.security ? { security: ctx.security } : {}),
      ...(ctx.kafkaPending !== undefined ? { pending: ctx.kafkaPending } : {}),
    });
    reportLogDirs(ctx, gauges, obs);
    // Secured clusters: the Secrets exist before the StatefulSets that mount them.
    const certificates = await ensureCertificates(ctx, model, obs.current, obs.podObjects, now);
    const plan = planCluster(obs, deps.operatorPods, certificates);

    await applyObjects(ctx, plan);
    await stampRacks(ctx, plan);
    const storageProblems = await growClaims(ctx, plan);
    await scaleInKafka(ctx, model, plan);
    await deleteScaledAwayClaims(ctx, plan);
    await setDynamicConfig(ctx, plan);
    await restartPod(ctx, plan);
    await upgradeMetadataVersion(ctx, plan);
    await writeStatus(ctx, planStatus(obs, plan, storageProblems));
    reportCertificateExpiry(ctx, gauges, certificates);

    logReconciled(ctx, obs, plan);
    return again(plan.busy);
  };

  /** One teardown step of a deleted cluster; done once nothing of it needs stopping first. */
  const finalize = async (kc: KafkaCluster): Promise<FinalizeResult<KafkaCluster>> => {
    if (await tearDown(contextOf(kc), clusterModel(kc))) {
      return { done: false, requeueAfterMs: recheckMs };
    }
    await forget(objectKey(kc));
    return { done: true };
  };

  return { reconcile, finalizer: { name: CLUSTER_FINALIZER, finalize } };

  /** The garbage collector removes what it owned; only our connections to it are left. */
  async function forget(key: string): Promise<undefined> {
    const { namespace = '', name } = splitKey(key);
    appliedOver.forget(key);
    forgetClusterSeries(gauges, namespace, name);
    await deps.release?.(bootstrapOf({ namespace, name, uid: '' }));
    return undefined;
  }
}

function logReconciled(ctx: StepContext, obs: ClusterObservation, plan: ClusterPlan): void {
  const { roll, scale, metadataStep } = plan;
  ctx.log.debug('reconciled', {
    generation: ctx.kc.metadata.generation,
    kafka: obs.kafka.quorum ? 'reachable' : (obs.kafka.error ?? 'not asked'),
    roll: roll.action === 'none' ? 'none' : `${roll.action}: ${roll.message}`,
    scale: scale.map((s) => `${s.action}: ${s.message}`).join('; ') || 'none',
    metadata: metadataStep.action,
  });
}
