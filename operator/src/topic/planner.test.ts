import { describe, expect, it } from 'vitest';
import {
  changesInPlace,
  conflictWinner,
  planAfterChange,
  planAfterCreate,
  planTopic,
  type ObservedConfig,
  type ObservedTopic,
  type PlanInput,
} from './planner.ts';

const self = { namespace: 'streaming', name: 'orders', creationTimestamp: '2026-01-02T00:00:00Z' };

function input(over: Partial<PlanInput> = {}): PlanInput {
  return {
    self,
    desired: {
      name: 'orders',
      partitions: 3,
      replicationFactor: 1,
      config: {},
      deletionPolicy: 'Delete',
    },
    deleting: false,
    observed: null,
    brokers: [1, 2, 3],
    reassignments: [],
    otherClaims: [],
    ...over,
  };
}

function topic(
  partitions: number[][],
  configs: Record<string, ObservedConfig> = {},
  topicId = 'id-1',
): ObservedTopic {
  return {
    topicId,
    partitions: partitions.map((replicas, partition) => ({ partition, replicas })),
    configs,
  };
}

const dyn = (value: string): ObservedConfig => ({ value, source: 'topic' });
const dflt = (value: string): ObservedConfig => ({ value, source: 'default' });

describe('after a create, from Kafka’s answer', () => {
  const desired = {
    name: 'orders',
    partitions: 12,
    replicationFactor: 3,
    config: { 'retention.ms': '1000', 'cleanup.policy': 'compact,delete' },
    deletionPolicy: 'Delete' as const,
  };
  const answer = {
    topicId: 'new-id',
    partitions: 12,
    replicationFactor: 3,
    // Kafka re-renders list values ("compact, delete" would come back without the space).
    configs: {
      'retention.ms': dyn('1000'),
      'cleanup.policy': dyn('compact,delete'),
      'segment.bytes': dflt('1073741824'),
    },
  };
  const created = planTopic(
    input({ desired, lastReconciled: { topicId: 'old', specUnchanged: true } }),
  );

  it('takes the status from the answer and needs no second look when it is as asked', () => {
    const plan = planAfterCreate(created, answer);
    expect(plan.actions).toEqual([]);
    expect(plan.status).toEqual({
      topicId: 'new-id',
      origin: 'Created',
      partitions: 12,
      replicationFactor: 3,
    });
    expect(plan.ready).toMatchObject({ status: 'True', reason: 'TopicReady' });
    expect(plan.recheck).toBe(false);
    // The recreation Event the plan carried is still true: Kafka made a new topic.
    expect(plan.events.map((e) => e.reason)).toEqual(['TopicRecreated']);
  });

  it.each([
    ['fewer partitions', { partitions: 6 }],
    ['another factor', { replicationFactor: 2 }],
    ['a config missing', { configs: { 'cleanup.policy': dyn('compact,delete') } }],
    [
      'an extra per-topic config',
      { configs: { ...answer.configs, 'max.message.bytes': dyn('1') } },
    ],
    ['no configs in the answer', { configs: null }],
  ])('looks again when the answer shows %s', (_, over) => {
    const plan = planAfterCreate(created, { ...answer, ...over });
    expect(plan.recheck).toBe(true);
    // Ready only once Kafka is seen to hold the spec.
    expect(plan.ready).toMatchObject({ status: 'False', reason: 'ChangePending' });
    expect(plan.actions).toEqual([]);
    expect(plan.status.topicId).toBe('new-id');
  });
});

