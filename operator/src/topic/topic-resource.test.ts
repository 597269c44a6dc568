import { describe, expect, it } from 'vitest';
import type { KafkaTopic } from '../api/kafka-topic.ts';
import {
  desiredReplicationFactor,
  otherClaims,
  specUnchanged,
  statusAfter,
} from './topic-resource.ts';

const now = new Date('2026-01-01T00:00:00Z');
function topic(overrides: Partial<KafkaTopic> = {}): KafkaTopic {
  return {
    apiVersion: 'kraftwerk.dev/v1alpha1',
    kind: 'KafkaTopic',
    metadata: {
      name: 'orders',
      namespace: 'ns',
      uid: 'u1',
      generation: 2,
      creationTimestamp: '2026-01-01T00:00:00Z',
    },
    spec: { bootstrapServers: 'k:9092', partitions: 3, deletionPolicy: 'Delete' },
    ...overrides,
  };
}
const ready = { status: 'True' as const, reason: 'TopicReady', message: 'ok' };

describe('statusAfter', () => {
  it('drops the old topic id when Kafka no longer has the topic', () => {
    const t = topic({ status: { topicId: 'old', partitions: 3, replicationFactor: 1 } });
    const s = statusAfter(t, { status: {} }, ready, now);
    expect(s.topicId).toBeUndefined();
    expect(s.partitions).toBeUndefined();
  });
  it('keeps the last facts when there was no observation (an error path)', () => {
    const t = topic({ status: { topicId: 'old', partitions: 3 } });
    const s = statusAfter(
      t,
      undefined,
      { status: 'Unknown', reason: 'KafkaUnavailable', message: 'down' },
      now,
    );
    expect(s.topicId).toBe('old');
    expect(s.conditions?.[0]).toMatchObject({
      type: 'Ready',
      status: 'Unknown',
      observedGeneration: 2,
    });
  });
  it('records observedGeneration and the topic name', () => {
    const s = statusAfter(
      topic(),
      { status: { topicId: 'id', partitions: 3, replicationFactor: 1 } },
      ready,
      now,
    );
    expect(s).toMatchObject({
      observedGeneration: 2,
      topicName: 'orders',
      topicId: 'id',
      partitions: 3,
    });
  });
});

describe('desiredReplicationFactor', () => {
  it('prefers the spec, then the cluster default, then what the topic has, then min(3, brokers)', () => {
    expect(
      desiredReplicationFactor(
        topic({ spec: { ...topic().spec, replicationFactor: 2 } }),
        3,
        null,
        5,
      ),
    ).toBe(2);
    expect(desiredReplicationFactor(topic(), 3, null, 5)).toBe(3);
    const observed = {
      name: 'orders',
      topicId: 'x',
      internal: false,
      partitions: [{ partition: 0, leader: 1, replicas: [1, 2], isr: [1, 2], offlineReplicas: [] }],
    };
    expect(desiredReplicationFactor(topic(), undefined, observed, 5)).toBe(2);
    expect(desiredReplicationFactor(topic(), undefined, null, 2)).toBe(2);
    expect(desiredReplicationFactor(topic(), undefined, null, 7)).toBe(3);
  });
});

describe('specUnchanged and otherClaims', () => {
  it('treats a Ready status of the current generation as "Kafka matched this spec"', () => {
    const cond = {
      type: 'Ready',
      status: 'True' as const,
      reason: 'TopicReady',
      message: '',
      lastTransitionTime: '',
    };
    expect(specUnchanged(topic({ status: { observedGeneration: 2, conditions: [cond] } }))).toBe(
      true,
    );
    expect(specUnchanged(topic({ status: { observedGeneration: 1, conditions: [cond] } }))).toBe(
      false,
    );
  });
  it('finds other live resources naming the same topic on the same Kafka only', () => {
    const a = topic();
    const b = topic({
      metadata: { ...a.metadata, name: 'b', uid: 'u2' },
      spec: { ...a.spec, topicName: 'orders' },
    });
    const elsewhere = topic({
      metadata: { ...a.metadata, name: 'c', uid: 'u3' },
      spec: { ...a.spec, bootstrapServers: 'other:9092' },
    });
    const deleting = topic({
      metadata: { ...a.metadata, name: 'd', uid: 'u4', deletionTimestamp: 'x' },
    });
    const key = (t: KafkaTopic) => t.spec.bootstrapServers ?? '';
    expect(otherClaims(a, [a, b, elsewhere, deleting], key).map((c) => c.name)).toEqual(['b']);
  });
});
