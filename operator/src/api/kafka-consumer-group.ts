// KafkaConsumerGroup: lag-based autoscaling of a workload that consumes as a Kafka group.
// Wire-shaped metadata (timestamps are RFC 3339 strings), as the API server sends it.
import type { ObjectMeta } from '../runtime/resource.ts';
import { clusterReferenceShape, withClusterReferenceRules } from './cluster-reference.ts';
import type { ResourceDefinition } from './crd.ts';
import { API_GROUP_VERSION } from './group-version.ts';
import { kinds } from './kinds.ts';
import { topicName } from './kafka-names.ts';
import { conditions } from './kubernetes-types.ts';
import { arr, bool, enm, int, num, obj, optional, str, type Infer } from './schema-dsl.ts';

/**
 * The defaults the API server fills in, in one place: the schema declares them and the
 * operator's settings (consumergroup/settings.ts) read them for anything a caller leaves out.
 */
export const CONSUMER_GROUP_DEFAULTS = {
  minReplicas: 0,
  allowIdleConsumers: false,
  lagThreshold: 1000,
  activationLagThreshold: 0,
  pollIntervalSeconds: 5,
  offsetResetPolicy: 'latest',
  // Long enough for an eager rebalance and a pod start; the pause itself is rebalanceSeconds.
  scaleUp: { dwellSeconds: 40, rebalanceSeconds: 15 },
  scaleDown: { stabilizationSeconds: 120, maxStepPercent: 50 },
} as const;

const scaleDownBehaviour = ({
  stabilizationSeconds,
  maxStepPercent,
}: typeof CONSUMER_GROUP_DEFAULTS.scaleDown) =>
  obj({
    stabilizationSeconds: int()
      .min(0)
      .max(3600)
      .default(stabilizationSeconds)
      .describe(
        'Seconds the desired replica count must have called for fewer replicas before scaling down; damps flapping.',
      ),
    maxStepPercent: int()
      .min(1)
      .max(1000)
      .default(maxStepPercent)
      .describe(
        `Largest change in one step, as a percentage of the current replicas (at least one replica is always allowed).`,
      ),
  })
    .default({ stabilizationSeconds, maxStepPercent })
    .describe('How fast the group scales down.');

