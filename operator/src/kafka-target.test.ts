import { describe, expect, it } from 'vitest';
import type { KafkaCluster } from './api/kafka-cluster.ts';
import { kafkaIdentity, resolveKafkaTarget } from './kafka-target.ts';

function cluster(status: KafkaCluster['status']): KafkaCluster {
  return {
    apiVersion: 'kraftwerk.dev/v1alpha1',
    kind: 'KafkaCluster',
    metadata: { name: 'demo', namespace: 'ns' },
    spec: { listeners: [{ name: 'plain', port: 9092, type: 'internal' }] },
    status,
  } as unknown as KafkaCluster;
}

const readyStatus = {
  clusterId: 'Q1w2E3r4T5y6U7i8O9p0aA',
  conditions: [{ type: 'Ready', status: 'True' }],
  listeners: [{ name: 'plain', bootstrapServers: 'demo-kafka-bootstrap.ns.svc:9092' }],
} as unknown as KafkaCluster['status'];

describe('kafkaIdentity', () => {
  it('names a cluster by its id, however the resource spells its address', () => {
    const byName = resolveKafkaTarget({ cluster: 'demo' }, 'ns', cluster(readyStatus));
    const byAddress = resolveKafkaTarget(
      { bootstrapServers: 'demo-kafka-bootstrap.ns.svc:9092' },
      'ns',
      undefined,
    );
    expect(kafkaIdentity(byName)).toBe('kafka:Q1w2E3r4T5y6U7i8O9p0aA');
    // The address's id comes from Kafka's own Metadata answer.
    expect(kafkaIdentity(byAddress, 'Q1w2E3r4T5y6U7i8O9p0aA')).toBe(kafkaIdentity(byName));
    expect(kafkaIdentity(byAddress, 'another-cluster-id')).not.toBe(kafkaIdentity(byName));
  });

  it('falls back to the spelling when no id is known', () => {
    const byAddress = resolveKafkaTarget({ bootstrapServers: 'k:9092' }, 'ns', undefined);
    expect(kafkaIdentity(byAddress, null)).toBe('bootstrap:k:9092');
    const missing = resolveKafkaTarget({ cluster: 'gone' }, 'ns', undefined);
    expect(missing.ready).toBe(false);
    expect(kafkaIdentity(missing)).toBe('cluster:ns/gone');
  });

  it('knows a not-Ready cluster by its id too (a roll does not hand its topics to others)', () => {
    const rolling = resolveKafkaTarget(
      { cluster: 'demo' },
      'ns',
      cluster({ ...readyStatus, conditions: [] } as unknown as KafkaCluster['status']),
    );
    expect(rolling.ready).toBe(false);
    expect(kafkaIdentity(rolling)).toBe('kafka:Q1w2E3r4T5y6U7i8O9p0aA');
  });
});

describe('resolveKafkaTarget for a secured KafkaCluster', () => {
  const secured = (status: KafkaCluster['status']) => {
    const c = cluster(status);
    c.spec.listeners = [{ name: 'plain', port: 9092, type: 'internal', tls: true }];
    return c;
  };

  it('goes to the REPLICATION listener of its bootstrap Service, with the cluster to secure it', () => {
    const c = secured(readyStatus);
    const t = resolveKafkaTarget({ cluster: 'demo' }, 'ns', c);
    expect(t).toMatchObject({ ready: true, bootstrap: 'demo-kafka-bootstrap.ns.svc:9091' });
    expect(t.ready && t.secured).toBe(c);
    // Tests outside the cluster network point it elsewhere.
    const elsewhere = resolveKafkaTarget({ cluster: 'demo' }, 'ns', c, () => '127.0.0.1:1');
    expect(elsewhere).toMatchObject({ ready: true, bootstrap: '127.0.0.1:1' });
  });

  it('a plaintext cluster keeps its internal listener and needs no credentials', () => {
    const t = resolveKafkaTarget({ cluster: 'demo' }, 'ns', cluster(readyStatus));
    expect(t).toMatchObject({ ready: true, bootstrap: 'demo-kafka-bootstrap.ns.svc:9092' });
    expect(t.ready && t.secured).toBeUndefined();
  });

  it('a cluster waiting for the operator certificate makes its topics wait as KafkaClusterSecuring', () => {
    const waiting = {
      ...readyStatus,
      conditions: [{ type: 'Ready', status: 'False', reason: 'OperatorCertificatePending' }],
    } as unknown as KafkaCluster['status'];
    expect(resolveKafkaTarget({ cluster: 'demo' }, 'ns', secured(waiting))).toMatchObject({
      ready: false,
      reason: 'KafkaClusterSecuring',
    });
    const creating = {
      ...readyStatus,
      conditions: [{ type: 'Ready', status: 'False', reason: 'Creating' }],
    } as unknown as KafkaCluster['status'];
    expect(resolveKafkaTarget({ cluster: 'demo' }, 'ns', secured(creating))).toMatchObject({
      ready: false,
      reason: 'ClusterNotReady',
    });
  });
});

describe('resolveKafkaTarget for bootstrap servers with TLS or credentials', () => {
  it('carries spec.authentication and spec.tls for the reconciler to read their Secrets', () => {
    const t = resolveKafkaTarget(
      {
        bootstrapServers: 'k:9093',
        authentication: { type: 'scram-sha-256', secretRef: { name: 'alice' } },
        tls: { caSecretRef: { name: 'ca', key: 'ca.crt' } },
      },
      'ns',
      undefined,
    );
    expect(t).toEqual({
      ready: true,
      bootstrap: 'k:9093',
      key: 'bootstrap:k:9093',
      external: {
        authentication: { type: 'scram-sha-256', secretRef: { name: 'alice' } },
        tls: { caSecretRef: { name: 'ca', key: 'ca.crt' } },
      },
    });
  });

  it('neither: PLAINTEXT as before; tls: {} alone is TLS', () => {
    const plain = resolveKafkaTarget({ bootstrapServers: 'k:9092' }, 'ns', undefined);
    expect(plain.ready && plain.external).toBeUndefined();
    const tls = resolveKafkaTarget({ bootstrapServers: 'k:9093', tls: {} }, 'ns', undefined);
    expect(tls.ready && tls.external).toEqual({ tls: {} });
  });
});
