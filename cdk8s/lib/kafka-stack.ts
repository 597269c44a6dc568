// One construct for the usual shape of a Kafka deployment: a cluster, its topics, and the
// consumer groups that scale their workloads by lag — declared in a few lines, with the
// references between them (topic → cluster, consumer → topic) checked at synth time.
import { Construct } from 'constructs';
import {
  KafkaCluster,
  KafkaConsumerGroup,
  KafkaTopic,
  type KafkaClusterSpec,
  type KafkaConsumerGroupSpec,
  type KafkaTopicSpec,
} from '../imports/kraftwerk.dev.ts';

export type TopicProps = Omit<KafkaTopicSpec, 'cluster' | 'bootstrapServers' | 'topicName'>;

export interface ConsumerProps extends Omit<
  KafkaConsumerGroupSpec,
  'cluster' | 'bootstrapServers' | 'groupId' | 'topics' | 'scaleTargetRef'
> {
  /** Topics the group consumes: keys of `topics`. */
  readonly topics: readonly string[];
  /** The Deployment to scale (a name), or any workload with a /scale subresource. */
  readonly scale: string | KafkaConsumerGroupSpec['scaleTargetRef'];
}

export interface KafkaStackProps {
  /** Name of the KafkaCluster; topics and consumer groups are named after it. */
  readonly name: string;
  readonly namespace?: string;
  /** Broker count (default 3) — a shorthand for `cluster.brokers.replicas`. */
  readonly brokers?: number;
  /** Broker volume size (default 10Gi) — a shorthand for `cluster.brokers.storage.size`. */
  readonly storage?: string;
  /** Anything else of the cluster's spec; it wins over the shorthands. */
  readonly cluster?: Partial<KafkaClusterSpec>;
  /** Topics by their Kafka name. */
  readonly topics?: Readonly<Record<string, TopicProps>>;
  /** Autoscaled consumer groups by their Kafka group id. */
  readonly consumers?: Readonly<Record<string, ConsumerProps>>;
}

/** A Kafka name ("orders.v2", "dlq_payments") as a Kubernetes object name. */
export function objectName(kafkaName: string): string {
  const name = kafkaName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (name === '') throw new Error(`cannot derive an object name from "${kafkaName}"`);
  return name.slice(0, 63).replace(/-+$/, '');
}

export class KafkaStack extends Construct {
  readonly cluster: KafkaCluster;
  readonly topics: ReadonlyMap<string, KafkaTopic>;
  readonly consumerGroups: ReadonlyMap<string, KafkaConsumerGroup>;

  constructor(scope: Construct, id: string, props: KafkaStackProps) {
    super(scope, id);
    const metadata = (name: string) => ({
      name,
      ...(props.namespace === undefined ? {} : { namespace: props.namespace }),
    });
    const brokers: KafkaClusterSpec['brokers'] = {
      replicas: props.brokers ?? 3,
      storage: { type: 'persistent-claim', size: props.storage ?? '10Gi' },
    };
    this.cluster = new KafkaCluster(this, 'cluster', {
      metadata: metadata(props.name),
      spec: { brokers, ...props.cluster },
    });

    const topics = new Map<string, KafkaTopic>();
    const names = new Set<string>();
    for (const [topicName, spec] of Object.entries(props.topics ?? {})) {
      const name = objectName(`${props.name}-${topicName}`);
      if (names.has(name)) throw new Error(`topics "${topicName}" and another map to ${name}`);
      names.add(name);
      topics.set(
        topicName,
        new KafkaTopic(this, `topic-${topicName}`, {
          metadata: metadata(name),
          spec: { ...spec, cluster: props.name, topicName },
        }),
      );
    }
    this.topics = topics;

    const groups = new Map<string, KafkaConsumerGroup>();
    for (const [groupId, consumer] of Object.entries(props.consumers ?? {})) {
      const { topics: consumed, scale, ...rest } = consumer;
      const unknown = consumed.filter((t) => !topics.has(t));
      if (unknown.length > 0) {
        throw new Error(`consumer group ${groupId} reads undeclared topics: ${unknown.join(', ')}`);
      }
      const scaleTargetRef =
        typeof scale === 'string'
          ? { apiVersion: 'apps/v1', kind: 'Deployment', name: scale }
          : scale;
      groups.set(
        groupId,
        new KafkaConsumerGroup(this, `consumer-${groupId}`, {
          metadata: metadata(objectName(`${props.name}-${groupId}`)),
          spec: { ...rest, cluster: props.name, groupId, topics: [...consumed], scaleTargetRef },
        }),
      );
    }
    this.consumerGroups = groups;
  }
}
