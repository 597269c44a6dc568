// The KafkaTopic planner: (declared topic, what Kafka has, who else claims the name) → the Kafka
// actions to take, the Ready verdict, drift Events and what to do with the finalizer.
// Pure and independent of the CRD types: the reconciler maps its resource onto these inputs.

import { RESERVED_TOPIC_PREFIX } from '../api/kafka-names.ts';
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

/** How the resource came to hold its topic: it made it, or the topic was there already. */
export type TopicOrigin = 'Created' | 'Adopted';

export interface DesiredTopic {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly config: Readonly<Record<string, string>>;
  readonly deletionPolicy: DeletionPolicy;
}

export interface ObservedTopic {
  readonly topicId?: string;
  /** Kafka's own flag for its internal topics (Metadata's is_internal). */
  readonly internal?: boolean;
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
  /** The id of the topic this resource created or adopted (status.topicId, or the reconciler's
   *  own record when the status write has not reached its cache yet). */
  readonly topicId?: string;
  readonly origin?: TopicOrigin;
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
  /**
   * This resource's own create was sent and its answer never came (timeout, dropped connection),
   * so the topic may exist without the resource knowing its id. 'pending': Kafka may still be
   * carrying it out; 'settled': long enough ago that it has either happened or never will.
   */
  readonly createInDoubt?: 'pending' | 'settled';
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
  | {
      readonly type: 'deleteTopic';
      readonly topic: string;
      /** Deleted by id (DeleteTopics v6): a topic since recreated under the name is not ours. */
      readonly topicId: string;
    };

export type ReadyReason =
  | 'TopicReady'
  | 'Conflict'
  | 'ReplicationFactorTooHigh'
  | 'InvalidSpec'
  | 'PartitionsAboveSpec'
  | 'Reassigning'
  | 'ReservedTopic'
  | 'ChangePending'
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
    | 'TopicAdopted'
    | 'TopicNotDeleted'
    | 'ConfigDriftCorrected'
    | 'PartitionDriftCorrected'
    | 'PartitionsAboveSpec'
    | 'ReplicationFactorDriftCorrected';
  readonly message: string;
}

export interface TopicStatusFields {
  readonly topicId?: string;
  readonly origin?: TopicOrigin;
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

  const reserved = reservedReason(desired.name, observed);
  if (reserved) {
    // Kafka's own topics carry the cluster's state (offsets, transactions): never altered,
    // never deleted, whatever the resource says. The status does not claim the topic either.
    return {
      actions: [],
      ready: { status: 'False', reason: 'ReservedTopic', message: reserved },
      events: [],
      finalizer: input.deleting ? 'remove' : 'ensure',
      status: {},
      recheck: false,
    };
  }

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
    origin: 'Created',
    partitions: created.partitions,
    replicationFactor: created.replicationFactor,
  };
  const asAsked =
    create !== undefined &&
    created.partitions === create.partitions &&
    created.replicationFactor === create.replicationFactor &&
    created.configs !== null &&
    isEmptyDiff(diffTopicConfig(create.config, created.configs));
  if (asAsked) return { ...plan, actions: [], status, recheck: false };
  // Ready means Kafka holds the spec; an answer that does not show it must be looked at again.
  const message =
    create === undefined || created.configs === null
      ? `topic "${create?.topic ?? ''}" was created; Kafka's answer did not list its configs, checking them`
      : `topic "${create.topic}" was created as ${created.partitions} partition(s), replication factor ${created.replicationFactor}${describeCreateDiff(create.config, created.configs)}; checking again`;
  return {
    ...plan,
    actions: [],
    status,
    ready: { status: 'False', reason: 'ChangePending', message },
    recheck: true,
  };
}

function describeCreateDiff(
  declared: Readonly<Record<string, string>>,
  configs: Readonly<Record<string, ObservedConfig>>,
): string {
  const diff = diffTopicConfig(declared, configs);
  return isEmptyDiff(diff) ? '' : `, config differs: ${describeDiff(diff)}`;
}

/** Plan actions that change a topic in place; Kafka's answer to them says only "accepted". */
export function changesInPlace(plan: TopicPlan): boolean {
  return plan.actions.some((a) => a.type === 'alterConfigs' || a.type === 'createPartitions');
}

/**
 * The plan once its in-place changes were accepted, from a fresh look at Kafka afterwards
 * (`after`, planned from that look). Kafka answering AlterConfigs with "no error" is not Kafka
 * holding the value, so Ready comes from what it reports now: when the fresh plan would change
 * nothing more, its verdict and facts stand; otherwise the topic is not yet as declared, and
 * the message says what still differs. The first plan's Events stand (they were about it).
 */
