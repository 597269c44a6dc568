// The KafkaCluster spec types the cluster core reads: aliases of the types inferred from the
// schema (api/kafka-cluster.ts), so the core and the CRD cannot drift apart. The names stay
// because the core was written against them.
import type {
  KafkaClusterSpec,
  KafkaListener,
  KafkaNodePool,
  KafkaStorage,
} from '../api/kafka-cluster.ts';
import { API_GROUP_VERSION } from '../api/group-version.ts';
import { kinds } from '../api/kinds.ts';

export type ClusterSpec = KafkaClusterSpec;
export type RoleSpec = KafkaNodePool;
export type StorageSpec = KafkaStorage;
export type ListenerSpec = KafkaListener;
export type ListenerType = KafkaListener['type'];
export type PodTemplateSpec = NonNullable<NonNullable<KafkaClusterSpec['template']>['pod']>;
/** Resource requests or limits: quantities as strings ("1Gi") or bare integers. */
export type QuantityMap = NonNullable<NonNullable<KafkaNodePool['resources']>['requests']>;

/** The identity of the KafkaCluster object, for names and owner references. */
export interface ClusterRef {
  name: string;
  namespace: string;
  uid: string;
}

/** The apiVersion of a KafkaCluster object (group/version); api/kinds.ts is the registry. */
export const CLUSTER_API_VERSION = API_GROUP_VERSION;
/**
 * Old name of CLUSTER_API_VERSION, kept while cluster/labels.ts imports it. Not to be confused
 * with api/group-version.ts's API_VERSION, which is the version alone (v1alpha1).
 * @deprecated use kinds.KafkaCluster (api/kinds.ts) or CLUSTER_API_VERSION.
 */
export const API_VERSION = CLUSTER_API_VERSION;
export const KIND = kinds.KafkaCluster.kind;