describe('create', () => {
  it('creates an absent topic with partitions, factor and config', () => {
    const plan = planTopic(
      input({
        desired: {
          name: 'orders',
          partitions: 12,
          replicationFactor: 3,
          config: { 'retention.ms': '1000' },
          deletionPolicy: 'Delete',
        },
      }),
    );
    expect(plan.actions).toEqual([
      {
        type: 'createTopic',
        topic: 'orders',
        partitions: 12,
        replicationFactor: 3,
        config: { 'retention.ms': '1000' },
      },
    ]);
    expect(plan.ready.status).toBe('True');
    expect(plan.finalizer).toBe('ensure');
    expect(plan.events).toEqual([]);
    expect(plan.recheck).toBe(true);
    expect(plan.status).toEqual({});
  });

  it('reports nothing to do for a topic exactly as declared, with status from Kafka', () => {
    const plan = planTopic(
      input({
        observed: topic([[1], [2], [3]], { 'retention.ms': dflt('604800000') }, 'abc'),
        lastReconciled: { topicId: 'abc', origin: 'Created', specUnchanged: true },
      }),
    );
    expect(plan.actions).toEqual([]);
    expect(plan.ready).toMatchObject({ status: 'True', reason: 'TopicReady' });
    expect(plan.status).toEqual({
      topicId: 'abc',
      origin: 'Created',
      partitions: 3,
      replicationFactor: 1,
    });
    expect(plan.events).toEqual([]);
    expect(plan.recheck).toBe(false);
  });

  it('recreates a topic deleted outside and says so in an Event', () => {
    const plan = planTopic(input({ lastReconciled: { topicId: 'old', specUnchanged: true } }));
    expect(plan.actions.map((a) => a.type)).toEqual(['createTopic']);
    expect(plan.events).toEqual([
      expect.objectContaining({ type: 'Warning', reason: 'TopicRecreated' }),
    ]);
    expect(plan.events[0]!.message).toContain('old');
  });

  it('does not call a first creation a recreation', () => {
    expect(planTopic(input({ lastReconciled: { specUnchanged: false } })).events).toEqual([]);
  });

  it('reports a topic replaced outside (new topic id)', () => {
    const plan = planTopic(
      input({
        observed: topic([[1], [2], [3]], {}, 'new'),
        lastReconciled: { topicId: 'old', specUnchanged: true },
      }),
    );
    expect(plan.events).toEqual([expect.objectContaining({ reason: 'TopicReplacedOutside' })]);
  });
});

describe('partitions', () => {
  it('grows partitions to the declared count', () => {
    const plan = planTopic(
      input({ desired: { ...input().desired, partitions: 6 }, observed: topic([[1], [2], [3]]) }),
    );
    expect(plan.actions).toEqual([{ type: 'createPartitions', topic: 'orders', count: 6 }]);
    expect(plan.ready.status).toBe('True');
    // Found without a record (no status.topicId): adopted, and said so.
    expect(plan.events.map((e) => e.reason)).toEqual(['TopicAdopted']);
  });

  it('reports a partition decrease found as drift, and never deletes', () => {
    const plan = planTopic(
      input({
        observed: topic([[1], [2], [3], [1], [2]]),
        lastReconciled: { topicId: 'id-1', specUnchanged: true },
      }),
    );
    expect(plan.actions).toEqual([]);
    expect(plan.ready).toMatchObject({ status: 'False', reason: 'PartitionsAboveSpec' });
    expect(plan.ready.message).toContain('5 partitions');
    expect(plan.events).toEqual([
      expect.objectContaining({ type: 'Warning', reason: 'PartitionsAboveSpec' }),
    ]);
    expect(plan.status.partitions).toBe(5);
  });

  it('still corrects config while reporting partitions above spec', () => {
    const plan = planTopic(input({ observed: topic([[1], [2], [3], [1]], { 'x.y': dyn('1') }) }));
    expect(plan.actions.map((a) => a.type)).toEqual(['alterConfigs']);
    expect(plan.ready.reason).toBe('PartitionsAboveSpec');
  });

  it('emits an Event when partitions were lost outside (topic recreated smaller) with an unchanged spec', () => {
    const plan = planTopic(
      input({
        desired: { ...input().desired, partitions: 4 },
        observed: topic([[1], [2]]),
        lastReconciled: { topicId: 'id-1', specUnchanged: true },
      }),
    );
    expect(plan.actions).toEqual([{ type: 'createPartitions', topic: 'orders', count: 4 }]);
    expect(plan.events.map((e) => e.reason)).toEqual(['PartitionDriftCorrected']);
  });
});

