import { describe, expect, it } from 'vitest';
import type { KafkaTopic } from '../api/kafka-topic.ts';
import {
  desiredReplicationFactor,
  namesakes,
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

describe('specUnchanged, namesakes and otherClaims', () => {
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
  it('finds other live resources naming the same topic, then keeps those on the same Kafka', () => {
    const a = topic();
    const b = topic({
      metadata: { ...a.metadata, name: 'b', uid: 'u2' },
      spec: { ...a.spec, topicName: 'orders' },
    });
    const elsewhere = topic({
      metadata: { ...a.metadata, name: 'c', uid: 'u3' },
      spec: { ...a.spec, topicName: 'orders', bootstrapServers: 'other:9092' },
    });
    const deleting = topic({
      metadata: { ...a.metadata, name: 'd', uid: 'u4', deletionTimestamp: 'x' },
    });
    const unrelated = topic({ metadata: { ...a.metadata, name: 'e', uid: 'u5' } });
    const candidates = namesakes(a, [
      a,
      b,
      elsewhere,
      deleting,
      { ...unrelated, spec: { ...unrelated.spec, topicName: 'payments' } },
    ]);
    expect(candidates.map((t) => t.metadata.name)).toEqual(['b', 'c']);
    // Judged by the cluster's identity: "other:9092" may well be the same cluster.
    expect(otherClaims(candidates, ['kafka:X', 'kafka:Y'], 'kafka:X').map((c) => c.name)).toEqual([
      'b',
    ]);
    expect(otherClaims(candidates, ['kafka:X', 'kafka:X'], 'kafka:X').map((c) => c.name)).toEqual([
      'b',
      'c',
    ]);
  });
});

describe('statusAfter and the topic origin', () => {
  it('records the origin with the id, and drops both when Kafka has no topic', () => {
    const t = topic({ status: { topicId: 'old', origin: 'Created' } });
    const adopted = statusAfter(
      t,
      { status: { topicId: 'new', origin: 'Adopted', partitions: 3 } },
      ready,
      now,
    );
    expect(adopted).toMatchObject({ topicId: 'new', origin: 'Adopted' });
    const gone = statusAfter(t, { status: {} }, ready, now);
    expect(gone.topicId).toBeUndefined();
    expect(gone.origin).toBeUndefined();
  });
});