export function planAfterChange(plan: TopicPlan, after: TopicPlan): TopicPlan {
  // A reassignment still to start is progress with its own verdict (Reassigning); anything
  // else left to do means Kafka does not hold the spec.
  const remaining = after.actions.filter((a) => a.type !== 'reassignPartitions');
  if (remaining.length === 0) {
    return { ...after, actions: [], events: plan.events, recheck: plan.recheck || after.recheck };
  }
  const parts = remaining.map((a) => {
    switch (a.type) {
      case 'alterConfigs':
        return `config ${[
          ...Object.entries(a.set).map(([k, v]) => `${k}=${v}`),
          ...a.reset.map((k) => `${k} (reset)`),
        ].join(', ')}`;
      case 'createPartitions':
        return `${a.count} partitions`;
      default:
        return 'the topic itself (Kafka no longer shows it)';
    }
  });
  return {
    ...after,
    actions: [],
    events: plan.events,
    ready: {
      status: 'False',
      reason: 'ChangePending',
      message: `Kafka accepted the change but does not hold it yet: ${parts.join('; ')} still differ(s) from the spec`,
    },
    recheck: true,
  };
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

/**
 * Deletion removes only the topic this resource created or adopted, named by its id: a topic
 * deleted and recreated under the same name by someone else has another id and is left alone.
 * `observed` must be a fresh look at Kafka (never a cached one: a broker's metadata can lag the
 * resource's own create by seconds).
 */
function planDeletion(input: PlanInput, status: TopicStatusFields): TopicPlan {
  const { desired, observed } = input;
  const name = desired.name;
  const deleting = (message: string): ReadyCondition => ({
    status: 'False',
    reason: 'Deleting',
    message,
  });
  const done = (actions: TopicAction[], message: string, events: TopicEvent[] = []): TopicPlan => ({
    actions,
    ready: deleting(message),
    events,
    finalizer: 'remove',
    status,
    recheck: false,
  });
  const leftAlone = (id: string | undefined, why: string): TopicEvent => ({
    type: 'Warning',
    reason: 'TopicNotDeleted',
    message: `topic "${name}"${id ? ` (id ${id})` : ''} is left in Kafka: ${why}`,
  });

  if (desired.deletionPolicy === 'Retain') {
    return done([], `resource deleted; topic "${name}" is retained in Kafka`);
  }

  const known = input.lastReconciled?.topicId;
  if (known !== undefined) {
    // Sent even when a broker shows another id under the name: that view may be behind, and a
    // delete by id can only ever remove this resource's own topic.
    const action: TopicAction = { type: 'deleteTopic', topic: name, topicId: known };
    const replaced = observed?.topicId !== undefined && observed.topicId !== known;
    return done(
      [action],
      `deleting topic "${name}" (id ${known})`,
      replaced
        ? [
            leftAlone(
              observed.topicId,
              `it is not the topic this resource ${input.lastReconciled?.origin === 'Adopted' ? 'adopted' : 'created'} (id ${known}), which was deleted outside the operator; the topic now under the name was made by someone else`,
            ),
          ]
        : [],
    );
  }

  // No id on record: the resource never learned which topic is its own.
  if (input.createInDoubt === 'pending') {
    // Its create may still be under way in Kafka; releasing now could leave that topic behind.
    return {
      actions: [],
      ready: deleting(
        `waiting to learn whether this resource's create of topic "${name}" took effect before deleting it`,
      ),
      events: [],
      finalizer: 'ensure',
      status,
      recheck: true,
    };
  }
  if (observed === null) return done([], `topic "${name}" does not exist in Kafka`);
  if (input.createInDoubt === 'settled' && observed.topicId !== undefined) {
    // This resource's own create, whose answer was lost: the topic appeared in its wake.
    return done(
      [{ type: 'deleteTopic', topic: name, topicId: observed.topicId }],
      `deleting topic "${name}" (id ${observed.topicId})`,
    );
  }
  return done([], `topic "${name}" was not created or adopted by this resource; left in Kafka`, [
    leftAlone(
      observed.topicId,
      'this resource has no record of creating or adopting it (status.topicId is unset), so it may belong to someone else; delete it with kafka-topics.sh --delete if it should go',
    ),
  ]);
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
      message: `topic "${desired.name}" was deleted and recreated outside the operator (id ${last} → ${observed.topicId}); adopting the new topic and bringing it back to the spec`,
    });
  } else if (last === undefined && input.createInDoubt === undefined) {
    events.push({
      type: 'Normal',
      reason: 'TopicAdopted',
      message: `topic "${desired.name}"${observed.topicId ? ` (id ${observed.topicId})` : ''} already existed in Kafka; this resource now manages it, and deletionPolicy ${desired.deletionPolicy} applies to it`,
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
    origin?: TopicOrigin;
    partitions: number;
    replicationFactor?: number;
    reassignment?: { partitionsDone: number; partitionsTotal: number };
  } = { partitions: observed.partitions.length };
  if (observed.topicId !== undefined) status.topicId = observed.topicId;
  const origin = originOf(input, observed);
  if (origin !== undefined) status.origin = origin;
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

/** Who made the topic Kafka has now, as far as this resource can tell. */
function originOf(input: PlanInput, observed: ObservedTopic): TopicOrigin | undefined {
  const last = input.lastReconciled;
  if (last?.topicId === undefined) {
    // Found without a record: there before this resource, unless its own create (answer lost)
    // made it.
    return input.createInDoubt === undefined ? 'Adopted' : 'Created';
  }
  if (observed.topicId === undefined || observed.topicId === last.topicId) return last.origin;
  return 'Adopted'; // replaced outside: someone else made the topic now under the name
}

/** Why a topic is Kafka's own, or undefined for an ordinary one. Admission refuses the prefix
 *  already; this also covers resources stored before that rule, and Kafka's `internal` flag. */
export function reservedReason(name: string, observed: ObservedTopic | null): string | undefined {
  if (name.startsWith(RESERVED_TOPIC_PREFIX)) {
    return `topic "${name}" starts with "${RESERVED_TOPIC_PREFIX}", which Kafka reserves for its internal topics; the operator never changes or deletes it`;
  }
  if (observed?.internal === true) {
    return `topic "${name}" is one of Kafka's internal topics; the operator never changes or deletes it`;
  }
  return undefined;
}
