// The rack stamp: each scheduled broker pod gets its node's rack as the kraftwerk.dev/rack
// annotation (plan/rack-plan.ts decides which), which its start script reads through the
// downward API and writes as broker.rack. A node the rack cannot be read from is a Warning
// Event naming the node and the key, beside the RackKnown condition.
import { isConflict, isNotFound } from '../../runtime/kube-client.ts';
import { resourcePath } from '../../runtime/resource.ts';
import { resources } from '../deps.ts';
import { RACK_ANNOTATION } from '../model/labels.ts';
import type { ClusterPlan } from '../plan/cluster-plan.ts';
import type { StepContext } from './kube.ts';

export async function stampRacks(ctx: StepContext, plan: ClusterPlan): Promise<void> {
  const racks = plan.racks;
  if (!racks) return;
  for (const s of racks.stamps) {
    try {
      // The uid in the patch is a precondition: a replaced pod (another uid) answers 409 and
      // is stamped when the cache shows it.
      await ctx.deps.client.request('PATCH', resourcePath(resources.Pod, ctx.namespace, s.pod), {
        contentType: 'application/merge-patch+json',
        body: { metadata: { uid: s.uid, annotations: { [RACK_ANNOTATION]: s.rack } } },
      });
      ctx.log.info('stamped rack', { pod: s.pod, rack: s.rack });
    } catch (e) {
      if (isNotFound(e) || isConflict(e)) continue;
      throw e;
    }
  }
  for (const p of racks.problems) {
    void ctx.deps.events.warning(ctx.kc, p.reason, 'StampRack', p.message);
  }
}
