// The KafkaTopic planner: (declared topic, what Kafka has, who else claims the name) → the Kafka
// actions to take, the Ready verdict, drift Events and what to do with the finalizer.
// Pure and independent of the CRD types: the reconciler maps its resource onto these inputs.

import { reassignmentFor, type PartitionReplicas } from './planner-assignment.ts';
import {
  describeDiff,
  diffTopicConfig,
  isEmptyDiff,
  type ObservedConfig,
} from './planner-config.ts';

export type { PartitionReplicas } from './planner-assignment.ts';
export type { ConfigSource, ObservedConfig } from './planner-config.ts';

export type DeletionPolicy = 'Delete' | 'Retain';

export interface DesiredTopic {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly config: Readonly<Record<string, string>>;
  readonly deletionPolicy: DeletionPolicy;
}

export interface ObservedTopic {
  readonly topicId?: string;
  readonly partitions: readonly PartitionReplicas[];
  /** Every config Kafka reports for the topic, with where its value comes from. */
  readonly configs: Readonly<Record<string, ObservedConfig>>;
}

/** A partition reassignment Kafka is carrying out now (ListPartitionReassignments). */
export interface OngoingReassignment {
  readonly partition: number;
  readonly replicas: readonly number[];
  readonly addingReplicas: readonly number[];
  readonly removingReplicas: readonly number[];
}

/** A KafkaTopic resource, as far as conflicts are concerned. */
export interface TopicClaim {
  readonly namespace: string;
  readonly name: string;
  /** RFC 3339, from metadata.creationTimestamp. */
  readonly creationTimestamp: string;
}

/** What the resource's status says about the last reconcile; absent for a new resource. */
export interface LastReconciled {
  readonly topicId?: string;
  /** metadata.generation === status.observedGeneration and Ready was True: the spec has not
   *  changed since Kafka last matched it, so any difference now was made outside. */
  readonly specUnchanged: boolean;
}

export interface PlanInput {
  readonly self: TopicClaim;
  readonly desired: DesiredTopic;
  /** metadata.deletionTimestamp is set. */
  readonly deleting: boolean;
  /** null: the topic does not exist in Kafka. */
  readonly observed: ObservedTopic | null;
  readonly brokers: readonly number[];
  /** Ongoing reassignments of this topic's partitions. */
  readonly reassignments: readonly OngoingReassignment[];
  /** Other resources naming the same topic on the same Kafka cluster. */
  readonly otherClaims: readonly TopicClaim[];
  readonly lastReconciled?: LastReconciled;
}

export type TopicAction =
  | {
      readonly type: 'createTopic';
      readonly topic: string;
      readonly partitions: number;
      readonly replicationFactor: number;
      readonly config: Readonly<Record<string, string>>;
    }
  | { readonly type: 'createPartitions'; readonly topic: string; readonly count: number }
  | {
      readonly type: 'alterConfigs';
      readonly topic: string;
      /** The complete set of per-topic configs the topic must end up with. */
      readonly config: Readonly<Record<string, string>>;
      /** The same change as increments, for incremental APIs and for messages. */
      readonly set: Readonly<Record<string, string>>;
      readonly reset: readonly string[];
    }
  | {
      readonly type: 'reassignPartitions';
      readonly topic: string;
      readonly assignments: readonly PartitionReplicas[];
    }
  | { readonly type: 'deleteTopic'; readonly topic: string };

export type ReadyReason =
  | 'TopicReady'
  | 'Conflict'
  | 'ReplicationFactorTooHigh'
  | 'InvalidSpec'
  | 'PartitionsAboveSpec'
  | 'Reassigning'
  | 'Deleting';

export interface ReadyCondition {
  readonly status: 'True' | 'False';
  readonly reason: ReadyReason;
  readonly message: string;
}

