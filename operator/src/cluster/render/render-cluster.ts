// Entry point of the renderers: a KafkaCluster (plus the few facts only observation can give)
// becomes every object the operator applies with server-side apply.
import type {
  KubernetesObject,
  V1ConfigMap,
  V1PodDisruptionBudget,
  V1Service,
  V1StatefulSet,
} from '@kubernetes/client-node';
import type { ClusterRef, ClusterSpec } from '../cluster-spec.ts';
import { roleLayouts } from '../model/node-layout.ts';
import type { Role } from '../model/node-layout.ts';
import { renderConfigMap } from './render-configmap.ts';
import { renderMetricsConfigMap } from './render-metrics.ts';
import {
  renderNetworkPolicy,
  type NetworkPolicy,
  type OperatorPods,
} from './render-network-policy.ts';
import { renderPodDisruptionBudget } from './render-pdb.ts';
import {
  renderBootstrapService,
  renderHeadlessService,
  renderNodePortServices,
} from './render-services.ts';
import { renderStatefulSet } from './render-statefulset.ts';

export interface RenderInput {
  cluster: ClusterRef;
  spec: ClusterSpec;
  /** Generated once by the reconciler (clusterIdFromBytes) and kept in status. */
  clusterId: string;
  /** True once the quorum has had a leader; withdraws the initial controller list. */
  quorumFormed: boolean;
  /**
   * Replicas per role to render instead of the spec's: the scale planner moves StatefulSets
   * towards the spec one safe step at a time.
   */
  replicas?: Partial<Record<Role, number>>;
  /** Claim size of StatefulSets that already exist (their claim templates are immutable). */
  existingClaimSize?: Partial<Record<Role, string>>;
  /** The operator's pods, admitted to the replication port (operator configuration). */
  operatorPods?: OperatorPods;
  /**
   * Secured clusters: per StatefulSet name, the hash of the certificates its pods must run with
   * (the certificate step computes it from the role's Secrets). It becomes the pod template's
   * CERTIFICATES_HASH_ANNOTATION, so a change rolls the role; a role without one gets none.
   */
  certificateHashes?: Readonly<Record<string, string>>;
}

export interface DesiredObjects {
  configMap: V1ConfigMap;
  /** kraftwerk's JMX exporter rules (spec.metrics on, without the user's own). */
  metricsConfigMap?: V1ConfigMap;
  statefulSets: V1StatefulSet[];
  services: V1Service[];
  podDisruptionBudgets: V1PodDisruptionBudget[];
  networkPolicies: NetworkPolicy[];
}

export function renderCluster(input: RenderInput): DesiredObjects {
  const spec = withReplicas(input.spec, input.replicas);
  const { cluster, clusterId } = input;
  const layouts = roleLayouts(cluster, spec);
  return {
    configMap: renderConfigMap(cluster, spec, layouts, clusterId, input.quorumFormed),
    metricsConfigMap: renderMetricsConfigMap(cluster, spec),
    statefulSets: layouts.map((layout) =>
      renderStatefulSet(cluster, spec, clusterId, layout, {
        existingClaimSize: input.existingClaimSize?.[layout.role],
        certificatesHash: input.certificateHashes?.[layout.statefulSetName],
      }),
    ),
    services: [
      ...layouts.map((layout) => renderHeadlessService(cluster, spec, layout)),
      renderBootstrapService(cluster, spec, layouts),
      ...renderNodePortServices(cluster, spec, layouts),
    ],
    podDisruptionBudgets: layouts.map((layout) => renderPodDisruptionBudget(cluster, spec, layout)),
    networkPolicies: [renderNetworkPolicy(cluster, spec, input.operatorPods)],
  };
}

/** Every object in apply order: configuration before the pods that read it. */
export function desiredObjectList(objects: DesiredObjects): KubernetesObject[] {
  return [
    objects.configMap,
    ...(objects.metricsConfigMap ? [objects.metricsConfigMap] : []),
    ...objects.services,
    ...objects.statefulSets,
    ...objects.podDisruptionBudgets,
    ...objects.networkPolicies,
  ];
}

function withReplicas(spec: ClusterSpec, replicas: RenderInput['replicas']): ClusterSpec {
  if (!replicas) return spec;
  const brokerRole: Role = spec.controllers ? 'broker' : 'combined';
  const brokers = replicas[brokerRole];
  const controllers = replicas.controller;
  return {
    ...spec,
    brokers: brokers === undefined ? spec.brokers : { ...spec.brokers, replicas: brokers },
    ...(spec.controllers
      ? {
          controllers:
            controllers === undefined
              ? spec.controllers
              : { ...spec.controllers, replicas: controllers },
        }
      : {}),
  };
}