export const kafkaConsumerGroupSpecSchema = withClusterReferenceRules(
  obj({
    ...clusterReferenceShape(),
    groupId: str()
      .minLength(1)
      .maxLength(255)
      .immutable('spec.groupId is immutable: create another KafkaConsumerGroup for another group')
      .describe('The Kafka consumer group ID (group.id) the workload consumes as. Immutable.'),
    topics: optional(
      arr(topicName().describe('A topic name.'))
        .maxItems(100)
        .set()
        .describe(
          'Topics whose lag counts; default: every topic the group has committed offsets for.',
        ),
    ),
    scaleTargetRef: obj({
      apiVersion: str()
        .maxLength(253)
        .default('apps/v1')
        .describe('API version of the workload, e.g. apps/v1.'),
      kind: str()
        .maxLength(63)
        .default('Deployment')
        .describe(
          'Kind of the workload; anything with a scale subresource (Deployment, StatefulSet, ...).',
        ),
      name: str().minLength(1).maxLength(253).describe('Name of the workload in this namespace.'),
    })
      // Only what is certain without the cluster: the built-in kinds are fixed, so among them
      // those without a scale subresource are refused here; other groups (custom resources with
      // a scale subresource) are judged by the operator, which reports them in Ready.
      .rule(
        "self.apiVersion != 'v1' || self.kind == 'ReplicationController'",
        'spec.scaleTargetRef: of the core v1 kinds only ReplicationController has a scale subresource; name the consumer workload (e.g. apps/v1 Deployment)',
        { fieldPath: '.kind' },
      )
      .rule(
        "self.apiVersion != 'apps/v1' || self.kind in ['Deployment', 'StatefulSet', 'ReplicaSet']",
        'spec.scaleTargetRef: of the apps/v1 kinds only Deployment, StatefulSet and ReplicaSet have a scale subresource',
        { fieldPath: '.kind' },
      )
      .rule(
        "!self.apiVersion.startsWith('kraftwerk.dev/')",
        "spec.scaleTargetRef: a KafkaConsumerGroup does not scale kraftwerk.dev resources (a KafkaCluster's brokers are sized in its spec); name the consumer workload",
        { fieldPath: '.apiVersion' },
      )
      .describe('The workload whose replicas are scaled, through its scale subresource.'),
    minReplicas: int()
      .format('int32')
      .min(0)
      .default(CONSUMER_GROUP_DEFAULTS.minReplicas)
      .describe('Fewest replicas; 0 lets an idle group scale to zero.'),
    maxReplicas: int()
      .format('int32')
      .min(1)
      .max(10000)
      .describe(
        'Most replicas. The effective ceiling is also the partition count (more consumers would sit idle) unless allowIdleConsumers.',
      ),
    allowIdleConsumers: bool()
      .default(CONSUMER_GROUP_DEFAULTS.allowIdleConsumers)
      .describe(
        'Allow more replicas than partitions (e.g. standby consumers); normally the partition count caps scaling.',
      ),
    lagThreshold: int()
      .format('int64')
      .min(1)
      .default(CONSUMER_GROUP_DEFAULTS.lagThreshold)
      .describe('Target lag per consumer replica, in messages.'),
    activationLagThreshold: int()
      .format('int64')
      .min(0)
      .default(CONSUMER_GROUP_DEFAULTS.activationLagThreshold)
      .describe('Lag (messages) needed to wake a group scaled to zero.'),
    drainTargetSeconds: optional(
      int()
        .min(1)
        .max(86400)
        .describe(
          'Rate-aware sizing: run enough consumers to drain the backlog within this many seconds, given the observed consume rate per replica.',
        ),
    ),
    pollIntervalSeconds: int()
      .min(1)
      .max(3600)
      .default(CONSUMER_GROUP_DEFAULTS.pollIntervalSeconds)
      .describe('How often lag is measured, in seconds.'),
    scaleUp: obj({
      dwellSeconds: int()
        .min(0)
        .max(3600)
        .default(CONSUMER_GROUP_DEFAULTS.scaleUp.dwellSeconds)
        .describe(
          "Seconds after a scale during which lag is not read as new demand unless it grows beyond what the rebalance explains (pods start, partitions move). Keep it at least rebalanceSeconds + 25: the per-replica rate is measured over 20 s of the drain after the rebalance, and a dwell that ends sooner sizes by lag alone, reading the rebalance's own backlog as demand.",
        ),
      rebalanceSeconds: int()
        .min(0)
        .max(600)
        .default(CONSUMER_GROUP_DEFAULTS.scaleUp.rebalanceSeconds)
        .describe(
          'Expected consumption pause of a rebalance; a size change is sized to also drain the backlog its own pause adds.',
        ),
    })
      .default({ ...CONSUMER_GROUP_DEFAULTS.scaleUp })
      .describe(
        'How the group scales up: always in one step to the computed size, then a dwell so the rebalance is not read as lag.',
      ),
    scaleDown: scaleDownBehaviour(CONSUMER_GROUP_DEFAULTS.scaleDown),
    offsetResetPolicy: enm('latest', 'earliest')
      .default(CONSUMER_GROUP_DEFAULTS.offsetResetPolicy)
      .describe(
        "How partitions without a committed offset count: latest (no lag) or earliest (the whole log is lag); match the consumer's auto.offset.reset.",
      ),
  })
    .rule(
      'self.minReplicas <= self.maxReplicas',
      'spec.minReplicas must not exceed spec.maxReplicas',
      {
        fieldPath: '.minReplicas',
      },
    )
    .describe('Desired scaling behaviour for the consumer group.'),
);

