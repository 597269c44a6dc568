// The Kafka admin port: everything the topic and consumer-group reconcilers may ask of Kafka.
// Reconcilers take it as a parameter; the one implementation talks to real Kafka over the
// operator's own wire client (kafka-admin.ts). Calls for one topic are coalesced with other
// callers' into batched requests underneath, so callers simply await their own item.
//
// Errors: every method rejects with a KafkaError (errors.ts): `KafkaUnavailableError` when no
// broker answered (back off and retry), `KafkaRequestError` when Kafka refused this item.

export interface BrokerInfo {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
}

export interface ClusterDescription {
  readonly clusterId: string | null;
  readonly controllerId: number | null;
  readonly brokers: readonly BrokerInfo[];
}

export interface PartitionDescription {
  readonly partition: number;
  /** -1 when the partition has no leader right now. */
  readonly leader: number;
  /** Broker ids; the first is the preferred leader. */
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly offlineReplicas: readonly number[];
}

export interface TopicDescription {
  readonly name: string;
  /** Kafka's topic UUID in base64url (as kafka-topics.sh prints it). */
  readonly topicId: string;
  readonly internal: boolean;
  readonly partitions: readonly PartitionDescription[];
}

/** Same values as the topic planner's ConfigSource, so descriptions feed it directly. */
export type ConfigSource = 'topic' | 'broker' | 'default' | 'other';

export interface ConfigEntry {
  /** null when Kafka hides it (sensitive). */
  readonly value: string | null;
  readonly source: ConfigSource;
  readonly readOnly: boolean;
}

export interface NewTopic {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly config: Readonly<Record<string, string>>;
}

/** What Kafka reports it made, from the CreateTopics answer itself. */
export interface CreatedTopic {
  readonly name: string;
  /** Kafka's topic UUID in base64url. */
  readonly topicId: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Every config of the new topic with its source; null when Kafka did not include them. */
  readonly configs: Readonly<Record<string, ConfigEntry>> | null;
}

export interface PartitionAssignment {
  readonly partition: number;
  readonly replicas: readonly number[];
}

export interface PartitionReassignment {
  readonly topic: string;
  readonly partition: number;
  readonly replicas: readonly number[];
  readonly addingReplicas: readonly number[];
  readonly removingReplicas: readonly number[];
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface CommittedOffset extends TopicPartition {
  /** null: the group has no committed offset for this partition. */
  readonly offset: number | null;
}

export interface PartitionOffsetRange extends TopicPartition {
  /** First offset still in the log. */
  readonly logStart: number;
  /** High watermark: the offset the next record will get. */
  readonly end: number;
}

export interface GroupMember {
  readonly memberId: string;
  readonly clientId: string;
  readonly clientHost: string;
  /** Partitions assigned to the member, when the group uses the consumer protocol. */
  readonly assignment: readonly TopicPartition[];
}

export interface GroupDescription {
  readonly groupId: string;
  /** Kafka's group state: Stable, PreparingRebalance, CompletingRebalance, Empty, Dead. */
  readonly state: string;
  readonly protocolType: string;
  readonly members: readonly GroupMember[];
}

export interface KafkaAdminPort {
  describeCluster(): Promise<ClusterDescription>;

  /** null when the topic does not exist. Batched with other callers' (one Metadata request). */
  describeTopic(name: string): Promise<TopicDescription | null>;
  /** Every config of the topic with its source. Batched (one DescribeConfigs request). */
  describeTopicConfigs(name: string): Promise<Readonly<Record<string, ConfigEntry>>>;

  /** Resolves once Kafka's controller has committed the topic, with what it made; null when the
   *  topic already existed (nothing was made, and a broker may not show it yet). Batched. */
  createTopic(topic: NewTopic): Promise<CreatedTopic | null>;
  /** Grow the topic to `count` partitions; Kafka places the new replicas. */
  createPartitions(name: string, count: number): Promise<void>;
  /** Make the topic's per-topic configs exactly `config`: keys not in it go back to the broker
   *  default; inherited values are not touched. Batched (one AlterConfigs request). */
  replaceTopicConfigs(name: string, config: Readonly<Record<string, string>>): Promise<void>;
  /** An already absent topic counts as deleted. Batched. */
  deleteTopic(name: string): Promise<void>;
  /** Delete the topic with this id (DeleteTopics v6), whatever its name; never another topic
   *  that has the name now. false: Kafka knows no topic with this id (already gone). Batched. */
  deleteTopicById(topicId: string): Promise<boolean>;

  alterPartitionReassignments(
    topic: string,
    assignments: readonly PartitionAssignment[],
  ): Promise<void>;
  /** Ongoing reassignments; all topics when `topics` is omitted. */
  listPartitionReassignments(topics?: readonly string[]): Promise<readonly PartitionReassignment[]>;

  /** Committed offsets of a group; every partition it committed when `topics` is omitted. */
  fetchCommittedOffsets(
    groupId: string,
    topics?: readonly string[],
  ): Promise<readonly CommittedOffset[]>;
  /** Log-start and end offsets of many partitions. */
  fetchOffsetRanges(
    partitions: readonly TopicPartition[],
  ): Promise<readonly PartitionOffsetRange[]>;
  /** null when the group does not exist (Kafka reports it Dead with no members). */
  describeGroup(groupId: string): Promise<GroupDescription | null>;

  close(): Promise<void>;
}
