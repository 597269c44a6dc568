// Render + apply: the rendered objects by server-side apply (skipped when the cache already
// shows them), Services no longer rendered deleted, and an Event per StatefulSet resized.
import { alreadyApplied, apply, withAppliedHash } from '../../runtime/apply.ts';
import { objectKey, type KubeObject, type ResourceInfo } from '../../runtime/resource.ts';
import { resources } from '../deps.ts';
import type { ClusterPlan } from '../plan/cluster-plan.ts';
import { desiredObjectList } from '../render/render-cluster.ts';
import type { StepContext } from './kube.ts';

export async function applyObjects(ctx: StepContext, plan: ClusterPlan): Promise<void> {
  const { deps, kc, log, appliedOver } = ctx;
  for (const obj of desiredObjectList(plan.objects)) {
    // The renderers build client-node V1* objects, whose timestamp fields are Dates; they
    // set none of them, so the object is already the wire JSON the API server takes.
    const desired = withAppliedHash(obj as unknown as KubeObject);
    const resource = resourceOf(obj);
    // A quiet resync re-sends nothing: the cache already shows exactly this apply, or still
    // shows the copy this very apply was already sent over (our write not seen yet).
    const live = cachedObject(ctx, resource, desired);
    if (alreadyApplied(desired, live) || appliedOver.answered(desired, live)) continue;
    await apply(deps.client, desired, { resource });
    appliedOver.record(desired, live, objectKey(kc));
  }
  for (const s of plan.strayServices) {
    log.info('deleting service no longer rendered', { service: s.metadata?.name });
    await deps.client.delete(resources.Service, ctx.namespace, s.metadata?.name ?? '');
  }
  for (const step of plan.resizing) {
    log.info('scaling', { role: step.role, replicas: step.replicas });
    void deps.events.normal(kc, 'Scaling', 'Scale', step.message);
  }
}

function cachedObject(
  ctx: StepContext,
  resource: ResourceInfo,
  obj: KubeObject,
): KubeObject | undefined {
  const { deps, namespace } = ctx;
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
    case 'NetworkPolicy':
      return deps.networkPolicies?.getByName(namespace, name);
    default:
      return undefined;
  }
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
    case 'NetworkPolicy':
      return resources.NetworkPolicy;
    default:
      throw new Error(`the cluster renderer produced an unexpected kind ${obj.kind}`);
  }
}
