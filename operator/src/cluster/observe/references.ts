// Not pure: reads the objects a KafkaCluster's spec names outside itself (today only the
// exporter ConfigMap of spec.metrics.exporter.configMapKeyRef), for referenceProblems. A LIST
// by name: the operator's ConfigMap rights are list/watch (its informer sees only its own).
import type { KubeClient } from '../../runtime/kube-client.ts';
import type { KubeObject } from '../../runtime/resource.ts';
import type { ClusterSpec } from '../cluster-spec.ts';
import { resources } from '../deps.ts';
import type { ReferencedObjects } from '../plan/spec-checks.ts';
import { userConfig } from '../render/render-metrics.ts';

type ConfigMap = KubeObject & {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
};

export async function readReferences(
  client: KubeClient,
  namespace: string,
  spec: ClusterSpec,
): Promise<ReferencedObjects> {
  const ref = userConfig(spec);
  if (!ref) return {};
  const found = await client.list<ConfigMap>(resources.ConfigMap, namespace, {
    fieldSelector: `metadata.name=${ref.name}`,
  });
  const cm = found.items[0];
  const keys = cm ? [...Object.keys(cm.data ?? {}), ...Object.keys(cm.binaryData ?? {})] : null;
  return { metricsConfig: { ...ref, keys } };
}
