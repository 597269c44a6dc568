// The roll: at most one step per reconcile, and only when the roll plan says so: one pod, or
// the pods of one rack batch (RackAtATime), each DELETE with the uid it was observed with.
import { resources } from '../deps.ts';
import type { ClusterPlan } from '../plan/cluster-plan.ts';
import { deleteIfUid, type StepContext } from './kube.ts';

export async function restartPod(ctx: StepContext, plan: ClusterPlan): Promise<void> {
  const { roll } = plan;
  if (roll.action === 'wait') {
    ctx.log.debug('roll waits', { reason: roll.reason, message: roll.message });
    return;
  }
  if (roll.action === 'restart-rack') {
    await restartRack(ctx, plan, roll);
    return;
  }
  if (roll.action !== 'restart') return;
  ctx.log.info('restarting pod', { pod: roll.pod, reason: roll.reason, message: roll.message });
  // Gone already, or already replaced: nothing to report.
  if (!(await deleteIfUid(ctx, resources.Pod, roll.pod, plan.restartUid))) return;
  void ctx.deps.events.normal(ctx.kc, roll.reason, 'RestartPod', roll.message);
}

async function restartRack(
  ctx: StepContext,
  plan: ClusterPlan,
  roll: Extract<ClusterPlan['roll'], { action: 'restart-rack' }>,
): Promise<void> {
  ctx.log.info('restarting rack', {
    rack: roll.rack,
    pods: roll.pods.map((m) => m.pod).join(','),
    message: roll.message,
  });
  // Together: the brokers' controlled shutdowns overlap, which is the point of the batch.
  const results = await Promise.allSettled(
    roll.pods.map((m) => deleteIfUid(ctx, resources.Pod, m.pod, plan.restartUids?.[m.pod])),
  );
  const deleted = roll.pods.filter((_, i) => {
    const r = results[i]!;
    return r.status === 'fulfilled' && r.value;
  });
  if (deleted.length > 0) {
    const which = deleted.map((m) => m.pod).join(', ');
    void ctx.deps.events.normal(
      ctx.kc,
      'RackRestart',
      'RestartPod',
      deleted.length === roll.pods.length ? roll.message : `${roll.message}; deleted: ${which}`,
    );
  }
  // A pod that could not be deleted is planned again next time, with what is left of the rack.
  const failed = results.find((r) => r.status === 'rejected');
  if (failed?.status === 'rejected') throw failed.reason;
}
