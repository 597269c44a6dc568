import { describe, expect, it } from 'vitest';
import type { ClusterSpec } from '../cluster-spec.ts';
import { roleLayouts } from './node-layout.ts';
import { clusterIdFromBytes, initialControllers, initialDirectoryId } from './quorum-bootstrap.ts';

const cluster = { name: 'demo', namespace: 'streaming', uid: 'u' };
const storage = { type: 'ephemeral' as const };

describe('quorum bootstrap', () => {
  it('derives stable, distinct Kafka Uuids for the initial controllers', () => {
    const a = initialDirectoryId('nLp2abcdQZ6dXtk3r1w9Qg', 0);
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(initialDirectoryId('nLp2abcdQZ6dXtk3r1w9Qg', 0)).toBe(a);
    expect(initialDirectoryId('nLp2abcdQZ6dXtk3r1w9Qg', 1)).not.toBe(a);
    expect(initialDirectoryId('otherClusterIdxxxxxxxx', 0)).not.toBe(a);
  });

  it('lists the dedicated controllers, or the combined nodes, until the quorum forms', () => {
    const dedicated: ClusterSpec = {
      version: '4.1.1',
      controllers: { replicas: 3, storage },
      brokers: { replicas: 5, storage },
      listeners: [],
    };
    const list = initialControllers(cluster, roleLayouts(cluster, dedicated), 'id', false).split(
      ',',
    );
    expect(list.map((e) => e.split(':')[0])).toEqual([
      '0@demo-controller-0.demo-controller.streaming.svc',
      '1@demo-controller-1.demo-controller.streaming.svc',
      '2@demo-controller-2.demo-controller.streaming.svc',
    ]);
    const combined: ClusterSpec = {
      version: '4.1.1',
      brokers: { replicas: 1, storage },
      listeners: [],
    };
    expect(initialControllers(cluster, roleLayouts(cluster, combined), 'id', false)).toBe(
      `0@demo-kafka-0.demo-kafka.streaming.svc:9090:${initialDirectoryId('id', 0)}`,
    );
    expect(initialControllers(cluster, roleLayouts(cluster, combined), 'id', true)).toBe('');
  });

  it('makes a cluster id from 16 bytes', () => {
    expect(clusterIdFromBytes(new Uint8Array(16).fill(255))).toBe('_____________________w');
    expect(() => clusterIdFromBytes(new Uint8Array(8))).toThrow();
  });
});

describe('clusterIdFromBytes', () => {
  it('never starts an id with "-", which kafka-storage.sh would read as an option', () => {
    const leading = new Set<string>();
    for (let first = 0; first < 256; first++) {
      const bytes = new Uint8Array(16).fill(7);
      bytes[0] = first;
      const id = clusterIdFromBytes(bytes);
      expect(id).toHaveLength(22);
      leading.add(id[0]!);
    }
    expect(leading.has('-')).toBe(false);
    // Seen on the demo: these bytes made '-JbI27hMd97DyNEgKFCv8A' before.
    const seen = Buffer.from('-JbI27hMd97DyNEgKFCv8A', 'base64url');
    expect(clusterIdFromBytes(seen)).toBe('eJbI27hMd97DyNEgKFCv8A');
  });
});
