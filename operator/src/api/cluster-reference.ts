// How a KafkaTopic or KafkaConsumerGroup names its Kafka cluster: a KafkaCluster in the same
// namespace, or the bootstrap servers of any Kafka. Shared by both kinds.
import { optional, str, type ObjectField, type Shape } from './schema-dsl.ts';

// host:port[,host:port...]; hosts may be names, IPv4 or bracketed IPv6.
const BOOTSTRAP_SERVERS_PATTERN = '^[^,\\s]+:[0-9]{1,5}(,[^,\\s]+:[0-9]{1,5})*$';

export function clusterReferenceShape() {
  return {
    cluster: optional(
      str()
        .minLength(1)
        .maxLength(253)
        .describe(
          'Name of a KafkaCluster in this namespace. Exactly one of cluster and bootstrapServers; immutable.',
        ),
    ),
    bootstrapServers: optional(
      str()
        .maxLength(4096)
        .pattern(BOOTSTRAP_SERVERS_PATTERN)
        .describe(
          'Comma-separated host:port list of a Kafka not managed by kraftwerk. Exactly one of cluster and bootstrapServers; immutable.',
        ),
    ),
  };
}

/** Exactly one reference, and it never changes (that would silently move the resource). */
export function withClusterReferenceRules<S extends Shape, O extends ObjectField<S>>(spec: O): O {
  return spec
    .rule(
      'has(self.cluster) != has(self.bootstrapServers)',
      'exactly one of spec.cluster or spec.bootstrapServers must be set',
    )
    .rule(
      '(has(self.cluster) ? self.cluster : "") == (has(oldSelf.cluster) ? oldSelf.cluster : "")',
      'spec.cluster is immutable: delete and recreate the resource to point it at another cluster',
      { fieldPath: '.cluster' },
    )
    .rule(
      '(has(self.bootstrapServers) ? self.bootstrapServers : "") == (has(oldSelf.bootstrapServers) ? oldSelf.bootstrapServers : "")',
      'spec.bootstrapServers is immutable: delete and recreate the resource to point it at another cluster',
      { fieldPath: '.bootstrapServers' },
    );
}
