// The cluster-level Kafka port: what the KafkaCluster reconciler asks of the cluster it runs
// (quorum, partitions of every topic, broker registrations, cluster-wide dynamic config,
// features, quorum membership). Separate from KafkaAdminPort, whose calls are per topic or
// group; both are implemented against real Kafka. Errors: KafkaUnavailableError when no broker
// answered, KafkaRequestError when Kafka refused (errors.ts).

export interface QuorumMember {
  readonly nodeId: number;
  /** undefined in a static quorum (kraft.version 0). */
  readonly directoryId: string | undefined;
  /** Records behind the leader's log end offset (0 for the leader). */
  readonly lag: number;
}

export interface QuorumDescription {
  readonly leaderId: number;
  readonly voters: readonly QuorumMember[];
  readonly observers: readonly QuorumMember[];
}

export interface PartitionInfo {
  readonly topic: string;
  readonly partition: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  /** The leader's node.id; -1 when the partition has none (offline). */
  readonly leader: number;
  /** The topic's effective min.insync.replicas. */
  readonly minIsr: number;
}

export interface BrokerRegistrationInfo {
  readonly nodeId: number;
  /** Kafka 3.9 (DescribeCluster v1) lists unfenced brokers only: they read as false. */
  readonly fenced: boolean;
  readonly rack: string | null;
}

export interface VoterEndpoint {
  /** The controller listener's name, e.g. CONTROLLER. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

export interface LogDirInfo {
  /** The absolute path on the broker. */
  readonly path: string;
  /** Bytes of the volume the directory is on, and of them usable by Kafka; -1 when the broker
   *  did not say (an offline directory). */
  readonly totalBytes: number;
  readonly usableBytes: number;
  /** Kafka's error for this directory (KAFKA_STORAGE_ERROR: offline). */
  readonly error?: string;
}

/** One broker's answer: its log directories, or why it gave none (it did not answer, or
 *  Kafka refused). */
export type BrokerLogDirs =
  { readonly logDirs: readonly LogDirInfo[] } | { readonly error: string };

export interface KafkaClusterPort {
  describeQuorum(): Promise<QuorumDescription>;
  /** Every partition of every topic (internal ones too: they must be drained as well). */
  describePartitions(): Promise<readonly PartitionInfo[]>;
  describeBrokers(): Promise<readonly BrokerRegistrationInfo[]>;
  /** Dynamic cluster-wide broker defaults (kafka-configs --entity-default), key → value. */
  /** DescribeLogDirs to every broker in the metadata, by node id. A broker that does not
   *  answer is listed with its error; only the metadata itself failing rejects. */
  describeLogDirs(): Promise<Readonly<Record<number, BrokerLogDirs>>>;
  describeBrokerDefaults(): Promise<Readonly<Record<string, string>>>;
  /** IncrementalAlterConfigs on the default broker entity: a string sets, null deletes. */
  alterBrokerDefaults(changes: Readonly<Record<string, string | null>>): Promise<void>;
  /** Finalized feature levels, e.g. {"metadata.version": 27, "kraft.version": 1}. */
  finalizedFeatures(): Promise<Readonly<Record<string, number>>>;
  /** UpdateFeatures, upgrade only. */
  upgradeFeature(feature: string, level: number): Promise<void>;
  addRaftVoter(nodeId: number, directoryId: string, endpoint: VoterEndpoint): Promise<void>;
  removeRaftVoter(nodeId: number, directoryId: string): Promise<void>;
  unregisterBroker(nodeId: number): Promise<void>;
  close(): Promise<void>;
}