export interface TopicEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason:
    | 'TopicRecreated'
    | 'TopicReplacedOutside'
    | 'ConfigDriftCorrected'
    | 'PartitionDriftCorrected'
    | 'PartitionsAboveSpec'
    | 'ReplicationFactorDriftCorrected';
  readonly message: string;
}

export interface TopicStatusFields {
  readonly topicId?: string;
  readonly partitions?: number;
  readonly replicationFactor?: number;
  readonly reassignment?: { readonly partitionsDone: number; readonly partitionsTotal: number };
}

export interface TopicPlan {
  /** Run in order; stop at the first failure and report Kafka's message as Ready=False. */
  readonly actions: readonly TopicAction[];
  /** The verdict once the actions have succeeded. */
  readonly ready: ReadyCondition;
  readonly events: readonly TopicEvent[];
  /** 'remove' only once every action succeeded. */
  readonly finalizer: 'ensure' | 'remove';
  /** What is known from the observation (before the actions). */
  readonly status: TopicStatusFields;
  /** Observe again soon: a created topic's id, or a reassignment's progress, is not known yet. */
  readonly recheck: boolean;
}

export function planTopic(input: PlanInput): TopicPlan {
  const { desired, observed } = input;
  const status = statusOf(input);

  const winner = conflictWinner(input.self, input.otherClaims);
  if (winner !== input.self) {
    // The topic belongs to the older resource: never touch it, not even on deletion.
    return {
      actions: [],
      ready: {
        status: 'False',
        reason: 'Conflict',
        message: `topic "${desired.name}" is already managed by KafkaTopic ${winner.namespace}/${winner.name} (older)`,
      },
      events: [],
      finalizer: input.deleting ? 'remove' : 'ensure',
      status: {},
      recheck: false,
    };
  }

  if (input.deleting) return planDeletion(input, status);

  const invalid = invalidSpec(desired);
  if (invalid) return refuse('InvalidSpec', invalid, status);

  if (desired.replicationFactor > input.brokers.length) {
    return refuse(
      'ReplicationFactorTooHigh',
      `replicationFactor ${desired.replicationFactor} is above the ${input.brokers.length} available broker(s); nothing was changed`,
      status,
    );
  }

  if (observed === null) return planCreate(input, status);
  return planUpdate(input, observed, status);
}

/** What Kafka's answer to a create says it made (CreateTopics v7). */
export interface CreatedTopicFacts {
  readonly topicId: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** null when the answer carried no configs. */
  readonly configs: Readonly<Record<string, ObservedConfig>> | null;
}

/**
 * The plan once its create succeeded. Kafka answers a create after its controller committed
 * the topic, with what it made; a broker's metadata may show the topic only seconds later. So
 * the answer, not a later look, is the observation: when it is exactly what was asked for, the
 * topic is as declared now and nothing needs a second look.
 */
export function planAfterCreate(plan: TopicPlan, created: CreatedTopicFacts): TopicPlan {
  const create = plan.actions.find((a) => a.type === 'createTopic');
  const status: TopicStatusFields = {
    topicId: created.topicId,
    partitions: created.partitions,
    replicationFactor: created.replicationFactor,
  };
  const asAsked =
    create !== undefined &&
    created.partitions === create.partitions &&
    created.replicationFactor === create.replicationFactor &&
    created.configs !== null &&
    isEmptyDiff(diffTopicConfig(create.config, created.configs));
  return { ...plan, actions: [], status, recheck: !asAsked };
}

/** The oldest claim wins; equal timestamps fall back to namespace/name so every resource agrees. */
export function conflictWinner(self: TopicClaim, others: readonly TopicClaim[]): TopicClaim {
  let best = self;
  for (const c of others) {
    if (compareClaims(c, best) < 0) best = c;
  }
  return best;
}