describe('config', () => {
  const declared = { 'retention.ms': '1000', 'cleanup.policy': 'compact' };

  it('sets changed and missing keys and passes the full declared map', () => {
    const plan = planTopic(
      input({
        desired: { ...input().desired, config: declared },
        observed: topic([[1], [2], [3]], {
          'retention.ms': dyn('5'),
          'cleanup.policy': dflt('delete'),
        }),
        lastReconciled: { topicId: 'id-1', origin: 'Created', specUnchanged: false },
      }),
    );
    expect(plan.actions).toEqual([
      {
        type: 'alterConfigs',
        topic: 'orders',
        config: declared,
        set: { 'cleanup.policy': 'compact', 'retention.ms': '1000' },
        reset: [],
      },
    ]);
    expect(plan.ready.status).toBe('True');
    expect(plan.events).toEqual([]);
  });

  it('resets per-topic keys the spec no longer declares, and touches nothing inherited', () => {
    const plan = planTopic(
      input({
        desired: { ...input().desired, config: { 'retention.ms': '1000' } },
        observed: topic([[1], [2], [3]], {
          'retention.ms': dyn('1000'),
          'segment.bytes': dyn('1048576'),
          'min.insync.replicas': { value: '2', source: 'broker' },
          'cleanup.policy': dflt('delete'),
        }),
      }),
    );
    expect(plan.actions).toEqual([
      {
        type: 'alterConfigs',
        topic: 'orders',
        config: { 'retention.ms': '1000' },
        set: {},
        reset: ['segment.bytes'],
      },
    ]);
  });

  it('pins a declared value even when it equals the inherited default', () => {
    const plan = planTopic(
      input({
        desired: { ...input().desired, config: { 'cleanup.policy': 'delete' } },
        observed: topic([[1], [2], [3]], { 'cleanup.policy': dflt('delete') }),
      }),
    );
    expect(plan.actions).toMatchObject([
      { type: 'alterConfigs', set: { 'cleanup.policy': 'delete' }, reset: [] },
    ]);
  });

  it('does nothing when per-topic configs equal the declared ones exactly', () => {
    const plan = planTopic(
      input({
        desired: { ...input().desired, config: declared },
        observed: topic([[1], [2], [3]], {
          'retention.ms': dyn('1000'),
          'cleanup.policy': dyn('compact'),
          'segment.ms': dflt('1'),
        }),
      }),
    );
    expect(plan.actions).toEqual([]);
  });

  it('never compares a value Kafka hides', () => {
    const plan = planTopic(
      input({
        desired: { ...input().desired, config: { secret: 'x' } },
        observed: topic([[1], [2], [3]], { secret: { value: null, source: 'topic' } }),
      }),
    );
    expect(plan.actions).toEqual([]);
  });

  it('turns a config changed outside into an Event when the spec did not change', () => {
    const plan = planTopic(
      input({
        desired: { ...input().desired, config: { 'retention.ms': '1000' } },
        observed: topic([[1], [2], [3]], { 'retention.ms': dyn('42'), 'segment.bytes': dyn('7') }),
        lastReconciled: { topicId: 'id-1', specUnchanged: true },
      }),
    );
    expect(plan.actions.map((a) => a.type)).toEqual(['alterConfigs']);
    expect(plan.events).toHaveLength(1);
    expect(plan.events[0]).toMatchObject({ type: 'Warning', reason: 'ConfigDriftCorrected' });
    expect(plan.events[0]!.message).toContain('retention.ms=1000 (was 42)');
    expect(plan.events[0]!.message).toContain('segment.bytes reset to default (was 7)');
  });

  it('treats a difference after a spec change as an update, not drift', () => {
    const plan = planTopic(
      input({
        desired: { ...input().desired, config: { 'retention.ms': '1000' } },
        observed: topic([[1], [2], [3]], { 'retention.ms': dyn('42') }),
        lastReconciled: { topicId: 'id-1', specUnchanged: false },
      }),
    );
    expect(plan.actions.map((a) => a.type)).toEqual(['alterConfigs']);
    expect(plan.events).toEqual([]);
  });

  it('puts creation config and later config in the same shape (a copy, not the spec object)', () => {
    const config = { a: '1' };
    const plan = planTopic(input({ desired: { ...input().desired, config } }));
    const action = plan.actions[0]!;
    expect(action.type === 'createTopic' && action.config).toEqual(config);
    expect(action.type === 'createTopic' && action.config).not.toBe(config);
  });
});