export const kafkaConsumerGroupStatusSchema = obj({
  observedGeneration: optional(
    int().format('int64').describe('The .metadata.generation this status was computed from.'),
  ),
  lag: optional(
    obj({
      total: optional(
        int().format('int64').describe('Sum of lag over all partitions, in messages.'),
      ),
      maxPartition: optional(int().format('int64').describe('Largest lag of a single partition.')),
      partitionsWithLag: optional(int().describe('Partitions whose lag is above zero.')),
      timeLagSeconds: optional(
        num().describe(
          'Estimated seconds the group is behind: how long ago the newest consumed message was produced, interpolated from recent (offset, time) samples.',
        ),
      ),
    }).describe('Consumer lag at the last measurement.'),
  ),
  rates: optional(
    obj({
      producedPerSecond: optional(num().describe('Messages produced per second to the topics.')),
      consumedPerSecond: optional(num().describe('Messages committed per second by the group.')),
    }).describe('Throughput observed between the last two measurements.'),
  ),
  health: optional(
    enm('Ok', 'Lagging', 'Stalled', 'Stopped').describe(
      'Burrow-style evaluation: Ok, Lagging (lag growing), Stalled (committing nothing while lag exists) or Stopped (no commits for a long time).',
    ),
  ),
  partitions: optional(
    int().describe(
      "Partitions across the group's topics: the replica ceiling unless allowIdleConsumers.",
    ),
  ),
  members: optional(int().describe('Members currently in the consumer group.')),
  currentReplicas: optional(int().describe('Replicas of the target workload now.')),
  desiredReplicas: optional(int().describe('Replicas the operator last decided on.')),
  lastScaleTime: optional(
    str().format('date-time').describe('When the operator last changed the replica count.'),
  ),
  conditions: optional(conditions()),
}).describe('Observed state of the group, written by the operator.');

export type KafkaConsumerGroupSpec = Infer<typeof kafkaConsumerGroupSpecSchema>;
export type KafkaConsumerGroupStatus = Infer<typeof kafkaConsumerGroupStatusSchema>;

export interface KafkaConsumerGroup {
  apiVersion: typeof API_GROUP_VERSION;
  kind: 'KafkaConsumerGroup';
  metadata: ObjectMeta;
  spec: KafkaConsumerGroupSpec;
  status?: KafkaConsumerGroupStatus;
}

export const kafkaConsumerGroupDefinition: ResourceDefinition = {
  kind: kinds.KafkaConsumerGroup.kind,
  plural: kinds.KafkaConsumerGroup.plural,
  singular: 'kafkaconsumergroup',
  shortNames: ['kcg'],
  description:
    'KafkaConsumerGroup scales a workload (Deployment, StatefulSet, anything with a scale subresource) by the lag of the Kafka consumer group it consumes as.',
  spec: kafkaConsumerGroupSpecSchema,
  status: kafkaConsumerGroupStatusSchema,
  printerColumns: [
    {
      name: 'Cluster',
      type: 'string',
      jsonPath: '.spec.cluster',
      description: 'KafkaCluster the group consumes from.',
    },
    {
      name: 'Group',
      type: 'string',
      jsonPath: '.spec.groupId',
      description: 'Kafka consumer group ID.',
    },
    {
      name: 'Target',
      type: 'string',
      jsonPath: '.spec.scaleTargetRef.name',
      description: 'Workload being scaled.',
    },
    {
      name: 'Lag',
      type: 'integer',
      jsonPath: '.status.lag.total',
      description: 'Total lag in messages.',
    },
    {
      name: 'Health',
      type: 'string',
      jsonPath: '.status.health',
      description: 'Ok, Lagging, Stalled or Stopped.',
    },
    {
      name: 'Replicas',
      type: 'integer',
      jsonPath: '.status.currentReplicas',
      description: 'Current replicas of the target.',
    },
    {
      name: 'Desired',
      type: 'integer',
      jsonPath: '.status.desiredReplicas',
      description: 'Replicas the operator wants.',
    },
    {
      name: 'Ready',
      type: 'string',
      jsonPath: '.status.conditions[?(@.type=="Ready")].status',
      description: 'Whether lag is being measured and scaling works.',
    },
    {
      name: 'Min',
      type: 'integer',
      jsonPath: '.spec.minReplicas',
      description: 'Fewest replicas.',
      priority: 1,
    },
    {
      name: 'Max',
      type: 'integer',
      jsonPath: '.spec.maxReplicas',
      description: 'Most replicas.',
      priority: 1,
    },
    {
      name: 'Reason',
      type: 'string',
      jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
      description: 'Why the group is (not) ready.',
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
