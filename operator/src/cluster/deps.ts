// What the KafkaCluster shell works with: the API client, the informer caches, the Kafka
// ports, and the builtin kinds it reads and writes (our own kinds: api/kinds.ts).
import type { KafkaCluster } from '../api/kafka-cluster.ts';
import type { KafkaClusterPort } from '../kafka/cluster-port.ts';
import type { KafkaAdminPort } from '../kafka/port.ts';
import type { KafkaSecurity } from '../kafka/security.ts';
import type { OperatorCredentials } from '../kafka-credentials.ts';
import type { Clock } from '../runtime/clock.ts';
import type { EventRecorder } from '../runtime/events.ts';
import type { Informer } from '../runtime/informer.ts';
import type { KubeClient } from '../runtime/kube-client.ts';
import type { Logger } from '../runtime/logger.ts';
import type { Registry } from '../runtime/metrics.ts';
import { builtinResources, type KubeObject, type ResourceInfo } from '../runtime/resource.ts';
import type { ClusterRef } from './cluster-spec.ts';
import { REPLICATION_LISTENER, bootstrapServiceName } from './model/node-layout.ts';
import type { PodObject, StatefulSetObject } from './observe/cluster-resource.ts';
import type { NodeObject } from './observe/nodes.ts';
import type { OperatorPods } from './render/render-network-policy.ts';

export const resources = {
  StatefulSet: {
    group: 'apps',
    version: 'v1',
    kind: 'StatefulSet',
    plural: 'statefulsets',
    namespaced: true,
  },
  Service: { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true },
  ConfigMap: builtinResources.ConfigMap,
  PodDisruptionBudget: {
    group: 'policy',
    version: 'v1',
    kind: 'PodDisruptionBudget',
    plural: 'poddisruptionbudgets',
    namespaced: true,
  },
  NetworkPolicy: {
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'NetworkPolicy',
    plural: 'networkpolicies',
    namespaced: true,
  },
  Pod: { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true },
  /** Read with GET by name only (no informer): the operator may not list Secrets. */
  Secret: { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true },
  PersistentVolumeClaim: {
    group: '',
    version: 'v1',
    kind: 'PersistentVolumeClaim',
    plural: 'persistentvolumeclaims',
    namespaced: true,
  },
  StorageClass: {
    group: 'storage.k8s.io',
    version: 'v1',
    kind: 'StorageClass',
    plural: 'storageclasses',
    namespaced: false,
  },
} as const satisfies Record<string, ResourceInfo>;

export interface ClusterReconcilerDeps {
  client: KubeClient;
  clusters: Informer<KafkaCluster>;
  statefulSets: Informer<StatefulSetObject>;
  pods: Informer<PodObject>;
  services: Informer<KubeObject>;
  /** Every node (slimmed, observe/nodes.ts): broker.rack from the node's label. Without it no
   *  pod is stamped and RackKnown is not reported. */
  nodes?: Informer<NodeObject>;
  configMaps: Informer<KubeObject & { data?: Record<string, string> }>;
  /** Without it, PodDisruptionBudgets are applied on every reconcile. */
  podDisruptionBudgets?: Informer<KubeObject>;
  /** Without it, NetworkPolicies are applied on every reconcile. */
  networkPolicies?: Informer<KubeObject>;
  /** The operator's pods, admitted to the replication port; unset: the cluster's own only. */
  operatorPods?: OperatorPods;
  /** Per-topic admin (partition reassignments go through it); `security` for a secured
   *  cluster (the operator's certificate), unset: PLAINTEXT. */
  kafka: (bootstrap: string, security?: KafkaSecurity) => KafkaAdminPort;
  /** Cluster-level admin: quorum, partitions, registrations, broker defaults, features. */
  clusterKafka: (bootstrap: string, security?: KafkaSecurity) => KafkaClusterPort;
  /** The operator's credentials for a secured cluster (kafka-credentials.ts); without it every
   *  cluster is reached over PLAINTEXT. */
  credentials?: (cluster: KafkaCluster) => Promise<OperatorCredentials>;
  /** Where the operator reaches a cluster; default: its bootstrap Service, REPLICATION port. */
  bootstrapOf?: (cluster: ClusterRef) => string;
  events: EventRecorder;
  clock: Clock;
  logger: Logger;
  randomBytes?: (n: number) => Uint8Array;
  /** How soon to look again while something is under way (roll, drain, pods coming up). */
  recheckMs?: number;
  /** The operator's /metrics: gauges of what Kafka's own exporter cannot see (apply/metrics.ts). */
  registry?: Registry;
  /** Closes the Kafka connections of a cluster that is gone. */
  release?: (bootstrap: string) => Promise<void>;
}

export function defaultBootstrap(cluster: ClusterRef): string {
  return `${bootstrapServiceName(cluster.name)}.${cluster.namespace}.svc:${REPLICATION_LISTENER.port}`;
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
