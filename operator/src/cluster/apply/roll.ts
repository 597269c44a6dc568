// The roll: at most one pod is deleted per reconcile, and only when the roll plan says so.
import { resources } from '../deps.ts';
import type { ClusterPlan } from '../plan/cluster-plan.ts';
import { deleteIfUid, type StepContext } from './kube.ts';

export async function restartPod(ctx: StepContext, plan: ClusterPlan): Promise<void> {
  const { roll } = plan;
  if (roll.action === 'wait') {
    ctx.log.debug('roll waits', { reason: roll.reason, message: roll.message });
    return;
  }
  if (roll.action !== 'restart') return;
  ctx.log.info('restarting pod', { pod: roll.pod, reason: roll.reason, message: roll.message });
  // Gone already, or already replaced: nothing to report.
  if (!(await deleteIfUid(ctx, resources.Pod, roll.pod, plan.restartUid))) return;
  void ctx.deps.events.normal(ctx.kc, roll.reason, 'RestartPod', roll.message);
}
