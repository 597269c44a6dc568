// Every kraftwerk resource, in the order their CRDs are generated and installed.
import type { ResourceDefinition } from './crd.ts';
import { kafkaClusterDefinition } from './kafka-cluster.ts';
import { kafkaConsumerGroupDefinition } from './kafka-consumer-group.ts';
import { kafkaTopicDefinition } from './kafka-topic.ts';
import { kafkaUserDefinition } from './kafka-user.ts';

export const resourceDefinitions: readonly ResourceDefinition[] = [
  kafkaClusterDefinition,
  kafkaTopicDefinition,
  kafkaConsumerGroupDefinition,
  kafkaUserDefinition,
];
