// The shape of a KafkaCluster spec this core needs, matching shared/design/api.md. The
// generated API types (operator/src/api/kafka-cluster.ts) were not in the repository when this
// core was written; this type is kept structurally compatible with their KafkaClusterSpec so
// the reconciler can pass one straight in, and should become an alias of it.

export type QuantityMap = Record<string, string | number>;

export interface StorageSpec {
  type: 'persistent-claim' | 'ephemeral';
  /** persistent-claim: size of each PersistentVolumeClaim. */
  size?: string;
  storageClassName?: string;
  /** persistent-claim: the operator deletes the claims on scale-down and with the cluster. */
  deleteClaim?: boolean;
  /** ephemeral: limit of the emptyDir. */
  sizeLimit?: string;
}

export interface RoleSpec {
  replicas: number;
  storage: StorageSpec;
  resources?: { requests?: QuantityMap; limits?: QuantityMap };
  jvm?: { heap?: string };
}

export type ListenerType = 'internal' | 'nodeport';

export interface ListenerSpec {
  name: string;
  port: number;
  type: ListenerType;
  /** nodeport only: broker with ordinal i is reachable on nodePortBase + i. */
  nodePortBase?: number;
  /** nodeport only: host clients use; defaults to the IP of the node the pod runs on. */
  advertisedHost?: string;
}

export interface PodTemplateSpec {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  nodeSelector?: Record<string, string>;
  /** core/v1 Affinity, passed through. */
  affinity?: Record<string, unknown>;
  /** core/v1 Tolerations, passed through. */
  tolerations?: Record<string, unknown>[];
  /** core/v1 TopologySpreadConstraints, passed through. */
  topologySpreadConstraints?: Record<string, unknown>[];
  priorityClassName?: string;
  /** Seconds a pod gets to stop (Kafka's controlled shutdown); default 120. */
  terminationGracePeriodSeconds?: number;
}

export interface ClusterSpec {
  version: string;
  image?: string;
  /** Dedicated KRaft quorum; absent means combined mode (every node is broker and controller). */
  controllers?: RoleSpec;
  brokers: RoleSpec;
  listeners: ListenerSpec[];
  config?: Record<string, string | number | boolean>;
  rack?: { topologyKey: string };
  template?: {
    pod?: PodTemplateSpec;
    podDisruptionBudget?: { maxUnavailable?: number };
  };
}

/** The identity of the KafkaCluster object, for names and owner references. */
export interface ClusterRef {
  name: string;
  namespace: string;
  uid: string;
}

export const API_VERSION = 'kraftwerk.dev/v1alpha1';
export const KIND = 'KafkaCluster';
