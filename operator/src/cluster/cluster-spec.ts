// The KafkaCluster spec types the cluster core reads: aliases of the types inferred from the
// schema (api/kafka-cluster.ts), so the core and the CRD cannot drift apart. The names stay
// because the core was written against them.
import type {
  KafkaClusterSpec,
  KafkaListener,
  KafkaNodePool,
  KafkaStorage,
} from '../api/kafka-cluster.ts';

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
