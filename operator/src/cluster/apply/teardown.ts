// One step of the ordered teardown of a deleted KafkaCluster (plan/teardown-plan.ts). Uses the
// caches only: every deletion it waits for arrives as a watch event. Kafka is not asked.
import { resources } from '../deps.ts';
import type { ClusterModel } from '../model/cluster-model.ts';
import { observeTeardown } from '../observe/observe-cluster.ts';
import { planClusterTeardown } from '../plan/cluster-plan.ts';
import { deletingStatus, type ClusterStatus } from '../plan/cluster-status.ts';
import type { TeardownStep } from '../plan/teardown-plan.ts';
import { deleteIfUid, writeStatus, type StepContext } from './kube.ts';

/** Tears down one step further; true while it waits, false once the finalizer may go. */
export async function tearDown(ctx: StepContext, model: ClusterModel): Promise<boolean> {
  const { deps, kc, log } = ctx;
  // `kubectl delete --cascade=orphan`: the garbage collector first takes the owner references
  // off what the user keeps; only what is still ours afterwards is ours to stop.
  if (kc.metadata.finalizers?.includes('orphan')) return true;
  const now = new Date(deps.clock.now());
  const plan = planClusterTeardown(await observeTeardown(deps, kc, model, now));
  for (const step of plan.steps) {
    const { resource, options } = DELETE[step.action];
    if (await deleteIfUid(ctx, resource, step.name, step.uid, options)) report(ctx, step);
  }
  if (!plan.done) {
    log.debug('teardown waits', { message: plan.message });
    const previous = kc.status as ClusterStatus | undefined;
    await writeStatus(ctx, deletingStatus(previous, plan.message, model.generation, now));
    return true;
  }
  if (plan.abandoned.length > 0) {
    log.warn('teardown: not waiting any longer', { message: plan.message });
    void deps.events.warning(kc, 'TeardownStuckPods', 'Delete', plan.message);
  }
  log.info('teardown done; the garbage collector removes the rest', { message: plan.message });
  return false;
}

/** What each teardown step deletes, and how. */
const DELETE = {
  'delete-statefulset': {
    resource: resources.StatefulSet,
    options: { propagationPolicy: 'Background' },
  },
  'delete-pod': { resource: resources.Pod, options: { gracePeriodSeconds: 0 } },
  'delete-claim': { resource: resources.PersistentVolumeClaim, options: {} },
} as const;

function report(ctx: StepContext, step: TeardownStep): void {
  const { deps, kc, log } = ctx;
  switch (step.action) {
    case 'delete-statefulset':
      log.info('teardown: deleting StatefulSet', { statefulset: step.name });
      void deps.events.normal(
        kc,
        step.role === 'broker' ? 'StoppingBrokers' : 'StoppingControllers',
        'Delete',
        step.role === 'broker'
          ? `deleting ${step.name} first, so the brokers shut down while the quorum still answers`
          : `deleting ${step.name} now that the brokers are gone`,
      );
      return;
    case 'delete-claim':
      log.info('teardown: deleting claim', { claim: step.name });
      void deps.events.normal(kc, 'ClaimDeleted', 'Delete', step.message);
      return;
    case 'delete-pod':
      log.info('teardown: deleting Pending pod without a grace period', { pod: step.name });
  }
}
