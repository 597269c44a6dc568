// The credential source against a Secret store held in memory (the unit tier has no API
// server; test/integration/operator-identity.test.ts reads real Secrets).
import { describe, expect, it } from 'vitest';
import type { KafkaCluster } from './api/kafka-cluster.ts';
import { OperatorCredentialSource, type OperatorCredentials } from './kafka-credentials.ts';
import { securityDigest } from './kafka/security.ts';
import { FakeClock } from './runtime/clock.ts';
import { KubeApiError } from './runtime/kube-client.ts';
import type { KubeObject } from './runtime/resource.ts';

const KEY = '-----BEGIN PRIVATE KEY-----\nTOPSECRET\n-----END PRIVATE KEY-----\n';

function cluster(secured: boolean, uid = 'uid-1'): KafkaCluster {
  return {
    apiVersion: 'kraftwerk.dev/v1alpha1',
    kind: 'KafkaCluster',
    metadata: { name: 'demo', namespace: 'ns', uid },
    spec: {
      listeners: [
        { name: 'internal', port: 9092, type: 'internal', ...(secured ? { tls: true } : {}) },
      ],
    } as KafkaCluster['spec'],
  };
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

function secret(cert: string, rv: string, owner = 'uid-1', data?: Record<string, string>) {
  return {
    metadata: {
      name: 'demo-operator-certs',
      namespace: 'ns',
      resourceVersion: rv,
      ownerReferences: [
        {
          apiVersion: 'kraftwerk.dev/v1alpha1',
          kind: 'KafkaCluster',
          name: 'demo',
          uid: owner,
          controller: true,
        },
      ],
    },
    data: data ?? { 'tls.crt': b64(cert), 'tls.key': b64(KEY), 'ca.crt': b64('CA') },
  };
}

function setup(ttlMs = 30_000) {
  const store: { secret?: KubeObject; fail?: Error } = {};
  const gets: string[] = [];
  const clock = new FakeClock(0);
  const client = {
    get: async <T extends KubeObject>(_r: unknown, ns: string | undefined, name: string) => {
      gets.push(`${ns}/${name}`);
      await Promise.resolve();
      if (store.fail) throw store.fail;
      return store.secret as T | undefined;
    },
  };
  const source = new OperatorCredentialSource({ client, clock, ttlMs });
  return { store, gets, clock, source };
}

const ready = (c: OperatorCredentials) => {
  if (c.state !== 'ready') throw new Error(`not ready: ${JSON.stringify(c)}`);
  return c;
};

describe('OperatorCredentialSource', () => {
  it('a plaintext cluster needs no Secret', async () => {
    const { source, gets } = setup();
    expect(await source.forCluster(cluster(false))).toEqual({ state: 'plaintext' });
    expect(gets).toEqual([]);
  });

  it('reads tls.crt, tls.key and ca.crt into TLS settings, by name', async () => {
    const { source, store, gets } = setup();
    store.secret = secret('CERT-1', '1');
    const c = ready(await source.forCluster(cluster(true)));
    expect(gets).toEqual(['ns/demo-operator-certs']);
    expect(c.security).toEqual({ tls: { ca: 'CA', cert: 'CERT-1', key: KEY } });
    expect(c.digest).toBe(securityDigest(c.security));
    expect(c.digest).toMatch(/^[0-9a-f]{16}$/);
  });

  it('an absent Secret is pending, not an error, names the Secret and is asked again', async () => {
    const { source, store, gets } = setup();
    const c = await source.forCluster(cluster(true));
    expect(c).toEqual({
      state: 'pending',
      reason: 'OperatorCertificatePending',
      message:
        "the operator's client certificate for KafkaCluster ns/demo (Secret demo-operator-certs) does not exist yet",
    });
    store.secret = secret('CERT-1', '1');
    expect((await source.forCluster(cluster(true))).state).toBe('ready');
    expect(gets).toHaveLength(2);
  });

  it('an incomplete Secret is pending and its message names only the missing keys', async () => {
    const { source, store } = setup();
    store.secret = secret('CERT-1', '1', 'uid-1', { 'tls.key': b64(KEY), 'ca.crt': b64('CA') });
    const c = await source.forCluster(cluster(true));
    expect(c).toMatchObject({
      state: 'pending',
      message: expect.stringContaining('has no tls.crt yet'),
    });
    expect(JSON.stringify(c)).not.toContain('TOPSECRET');
  });

  it('a Secret not controlled by this cluster is not used', async () => {
    const { source, store } = setup();
    store.secret = secret('CERT-1', '1', 'uid-of-an-earlier-cluster');
    expect(await source.forCluster(cluster(true))).toMatchObject({
      state: 'pending',
      message: expect.stringContaining('is not controlled by this KafkaCluster'),
    });
  });

  it('forbidden is pending with the reason; other API errors are thrown', async () => {
    const { source, store } = setup();
    store.fail = new KubeApiError('GET', '/api/v1/namespaces/ns/secrets/x', 403, undefined);
    expect(await source.forCluster(cluster(true))).toMatchObject({
      state: 'pending',
      message: expect.stringContaining('not allowed to get Secrets'),
    });
    store.fail = new KubeApiError('GET', '/api/v1/namespaces/ns/secrets/x', 500, undefined);
    await expect(source.forCluster(cluster(true))).rejects.toThrow(/500/);
  });

  it('keeps the answer for the TTL, then sees a renewed certificate with a new digest', async () => {
    const { source, store, gets, clock } = setup(30_000);
    store.secret = secret('CERT-1', '1');
    const first = ready(await source.forCluster(cluster(true)));
    store.secret = secret('CERT-2', '2');
    clock.advance(29_999);
    expect(await source.forCluster(cluster(true))).toBe(first);
    expect(gets).toHaveLength(1);
    clock.advance(1);
    const renewed = ready(await source.forCluster(cluster(true)));
    expect(renewed.security.tls?.cert).toBe('CERT-2');
    expect(renewed.digest).not.toBe(first.digest);
    expect(gets).toHaveLength(2);
  });

  it('an unchanged Secret (same resourceVersion) keeps the very same credentials', async () => {
    const { source, store, clock } = setup(1_000);
    store.secret = secret('CERT-1', '7');
    const first = await source.forCluster(cluster(true));
    clock.advance(5_000);
    expect(await source.forCluster(cluster(true))).toBe(first);
  });

  it('a Secret that disappears is pending at the next read', async () => {
    const { source, store, clock } = setup(1_000);
    store.secret = secret('CERT-1', '1');
    ready(await source.forCluster(cluster(true)));
    delete store.secret;
    clock.advance(1_000);
    expect((await source.forCluster(cluster(true))).state).toBe('pending');
  });

  it('concurrent asks share one GET', async () => {
    const { source, store, gets } = setup();
    store.secret = secret('CERT-1', '1');
    const all = await Promise.all(
      Array.from({ length: 50 }, () => source.forCluster(cluster(true))),
    );
    expect(new Set(all.map((c) => ready(c).digest)).size).toBe(1);
    expect(gets).toHaveLength(1);
  });

  it('a recreated cluster (new uid) does not reuse what was read for the old one', async () => {
    const { source, store, gets } = setup();
    store.secret = secret('CERT-1', '1');
    ready(await source.forCluster(cluster(true)));
    expect((await source.forCluster(cluster(true, 'uid-2'))).state).toBe('pending');
    expect(gets).toHaveLength(2);
  });
});

describe('securityDigest', () => {
  it('is empty for PLAINTEXT and changes with any part of the settings', () => {
    expect(securityDigest(undefined)).toBe('');
    expect(securityDigest({})).toBe('');
    const base = { tls: { ca: 'CA', cert: 'C', key: 'K' } };
    const d = securityDigest(base);
    expect(securityDigest({ tls: { ca: 'CA', cert: 'C', key: 'K' } })).toBe(d);
    expect(securityDigest({ tls: { ca: Buffer.from('CA'), cert: 'C', key: 'K' } })).not.toBe(d);
    for (const other of [
      { tls: { ...base.tls, cert: 'C2' } },
      { tls: { ...base.tls, key: 'K2' } },
      { tls: { ...base.tls, ca: ['CA', 'OLD'] } },
      { tls: { ...base.tls, servername: 'x' } },
      { tls: { ...base.tls, rejectUnauthorized: false } },
      { ...base, sasl: { mechanism: 'SCRAM-SHA-512' as const, username: 'u', password: 'p' } },
    ]) {
      expect(securityDigest(other)).not.toBe(d);
    }
    expect(d).not.toContain('K');
  });
});
