// Carries out one planned topic action through the Kafka port. Shared by the reconciler and the
// tests that drive the planner against real Kafka, so both exercise the same mapping.
import type { CreatedTopic, KafkaAdminPort } from '../kafka/port.ts';
import type { TopicAction } from './planner.ts';

/** A create's answer (null: the topic already existed); undefined for every other action. */
export async function executeTopicAction(
  kafka: KafkaAdminPort,
  a: TopicAction,
): Promise<CreatedTopic | null | undefined> {
  switch (a.type) {
    case 'createTopic':
      return kafka.createTopic({
        name: a.topic,
        partitions: a.partitions,
        replicationFactor: a.replicationFactor,
        config: a.config,
      });
    case 'createPartitions':
      await kafka.createPartitions(a.topic, a.count);
      return undefined;
    case 'alterConfigs':
      await kafka.replaceTopicConfigs(a.topic, a.config);
      return undefined;
    case 'reassignPartitions':
      await kafka.alterPartitionReassignments(a.topic, a.assignments);
      return undefined;
    case 'deleteTopic':
      // By id: whatever now has the name may be another topic (KafkaAdminPort.deleteTopicById).
      await kafka.deleteTopicById(a.topicId);
      return undefined;
  }
}
