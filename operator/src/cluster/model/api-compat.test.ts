// The reconciler hands the generated KafkaClusterSpec to this core; this fails to type-check
// if the two drift apart, and fails if admission reserves other listeners than we render.
import { describe, expect, it } from 'vitest';
import type { KafkaClusterSpec } from '../../api/kafka-cluster.ts';
import { RESERVED_LISTENER_NAMES, RESERVED_LISTENER_PORTS } from '../../api/owned-config-keys.ts';
import { CONTROLLER_LISTENER, PROBE_LISTENER, REPLICATION_LISTENER } from './node-layout.ts';
import type { ClusterSpec } from '../cluster-spec.ts';

function accepts(spec: KafkaClusterSpec): ClusterSpec {
  return spec;
}

describe('ClusterSpec', () => {
  it('accepts the API type of spec', () => {
    const spec = {
      version: '4.1.1',
      brokers: { replicas: 3, storage: { type: 'persistent-claim', size: '10Gi' } },
      listeners: [{ name: 'internal', port: 9092, type: 'internal' }],
    } as KafkaClusterSpec;
    expect(accepts(spec).brokers.replicas).toBe(3);
  });
});

describe('operator-owned listeners', () => {
  it('are exactly the ones admission reserves', () => {
    const own = [CONTROLLER_LISTENER, REPLICATION_LISTENER, PROBE_LISTENER];
    expect(own.map((l) => l.port).sort()).toEqual([...RESERVED_LISTENER_PORTS].sort());
    expect(own.map((l) => l.name.toLowerCase()).sort()).toEqual(
      [...RESERVED_LISTENER_NAMES].sort(),
    );
  });
});
