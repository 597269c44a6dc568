// Labels, selectors and owner references shared by every rendered object.
import type { V1OwnerReference } from '@kubernetes/client-node';
import { kinds } from '../../api/kinds.ts';
import type { ClusterRef } from '../cluster-spec.ts';
import type { Role } from './node-layout.ts';

export const CLUSTER_LABEL = 'kraftwerk.dev/cluster';
export const ROLE_LABEL = 'kraftwerk.dev/role';
/** On every pod that serves clients (brokers and combined nodes): the bootstrap selector. */
export const BROKER_LABEL = 'kraftwerk.dev/broker';
export const CONFIG_HASH_ANNOTATION = 'kraftwerk.dev/config-hash';
export const KAFKA_VERSION_ANNOTATION = 'kraftwerk.dev/kafka-version';
/** Set by a person on a pod to ask for a restart through the safe roller. */
/**
 * Stamped by the operator on a broker pod: the value of spec.rack.topologyKey on the pod's node,
 * which the start script writes as broker.rack (node labels are not in the downward API).
 */
export const RACK_ANNOTATION = 'kraftwerk.dev/rack';
export const MANUAL_RESTART_ANNOTATION = 'kraftwerk.dev/restart';
/** Held on a KafkaCluster until its brokers, then its controllers, have stopped. */
export const CLUSTER_FINALIZER = 'kraftwerk.dev/cluster';

export function clusterLabels(clusterName: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'kafka',
    'app.kubernetes.io/instance': clusterName,
    'app.kubernetes.io/managed-by': 'kraftwerk',
    [CLUSTER_LABEL]: clusterName,
  };
}

export function roleSelector(clusterName: string, role: Role): Record<string, string> {
  return { [CLUSTER_LABEL]: clusterName, [ROLE_LABEL]: role };
}

export function roleLabels(clusterName: string, role: Role): Record<string, string> {
  return {
    ...clusterLabels(clusterName),
    'app.kubernetes.io/component': role,
    [ROLE_LABEL]: role,
  };
}

export function ownerReference(cluster: ClusterRef): V1OwnerReference {
  return {
    apiVersion: kinds.KafkaCluster.apiVersion,
    kind: kinds.KafkaCluster.kind,
    name: cluster.name,
    uid: cluster.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}
