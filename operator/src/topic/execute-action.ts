// Carries out one planned topic action through the Kafka port. Shared by the reconciler and the
// tests that drive the planner against real Kafka, so both exercise the same mapping.
import type { KafkaAdminPort } from '../kafka/port.ts';
import type { TopicAction } from './planner.ts';

export async function executeTopicAction(kafka: KafkaAdminPort, a: TopicAction): Promise<void> {
  switch (a.type) {
    case 'createTopic':
      return kafka.createTopic({
        name: a.topic,
        partitions: a.partitions,
        replicationFactor: a.replicationFactor,
        config: a.config,
      });
    case 'createPartitions':
      return kafka.createPartitions(a.topic, a.count);
    case 'alterConfigs':
      return kafka.replaceTopicConfigs(a.topic, a.config);
    case 'reassignPartitions':
      return kafka.alterPartitionReassignments(a.topic, a.assignments);
    case 'deleteTopic':
      return kafka.deleteTopic(a.topic);
  }
}
