// The cluster as the reconciler works on it this round: the resource's identity and spec, and
// what follows from the spec alone (the role layouts, the replicas each role should have).
// Built once per reconcile and handed to every step, so nothing recomputes the layouts.
import type { KafkaCluster } from '../../api/kafka-cluster.ts';
import type { ClusterRef, ClusterSpec } from '../cluster-spec.ts';
import { roleLayouts, type Role, type RoleLayout } from './node-layout.ts';

export interface ClusterModel {
  ref: ClusterRef;
  spec: ClusterSpec;
  generation: number;
  /** The roles present, controllers first. */
  layouts: readonly RoleLayout[];
  /** The spec's replicas per role. */
  desired: Partial<Record<Role, number>>;
}

export function clusterModel(kc: KafkaCluster): ClusterModel {
  return modelOf(clusterRef(kc), kc.spec, kc.metadata.generation ?? 0);
}

/** The model of a cluster given by its parts (tests build one from a spec alone). */
export function modelOf(ref: ClusterRef, spec: ClusterSpec, generation: number): ClusterModel {
  return {
    ref,
    spec,
    generation,
    layouts: roleLayouts(ref, spec),
    desired: desiredReplicas(spec),
  };
}

export function clusterRef(kc: KafkaCluster): ClusterRef {
  return {
    name: kc.metadata.name ?? '',
    namespace: kc.metadata.namespace ?? '',
    uid: kc.metadata.uid ?? '',
  };
}

/** The spec's replicas per role: {controller, broker} or {combined}. */
export function desiredReplicas(spec: ClusterSpec): Partial<Record<Role, number>> {
  return spec.controllers
    ? { controller: spec.controllers.replicas, broker: spec.brokers.replicas }
    : { combined: spec.brokers.replicas };
}