describe('replication factor', () => {
  it('plans a reassignment to raise the factor, keeping existing replicas and leaders', () => {
    const plan = planTopic(
      input({
        desired: { ...input().desired, replicationFactor: 3 },
        observed: topic([[1], [2], [3]]),
      }),
    );
    expect(plan.actions).toHaveLength(1);
    const action = plan.actions[0]!;
    expect(action.type).toBe('reassignPartitions');
    if (action.type !== 'reassignPartitions') return;
    expect(action.assignments.map((a) => a.replicas[0])).toEqual([1, 2, 3]);
    for (const a of action.assignments) expect([...a.replicas].sort()).toEqual([1, 2, 3]);
    expect(plan.ready).toMatchObject({ status: 'False', reason: 'Reassigning' });
    expect(plan.status.reassignment).toEqual({ partitionsDone: 0, partitionsTotal: 3 });
    expect(plan.recheck).toBe(true);
  });

  it('plans a reassignment to lower the factor', () => {
    const plan = planTopic(
      input({
        observed: topic([
          [1, 2],
          [2, 3],
          [3, 1],
        ]),
      }),
    );
    expect(plan.actions).toEqual([
      {
        type: 'reassignPartitions',
        topic: 'orders',
        assignments: [
          { partition: 0, replicas: [1] },
          { partition: 1, replicas: [2] },
          { partition: 2, replicas: [3] },
        ],
      },
    ]);
  });

  it('refuses a factor above the broker count with a clear verdict and no action', () => {
    for (const observed of [null, topic([[1], [2], [3]], { x: dyn('1') })]) {
      const plan = planTopic(
        input({ desired: { ...input().desired, replicationFactor: 4, partitions: 9 }, observed }),
      );
      expect(plan.actions).toEqual([]);
      expect(plan.ready).toMatchObject({ status: 'False', reason: 'ReplicationFactorTooHigh' });
      expect(plan.ready.message).toContain('replicationFactor 4');
      expect(plan.ready.message).toContain('3 available broker(s)');
      expect(plan.status.reassignment).toBeUndefined();
    }
  });

  it('waits for a running reassignment and reports its progress', () => {
    const plan = planTopic(
      input({
        desired: { ...input().desired, replicationFactor: 2 },
        observed: topic([[1, 2], [2, 3, 1], [3]]),
        reassignments: [
          { partition: 1, replicas: [2, 3, 1], addingReplicas: [3], removingReplicas: [] },
        ],
      }),
    );
    expect(plan.actions).toEqual([]);
    expect(plan.ready).toMatchObject({ status: 'False', reason: 'Reassigning' });
    expect(plan.ready.message).toContain('1/3 partitions done');
    expect(plan.status.replicationFactor).toBe(1);
    expect(plan.recheck).toBe(true);
  });

  it('counts a finished reassignment as done', () => {
    const plan = planTopic(
      input({
        desired: { ...input().desired, replicationFactor: 2 },
        observed: topic([
          [1, 2],
          [2, 3],
          [3, 1],
        ]),
      }),
    );
    expect(plan.actions).toEqual([]);
    expect(plan.ready.status).toBe('True');
    expect(plan.status).toEqual({
      topicId: 'id-1',
      origin: 'Adopted',
      partitions: 3,
      replicationFactor: 2,
    });
  });

  it('grows partitions first and reassigns on the next pass', () => {
    const plan = planTopic(
      input({
        desired: { ...input().desired, partitions: 4, replicationFactor: 2 },
        observed: topic([[1], [2], [3]]),
      }),
    );
    expect(plan.actions).toEqual([{ type: 'createPartitions', topic: 'orders', count: 4 }]);
    expect(plan.recheck).toBe(true);
  });

  it('reports a factor changed outside as drift', () => {
    const plan = planTopic(
      input({
        observed: topic([[1, 2], [2], [3]]),
        lastReconciled: { topicId: 'id-1', specUnchanged: true },
      }),
    );
    expect(plan.actions).toEqual([
      {
        type: 'reassignPartitions',
        topic: 'orders',
        assignments: [{ partition: 0, replicas: [1] }],
      },
    ]);
    expect(plan.events.map((e) => e.reason)).toEqual(['ReplicationFactorDriftCorrected']);
  });
});