function compareClaims(a: TopicClaim, b: TopicClaim): number {
  // An unreadable timestamp counts as youngest, so both sides still agree on one winner.
  const ta = Date.parse(a.creationTimestamp) || Infinity;
  const tb = Date.parse(b.creationTimestamp) || Infinity;
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = `${a.namespace}/${a.name}`;
  const kb = `${b.namespace}/${b.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function planDeletion(input: PlanInput, status: TopicStatusFields): TopicPlan {
  const deleteIt = input.desired.deletionPolicy === 'Delete' && input.observed !== null;
  return {
    actions: deleteIt ? [{ type: 'deleteTopic', topic: input.desired.name }] : [],
    ready: {
      status: 'False',
      reason: 'Deleting',
      message:
        input.desired.deletionPolicy === 'Retain'
          ? `resource deleted; topic "${input.desired.name}" is retained in Kafka`
          : `deleting topic "${input.desired.name}"`,
    },
    events: [],
    finalizer: 'remove',
    status,
    recheck: false,
  };
}

function planCreate(input: PlanInput, status: TopicStatusFields): TopicPlan {
  const { desired } = input;
  const events: TopicEvent[] = [];
  if (input.lastReconciled?.topicId !== undefined) {
    events.push({
      type: 'Warning',
      reason: 'TopicRecreated',
      message: `topic "${desired.name}" (id ${input.lastReconciled.topicId}) was deleted outside the operator; recreating it`,
    });
  }
  return {
    actions: [
      {
        type: 'createTopic',
        topic: desired.name,
        partitions: desired.partitions,
        replicationFactor: desired.replicationFactor,
        config: { ...desired.config },
      },
    ],
    ready: ready(desired),
    events,
    finalizer: 'ensure',
    status,
    recheck: true,
  };
}

function planUpdate(
  input: PlanInput,
  observed: ObservedTopic,
  status: TopicStatusFields,
): TopicPlan {
  const { desired } = input;
  const drift = input.lastReconciled?.specUnchanged === true;
  const actions: TopicAction[] = [];
  const events: TopicEvent[] = [];
  let verdict: ReadyCondition = ready(desired);
  let recheck = false;

  const last = input.lastReconciled?.topicId;
  if (last !== undefined && observed.topicId !== undefined && last !== observed.topicId) {
    events.push({
      type: 'Warning',
      reason: 'TopicReplacedOutside',
      message: `topic "${desired.name}" was deleted and recreated outside the operator (id ${last} → ${observed.topicId}); bringing it back to the spec`,
    });
  }

  const have = observed.partitions.length;
  if (have < desired.partitions) {
    actions.push({ type: 'createPartitions', topic: desired.name, count: desired.partitions });
    if (drift) {
      events.push({
        type: 'Warning',
        reason: 'PartitionDriftCorrected',
        message: `topic "${desired.name}" had ${have} partition(s), spec declares ${desired.partitions}; adding partitions`,
      });
    }
  } else if (have > desired.partitions) {
    // Kafka cannot remove partitions, and deleting the topic would delete data: report only.
    const message = `topic "${desired.name}" has ${have} partitions but the spec declares ${desired.partitions}; partitions cannot be removed — raise spec.partitions to ${have}`;
    verdict = { status: 'False', reason: 'PartitionsAboveSpec', message };
    events.push({ type: 'Warning', reason: 'PartitionsAboveSpec', message });
  }

  const diff = diffTopicConfig(desired.config, observed.configs);
  if (!isEmptyDiff(diff)) {
    actions.push({
      type: 'alterConfigs',
      topic: desired.name,
      config: { ...desired.config },
      set: Object.fromEntries(diff.set.map((c) => [c.key, c.to])),
      reset: diff.reset.map((r) => r.key),
    });
    if (drift) {
      events.push({
        type: 'Warning',
        reason: 'ConfigDriftCorrected',
        message: `config of topic "${desired.name}" was changed outside the operator; put back: ${describeDiff(diff)}`,
      });
    }
  }

  const ongoing = input.reassignments.length > 0;
  const mismatched = observed.partitions.some(
    (p) => p.replicas.length !== desired.replicationFactor,
  );
  if (ongoing) {
    // One reassignment at a time: Kafka would cancel and replace the running one.
    verdict = worst(verdict, reassigning(desired, status));
    recheck = true;
  } else if (mismatched && have >= desired.partitions) {
    const assignments = reassignmentFor(
      observed.partitions,
      input.brokers,
      desired.replicationFactor,
    );
    if (assignments.length > 0) {
      actions.push({ type: 'reassignPartitions', topic: desired.name, assignments });
      verdict = worst(verdict, reassigning(desired, status));
      recheck = true;
      if (drift) {
        events.push({
          type: 'Warning',
          reason: 'ReplicationFactorDriftCorrected',
          message: `replication factor of topic "${desired.name}" was changed outside the operator (${status.replicationFactor}); reassigning to ${desired.replicationFactor}`,
        });
      }
    }
  } else if (mismatched) {
    // New partitions come with the old factor; reassign all of them together next time.
    recheck = true;
  }

  return { actions, ready: verdict, events, finalizer: 'ensure', status, recheck };
}

function ready(desired: DesiredTopic): ReadyCondition {
  return {
    status: 'True',
    reason: 'TopicReady',
    message: `topic "${desired.name}" is as declared`,
  };
}

function reassigning(desired: DesiredTopic, status: TopicStatusFields): ReadyCondition {
  const progress = status.reassignment;
  const done = progress
    ? ` (${progress.partitionsDone}/${progress.partitionsTotal} partitions done)`
    : '';
  return {
    status: 'False',
    reason: 'Reassigning',
    message: `changing the replication factor of topic "${desired.name}" to ${desired.replicationFactor} by partition reassignment${done}`,
  };
}

/** A refusal already in the verdict stays; otherwise the new one applies. */
function worst(current: ReadyCondition, next: ReadyCondition): ReadyCondition {
  return current.status === 'False' ? current : next;
}

function refuse(reason: ReadyReason, message: string, status: TopicStatusFields): TopicPlan {
  // Nothing will move, so no progress to report.
  const { reassignment: _none, ...rest } = status;
  return {
    actions: [],
    ready: { status: 'False', reason, message },
    events: [],
    finalizer: 'ensure',
    status: rest,
    recheck: false,
  };
}

function invalidSpec(desired: DesiredTopic): string | undefined {
  if (!Number.isInteger(desired.partitions) || desired.partitions < 1) {
    return `partitions must be a positive integer, got ${desired.partitions}`;
  }
  if (!Number.isInteger(desired.replicationFactor) || desired.replicationFactor < 1) {
    return `replicationFactor must be a positive integer, got ${desired.replicationFactor}`;
  }
  return undefined;
}

function statusOf(input: PlanInput): TopicStatusFields {
  const { observed } = input;
  if (observed === null) return {};
  const factors = observed.partitions.map((p) => {
    const r = input.reassignments.find((x) => x.partition === p.partition);
    // Mid-reassignment Kafka lists adding replicas too; they do not count until caught up.
    return r ? p.replicas.filter((b) => !r.addingReplicas.includes(b)).length : p.replicas.length;
  });
  const status: {
    topicId?: string;
    partitions: number;
    replicationFactor?: number;
    reassignment?: { partitionsDone: number; partitionsTotal: number };
  } = { partitions: observed.partitions.length };
  if (observed.topicId !== undefined) status.topicId = observed.topicId;
  // The smallest factor is the honest one: it is what the least protected partition has.
  if (factors.length > 0) status.replicationFactor = Math.min(...factors);
  const want = input.desired.replicationFactor;
  const pending = observed.partitions.filter(
    (p) =>
      input.reassignments.some((r) => r.partition === p.partition) || p.replicas.length !== want,
  ).length;
  if (pending > 0) {
    status.reassignment = {
      partitionsDone: observed.partitions.length - pending,
      partitionsTotal: observed.partitions.length,
    };
  }
  return status;
}
