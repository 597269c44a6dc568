// A PodDisruptionBudget per role guards against voluntary evictions (node drains); the
// roller's own restarts are deletions and are paced by its safety checks instead.
import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { ClusterRef, ClusterSpec } from '../cluster-spec.ts';
import { ownerReference, roleLabels, roleSelector } from '../model/labels.ts';
import type { RoleLayout } from '../model/node-layout.ts';

export function renderPodDisruptionBudget(
  cluster: ClusterRef,
  spec: ClusterSpec,
  layout: RoleLayout,
): V1PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: {
      name: layout.statefulSetName,
      namespace: cluster.namespace,
      labels: roleLabels(cluster.name, layout.role),
      ownerReferences: [ownerReference(cluster)],
    },
    spec: {
      maxUnavailable: maxUnavailable(spec, layout),
      selector: { matchLabels: roleSelector(cluster.name, layout.role) },
    },
  };
}

/**
 * The spec's value (default 1) for brokers. KRaft voters (dedicated controllers, combined
 * nodes) get at most floor((n-1)/2): n voters keep a majority with that many away, so a drain
 * can never stop the quorum. One voter gets 0: a drain waits until someone moves or deletes
 * that pod by hand (the eviction API answers 429 until then).
 */
export function maxUnavailable(spec: ClusterSpec, layout: RoleLayout): number {
  const wanted = spec.template?.podDisruptionBudget?.maxUnavailable ?? 1;
  if (layout.role === 'broker') return wanted;
  return Math.min(wanted, Math.floor((layout.spec.replicas - 1) / 2));
}
