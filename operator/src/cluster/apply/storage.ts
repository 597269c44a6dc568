// Claims: grow existing PVCs to a bigger storage.size, and delete the claims of scaled-away
// nodes (deleteClaim: true) once the plan says Kafka no longer knows them.
import { KubeApiError } from '../../runtime/kube-client.ts';
import { resources } from '../deps.ts';
import type { ClusterPlan } from '../plan/cluster-plan.ts';
import { deleteIfUid, type StepContext } from './kube.ts';

/**
 * Patches the claims the plan grows; returns the growth problems, the API server's refusals
 * among them (each role's after its own), for the status.
 */
export async function growClaims(ctx: StepContext, plan: ClusterPlan): Promise<string[]> {
  const { deps, kc, log } = ctx;
  const problems: string[] = [];
  for (const role of plan.storage) {
    problems.push(...role.problems);
    for (const e of role.expand) {
      try {
        await deps.client.mergePatch(resources.PersistentVolumeClaim, ctx.namespace, e.name, {
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

export async function deleteScaledAwayClaims(ctx: StepContext, plan: ClusterPlan): Promise<void> {
  for (const d of plan.claims.delete) {
    if (!(await deleteIfUid(ctx, resources.PersistentVolumeClaim, d.name, d.uid))) continue;
    ctx.log.info('deleting claim of a scaled-away node', { claim: d.name, nodeId: d.nodeId });
    void ctx.deps.events.normal(ctx.kc, 'ClaimDeleted', 'Scale', d.message);
  }
}
