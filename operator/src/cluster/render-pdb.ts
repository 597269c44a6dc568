// A PodDisruptionBudget per role guards against voluntary evictions (node drains); the
// roller's own restarts are deletions and are paced by its safety checks instead.
import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { ClusterRef, ClusterSpec } from './cluster-spec.ts';
import { ownerReference, roleLabels, roleSelector } from './labels.ts';
import type { RoleLayout } from './node-layout.ts';

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
      maxUnavailable: spec.template?.podDisruptionBudget?.maxUnavailable ?? 1,
      selector: { matchLabels: roleSelector(cluster.name, layout.role) },
    },
  };
}