describe('conflict', () => {
  const older = {
    namespace: 'other',
    name: 'orders-too',
    creationTimestamp: '2026-01-01T00:00:00Z',
  };
  const newer = {
    namespace: 'other',
    name: 'orders-late',
    creationTimestamp: '2026-01-03T00:00:00Z',
  };

  it('gives the newer resource Conflict and no actions', () => {
    const plan = planTopic(
      input({ otherClaims: [older], observed: topic([[1]], { x: dyn('1') }) }),
    );
    expect(plan.actions).toEqual([]);
    expect(plan.ready).toMatchObject({ status: 'False', reason: 'Conflict' });
    expect(plan.ready.message).toContain('other/orders-too');
    expect(plan.status).toEqual({});
  });

  it('lets the older resource win', () => {
    const plan = planTopic(input({ otherClaims: [newer] }));
    expect(plan.actions.map((a) => a.type)).toEqual(['createTopic']);
  });

  it('breaks equal timestamps by namespace/name, the same way for both sides', () => {
    const a = { namespace: 'a', name: 't', creationTimestamp: '2026-01-01T00:00:00Z' };
    const b = { namespace: 'b', name: 't', creationTimestamp: '2026-01-01T00:00:00.000Z' };
    expect(conflictWinner(a, [b])).toBe(a);
    expect(conflictWinner(b, [a])).toBe(a);
  });

  it('counts an unreadable timestamp as youngest, on both sides', () => {
    const bad = { namespace: 'a', name: 't', creationTimestamp: 'garbage' };
    expect(conflictWinner(bad, [older])).toBe(older);
    expect(conflictWinner(older, [bad])).toBe(older);
  });

  it('never deletes the winner’s topic when the losing resource is deleted', () => {
    const plan = planTopic(
      input({ otherClaims: [older], deleting: true, observed: topic([[1], [2], [3]]) }),
    );
    expect(plan.actions).toEqual([]);
    expect(plan.finalizer).toBe('remove');
  });
});

