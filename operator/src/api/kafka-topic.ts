// KafkaTopic: a Kafka topic declared as a Kubernetes resource.
// Wire-shaped metadata (timestamps are RFC 3339 strings), as the API server sends it.
import type { ObjectMeta } from '../runtime/resource.ts';
import { clusterReferenceShape, withClusterReferenceRules } from './cluster-reference.ts';
import type { ResourceDefinition } from './crd.ts';
import { API_GROUP_VERSION } from './group-version.ts';
import { kinds } from './kinds.ts';
import { RESERVED_TOPIC_PREFIX, topicName, TOPIC_NAME_MAX_LENGTH } from './kafka-names.ts';
import { conditions } from './kubernetes-types.ts';
import { enm, int, intOrStr, map, obj, optional, str, type Infer } from './schema-dsl.ts';

export const kafkaTopicSpecSchema = withClusterReferenceRules(
  obj({
    ...clusterReferenceShape(),
    topicName: optional(
      topicName()
        // Kafka's own topics (__consumer_offsets, __transaction_state, __share_group_state) hold
        // the cluster's state; "__" is the prefix Kafka and its tools keep for such topics.
        // metadata.name cannot start with "_", so only spec.topicName needs the rule.
        .rule(
          `!self.startsWith('${RESERVED_TOPIC_PREFIX}')`,
          `spec.topicName may not start with "${RESERVED_TOPIC_PREFIX}": Kafka reserves that prefix for its internal topics (__consumer_offsets, __transaction_state, __share_group_state, …), which the operator never manages`,
        )
        .describe(
          'Name of the topic in Kafka; defaults to metadata.name. Up to 249 characters of [a-zA-Z0-9._-], not "." or "..", not starting with "__" (Kafka\'s internal topics). Immutable.',
        ),
    ),
    partitions: int()
      .format('int32')
      .min(1)
      .default(1)
      .rule(
        'self >= oldSelf',
        'spec.partitions may only grow: Kafka cannot remove partitions (create a new topic instead)',
      )
      .describe('Number of partitions. May only grow; Kafka cannot remove partitions.'),
    replicationFactor: optional(
      int()
        .format('int32')
        .min(1)
        .max(32767)
        .describe(
          "Copies of each partition; defaults to the cluster's default.replication.factor. Changes are carried out by partition reassignment.",
        ),
    ),
    config: optional(
      map(intOrStr().describe('A topic configuration value.'))
        .maxProperties(128)
        .describe(
          'Topic-level configuration overrides, e.g. {retention.ms: "604800000", cleanup.policy: delete}.',
        ),
    ),
    deletionPolicy: enm('Delete', 'Retain')
      .default('Delete')
      .describe(
        'What deleting this resource does to the topic in Kafka: Delete removes it with its data, Retain leaves it in place.',
      ),
  }).describe('Desired state of the topic.'),
);

export const kafkaTopicStatusSchema = obj({
  observedGeneration: optional(
    int().format('int64').describe('The .metadata.generation this status was computed from.'),
  ),
  topicName: optional(
    str().describe('Name of the topic in Kafka (spec.topicName or metadata.name).'),
  ),
  topicId: optional(
    str().describe(
      'Kafka topic ID of the topic this resource created or adopted. Deleting the resource (deletionPolicy Delete) deletes only the topic with this ID.',
    ),
  ),
  origin: optional(
    enm('Created', 'Adopted').describe(
      'Created: the operator created the topic. Adopted: the topic already existed in Kafka (or was recreated outside the operator) and this resource took it over.',
    ),
  ),
  partitions: optional(int().format('int32').describe('Partition count observed in Kafka.')),
  replicationFactor: optional(
    int().format('int32').describe('Replication factor observed in Kafka.'),
  ),
  conditions: optional(conditions()),
}).describe('Observed state of the topic, written by the operator.');

export type KafkaTopicSpec = Infer<typeof kafkaTopicSpecSchema>;
export type KafkaTopicStatus = Infer<typeof kafkaTopicStatusSchema>;

export interface KafkaTopic {
  apiVersion: typeof API_GROUP_VERSION;
  kind: 'KafkaTopic';
  metadata: ObjectMeta;
  spec: KafkaTopicSpec;
  status?: KafkaTopicStatus;
}

// The effective topic name falls back to metadata.name, which only a root rule can see.
const effectiveName = (o: string) =>
  `(has(${o}.spec.topicName) ? ${o}.spec.topicName : ${o}.metadata.name)`;

export const kafkaTopicDefinition: ResourceDefinition = {
  kind: kinds.KafkaTopic.kind,
  plural: kinds.KafkaTopic.plural,
  singular: 'kafkatopic',
  shortNames: ['kt'],
  description:
    'KafkaTopic declares a Kafka topic: its partitions, replication factor and configuration. The operator creates it, corrects drift and reports the observed state in status.',
  spec: kafkaTopicSpecSchema,
  status: kafkaTopicStatusSchema,
  rootRules: [
    {
      rule: `has(self.spec.topicName) || size(self.metadata.name) <= ${TOPIC_NAME_MAX_LENGTH}`,
      message: `metadata.name is longer than ${TOPIC_NAME_MAX_LENGTH} characters, the most Kafka allows in a topic name: set spec.topicName`,
      fieldPath: '.spec.topicName',
    },
    {
      rule: `${effectiveName('self')} == ${effectiveName('oldSelf')}`,
      message:
        'spec.topicName is immutable (it defaults to metadata.name): Kafka cannot rename topics',
      fieldPath: '.spec.topicName',
    },
  ],
  printerColumns: [
    {
      name: 'Cluster',
      type: 'string',
      jsonPath: '.spec.cluster',
      description: 'KafkaCluster the topic lives in.',
    },
    {
      name: 'Topic',
      type: 'string',
      jsonPath: '.status.topicName',
      description: 'Name of the topic in Kafka.',
    },
    {
      name: 'Partitions',
      type: 'integer',
      jsonPath: '.spec.partitions',
      description: 'Desired partition count.',
    },
    {
      name: 'RF',
      type: 'integer',
      jsonPath: '.status.replicationFactor',
      description: 'Observed replication factor.',
    },
    {
      name: 'Ready',
      type: 'string',
      jsonPath: '.status.conditions[?(@.type=="Ready")].status',
      description: 'Whether the topic matches its spec.',
    },
    {
      name: 'Reason',
      type: 'string',
      jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
      description: 'Why the topic is (not) ready.',
    },
    {
      name: 'Origin',
      type: 'string',
      jsonPath: '.status.origin',
      description: 'Whether the operator created the topic or adopted an existing one.',
      priority: 1,
    },
    {
      name: 'Bootstrap',
      type: 'string',
      jsonPath: '.spec.bootstrapServers',
      description: 'External Kafka the topic lives in.',
      priority: 1,
    },
    {
      name: 'Age',
      type: 'date',
      jsonPath: '.metadata.creationTimestamp',
      description: 'Time since creation.',
    },
  ],
};