describe('deletion', () => {
  const mine = { topicId: 'id-1', origin: 'Created' as const, specUnchanged: true };

  it('deletes the topic by the id on record, then releases the finalizer', () => {
    const plan = planTopic(
      input({ deleting: true, observed: topic([[1], [2], [3]]), lastReconciled: mine }),
    );
    expect(plan.actions).toEqual([{ type: 'deleteTopic', topic: 'orders', topicId: 'id-1' }]);
    expect(plan.finalizer).toBe('remove');
    expect(plan.ready.reason).toBe('Deleting');
    expect(plan.events).toEqual([]);
  });

  it('deletes by id even when a broker does not show the topic yet (a create moments ago)', () => {
    // The defect: a broker's metadata lagging the resource's own create made the topic look
    // absent, the finalizer went, and the topic stayed in Kafka with no resource.
    const plan = planTopic(input({ deleting: true, observed: null, lastReconciled: mine }));
    expect(plan.actions).toEqual([{ type: 'deleteTopic', topic: 'orders', topicId: 'id-1' }]);
    expect(plan.finalizer).toBe('remove');
  });

  it('leaves a topic recreated outside under the same name alone, and says so', () => {
    const plan = planTopic(
      input({ deleting: true, observed: topic([[1]], {}, 'someone-elses'), lastReconciled: mine }),
    );
    // Only ever its own id: Kafka answers UNKNOWN_TOPIC_ID, the other topic stays.
    expect(plan.actions).toEqual([{ type: 'deleteTopic', topic: 'orders', topicId: 'id-1' }]);
    expect(plan.events).toEqual([
      expect.objectContaining({ type: 'Warning', reason: 'TopicNotDeleted' }),
    ]);
    expect(plan.events[0]!.message).toContain('someone-elses');
    expect(plan.finalizer).toBe('remove');
  });

  it('retains the topic under deletionPolicy Retain', () => {
    const plan = planTopic(
      input({
        deleting: true,
        desired: { ...input().desired, deletionPolicy: 'Retain' },
        observed: topic([[1]]),
        lastReconciled: mine,
      }),
    );
    expect(plan.actions).toEqual([]);
    expect(plan.finalizer).toBe('remove');
    expect(plan.ready.message).toContain('retained');
  });

  it('has nothing to delete when no id is on record and Kafka has no topic', () => {
    const plan = planTopic(input({ deleting: true, lastReconciled: { specUnchanged: false } }));
    expect(plan.actions).toEqual([]);
    expect(plan.events).toEqual([]);
    expect(plan.finalizer).toBe('remove');
  });

  it('never deletes a topic it has no record of creating or adopting', () => {
    const plan = planTopic(input({ deleting: true, observed: topic([[1]], {}, 'unknown') }));
    expect(plan.actions).toEqual([]);
    expect(plan.events).toEqual([
      expect.objectContaining({ type: 'Warning', reason: 'TopicNotDeleted' }),
    ]);
    expect(plan.events[0]!.message).toContain('no record');
    expect(plan.finalizer).toBe('remove');
  });

  it('waits while its own create may still take effect, then deletes what it made', () => {
    const waiting = planTopic(input({ deleting: true, createInDoubt: 'pending' }));
    expect(waiting.actions).toEqual([]);
    expect(waiting.finalizer).toBe('ensure');
    expect(waiting.recheck).toBe(true);
    const made = planTopic(
      input({ deleting: true, createInDoubt: 'settled', observed: topic([[1]], {}, 'late') }),
    );
    expect(made.actions).toEqual([{ type: 'deleteTopic', topic: 'orders', topicId: 'late' }]);
    expect(made.finalizer).toBe('remove');
    const never = planTopic(input({ deleting: true, createInDoubt: 'settled' }));
    expect(never.actions).toEqual([]);
    expect(never.finalizer).toBe('remove');
  });

  it('deletes even when the spec would be refused (a bad spec must not block cleanup)', () => {
    const plan = planTopic(
      input({
        deleting: true,
        desired: { ...input().desired, replicationFactor: 9 },
        observed: topic([[1], [2], [3]]),
        lastReconciled: mine,
      }),
    );
    expect(plan.actions).toEqual([{ type: 'deleteTopic', topic: 'orders', topicId: 'id-1' }]);
  });
});

describe("Kafka's internal topics", () => {
  it.each(['__consumer_offsets', '__transaction_state', '__share_group_state', '__anything'])(
    'never touches %s, not even on deletion',
    (name) => {
      const desired = { ...input().desired, name, config: { 'cleanup.policy': 'delete' } };
      const observed = topic([[1]], { 'cleanup.policy': dflt('compact') }, 'internal-id');
      const plan = planTopic(input({ desired, observed }));
      expect(plan.actions).toEqual([]);
      expect(plan.ready).toMatchObject({ status: 'False', reason: 'ReservedTopic' });
      expect(plan.status).toEqual({});
      const lastReconciled = { topicId: 'internal-id', specUnchanged: true };
      const deleting = planTopic(input({ desired, observed, deleting: true, lastReconciled }));
      expect(deleting.actions).toEqual([]);
      expect(deleting.finalizer).toBe('remove');
    },
  );

  it('refuses a topic Kafka flags as internal, whatever its name', () => {
    const observed = { ...topic([[1]]), internal: true };
    const plan = planTopic(input({ observed }));
    expect(plan.actions).toEqual([]);
    expect(plan.ready.reason).toBe('ReservedTopic');
  });
});

describe('adoption', () => {
  it('adopts a topic found without a record, visibly', () => {
    const plan = planTopic(input({ observed: topic([[1], [2], [3]], {}, 'there-before') }));
    expect(plan.status.origin).toBe('Adopted');
    expect(plan.status.topicId).toBe('there-before');
    expect(plan.events).toEqual([
      expect.objectContaining({ type: 'Normal', reason: 'TopicAdopted' }),
    ]);
    expect(plan.events[0]!.message).toContain('deletionPolicy Delete');
  });

  it('keeps the origin on record while the id is the same', () => {
    const plan = planTopic(
      input({
        observed: topic([[1], [2], [3]]),
        lastReconciled: { topicId: 'id-1', origin: 'Created', specUnchanged: true },
      }),
    );
    expect(plan.status.origin).toBe('Created');
    expect(plan.events).toEqual([]);
  });

  it('counts a topic that appeared after its own unanswered create as created, not adopted', () => {
    const plan = planTopic(input({ observed: topic([[1], [2], [3]]), createInDoubt: 'settled' }));
    expect(plan.status.origin).toBe('Created');
    expect(plan.events).toEqual([]);
  });

  it('adopts a topic replaced outside (someone else made the new one)', () => {
    const plan = planTopic(
      input({
        observed: topic([[1], [2], [3]], {}, 'new'),
        lastReconciled: { topicId: 'old', origin: 'Created', specUnchanged: true },
      }),
    );
    expect(plan.status).toMatchObject({ topicId: 'new', origin: 'Adopted' });
  });
});

describe('after an in-place change, from a fresh look', () => {
  const lastReconciled = { topicId: 'id-1', origin: 'Created' as const, specUnchanged: false };
  const desired = { ...input().desired, config: { 'retention.ms': '1000' } };
  const looked = (value: string) =>
    planTopic(
      input({
        desired,
        observed: topic([[1], [2], [3]], { 'retention.ms': dyn(value) }),
        lastReconciled,
      }),
    );
  const before = looked('5');

  it('is Ready only when Kafka is seen holding the change', () => {
    expect(changesInPlace(before)).toBe(true);
    const plan = planAfterChange(before, looked('1000'));
    expect(plan.ready).toMatchObject({ status: 'True', reason: 'TopicReady' });
    expect(plan.actions).toEqual([]);
    expect(plan.recheck).toBe(false);
  });

  it('is not Ready when the topic is gone by the time it is looked at again', () => {
    const gone = planTopic(input({ desired, observed: null, lastReconciled }));
    const plan = planAfterChange(before, gone);
    expect(plan.ready).toMatchObject({ status: 'False', reason: 'ChangePending' });
    expect(plan.actions).toEqual([]);
  });

  it('says what still differs when Kafka accepted the change but does not hold it', () => {
    const plan = planAfterChange(before, looked('5'));
    expect(plan.ready).toMatchObject({ status: 'False', reason: 'ChangePending' });
    expect(plan.ready.message).toContain('retention.ms=1000');
    expect(plan.actions).toEqual([]);
    expect(plan.recheck).toBe(true);
  });
});

describe('invalid spec', () => {
  it.each([
    [0, 1],
    [1, 0],
    [1.5, 1],
  ])(
    'refuses partitions=%s replicationFactor=%s without acting',
    (partitions, replicationFactor) => {
      const plan = planTopic(
        input({ desired: { ...input().desired, partitions, replicationFactor } }),
      );
      expect(plan.actions).toEqual([]);
      expect(plan.ready).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    },
  );
});

describe('purity', () => {
  it('gives equal plans for equal inputs and does not mutate its input', () => {
    const i = input({
      desired: { ...input().desired, replicationFactor: 2, config: { a: '1' } },
      observed: topic([[1], [2], [3]], { b: dyn('2') }),
    });
    const frozen = JSON.stringify(i);
    expect(planTopic(i)).toEqual(planTopic(i));
    expect(JSON.stringify(i)).toBe(frozen);
  });
});
