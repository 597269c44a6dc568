import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  APPLIED_HASH_ANNOTATION,
  alreadyApplied,
  AppliedOver,
  applyBody,
  applyStatusIfChanged,
  controllerReference,
  sameJson,
  withAppliedHash,
} from './apply.ts';
import { EventRateLimiter, EventSeriesCache, eventFingerprint } from './event-series.ts';
import { microTime } from './micro-time.ts';
import { KubeClient } from './kube-client.ts';
import type { KubeObject, ResourceInfo } from './resource.ts';

describe('alreadyApplied', () => {
  type Service = KubeObject & { spec?: Record<string, unknown> };
  const desired = withAppliedHash<Service>({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's', namespace: 'n', labels: { a: '1' } },
    spec: { ports: [{ name: 'p', port: 9091, targetPort: 'p' }], selector: { a: '1' } },
  });
  // As the API server keeps it: defaults added, other managers' labels, server metadata.
  const live = {
    ...desired,
    metadata: {
      ...desired.metadata,
      uid: 'u',
      resourceVersion: '7',
      labels: { a: '1', 'team.example/owner': 'x' },
    },
    spec: {
      ports: [{ name: 'p', port: 9091, targetPort: 'p', protocol: 'TCP' }],
      selector: { a: '1' },
      clusterIP: '10.0.0.1',
      type: 'ClusterIP',
    },
  };

  it('is true when every field we set is there with our digest, whatever else was added', () => {
    expect(desired.metadata?.annotations?.[APPLIED_HASH_ANNOTATION]).toMatch(/^[0-9a-f]{16}$/);
    expect(withAppliedHash(desired)).toEqual(desired);
    expect(alreadyApplied(desired, live)).toBe(true);
  });

  it('is false for a missing object, drift in our fields, or a field we stopped setting', () => {
    expect(alreadyApplied(desired, undefined)).toBe(false);
    const drifted: Service = { ...live, spec: { ...live.spec, selector: { a: '2' } } };
    expect(alreadyApplied(desired, drifted)).toBe(false);
    const extraPort = { ...live.spec.ports[0]!, name: 'q', port: 1 };
    expect(
      alreadyApplied(desired, {
        ...live,
        spec: { ...live.spec, ports: [...live.spec.ports, extraPort] },
      } as Service),
    ).toBe(false);
    // The label b is no longer rendered: the live object still matches field by field, but the
    // digest differs, and only an apply removes b.
    const previous = withAppliedHash({
      ...desired,
      metadata: { ...desired.metadata, labels: { a: '1', b: '2' } },
    });
    const liveWithB = { ...live, metadata: { ...previous.metadata, labels: { a: '1', b: '2' } } };
    expect(alreadyApplied(desired, liveWithB)).toBe(false);
    // Without our digest (applied by an older operator): applied once more.
    const unhashed = { ...live, metadata: { ...live.metadata, annotations: {} } };
    expect(alreadyApplied(desired, unhashed)).toBe(false);
  });
});

describe('AppliedOver', () => {
  const cm = (data: Record<string, string>): KubeObject =>
    withAppliedHash({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'n' },
      data,
    } as KubeObject);
  const cached = (rv: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c', namespace: 'n', resourceVersion: rv },
  });

  it('skips only the same apply over the same cached copy', () => {
    const memo = new AppliedOver();
    const desired = cm({ a: '1' });
    expect(memo.answered(desired, cached('10'))).toBe(false);
    memo.record(desired, cached('10'));
    // The cache has not caught up with our write: still copy 10.
    expect(memo.answered(desired, cached('10'))).toBe(true);
    // Another desired state over the same copy is a new apply.
    expect(memo.answered(cm({ a: '2' }), cached('10'))).toBe(false);
  });

  it('judges any newer copy afresh, and forgets the old one', () => {
    const memo = new AppliedOver();
    const desired = cm({ a: '1' });
    memo.record(desired, cached('10'));
    expect(memo.answered(desired, cached('11'))).toBe(false);
    // Copy 10 again (a relist from a lagging cache) is not skipped: the memory moved on.
    expect(memo.answered(desired, cached('10'))).toBe(false);
  });

  it("forgets an owner's entries, and only those", () => {
    const memo = new AppliedOver();
    const other = { ...cm({ a: '1' }), metadata: { name: 'd', namespace: 'n' } } as KubeObject;
    memo.record(cm({ a: '1' }), cached('10'), 'n/one');
    memo.record(
      withAppliedHash(other),
      { ...cached('12'), metadata: { name: 'd', namespace: 'n', resourceVersion: '12' } },
      'n/two',
    );
    expect(memo.size).toBe(2);
    memo.forget('n/one');
    expect(memo.size).toBe(1);
    expect(memo.answered(cm({ a: '1' }), cached('10'))).toBe(false);
  });

  it('remembers nothing without a cached copy (a create)', () => {
    const memo = new AppliedOver();
    const desired = cm({ a: '1' });
    memo.record(desired, undefined);
    expect(memo.answered(desired, undefined)).toBe(false);
  });
});

describe('applyBody', () => {
  it('drops server-populated metadata and keeps what we declare', () => {
    const body = applyBody({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'a',
        namespace: 'n',
        labels: { x: 'y' },
        uid: 'u',
        resourceVersion: '5',
        generation: 2,
        creationTimestamp: 't',
        managedFields: [],
      } as never,
      data: { k: 'v' },
    });
    expect(body).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', namespace: 'n', labels: { x: 'y' } },
      data: { k: 'v' },
    });
    expect(
      applyBody(
        { apiVersion: 'v1', kind: 'X', metadata: { name: 'a', resourceVersion: '5' } },
        true,
      ).metadata?.resourceVersion,
    ).toBe('5');
    expect(() => applyBody({ kind: 'X', metadata: { name: 'a' } })).toThrow();
  });

  it('builds controller owner references', () => {
    expect(
      controllerReference({
        apiVersion: 'kraftwerk.dev/v1alpha1',
        kind: 'KafkaCluster',
        metadata: { name: 'demo', uid: 'u1' },
      }),
    ).toEqual({
      apiVersion: 'kraftwerk.dev/v1alpha1',
      kind: 'KafkaCluster',
      name: 'demo',
      uid: 'u1',
      controller: true,
      blockOwnerDeletion: true,
    });
  });
});

describe('sameJson', () => {
  it('compares as JSON: key order and undefined members do not count, array order does', () => {
    const stored = {
      conditions: [{ status: 'True', type: 'Ready' }],
      observedGeneration: 1,
      topicId: 'x',
    };
    const built = {
      topicId: 'x',
      observedGeneration: 1,
      conditions: [{ type: 'Ready', status: 'True' }],
      partitions: undefined,
    };
    expect(sameJson(stored, built)).toBe(true);
    expect(sameJson(stored, { ...built, topicId: 'y' })).toBe(false);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
  });
});

describe('applyStatusIfChanged', () => {
  it('applies a status that differs in value, and sends nothing for one that differs only in key order', async () => {
    const seen: { method?: string; url?: string; body: unknown }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, body: JSON.parse(body || 'null') });
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(body || '{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const client = new KubeClient({
      server: `http://127.0.0.1:${port}`,
      credentials: async () => ({}),
      source: 'test',
    });
    const resource: ResourceInfo = {
      group: 'kraftwerk.dev',
      version: 'v1alpha1',
      kind: 'KafkaTopic',
      plural: 'kafkatopics',
      namespaced: true,
    };
    // As the API server hands it back: keys sorted.
    const cached = {
      apiVersion: 'kraftwerk.dev/v1alpha1',
      kind: 'KafkaTopic',
      metadata: { name: 't', namespace: 'n' },
      status: { observedGeneration: 2, partitions: 3 },
    };
    try {
      expect(
        await applyStatusIfChanged(
          client,
          cached,
          { partitions: 3, observedGeneration: 2 },
          {
            resource,
          },
        ),
      ).toBe(false);
      expect(seen).toEqual([]);
      expect(
        await applyStatusIfChanged(
          client,
          cached,
          { partitions: 4, observedGeneration: 2 },
          {
            resource,
          },
        ),
      ).toBe(true);
      expect(seen).toEqual([
        {
          method: 'PATCH',
          url: '/apis/kraftwerk.dev/v1alpha1/namespaces/n/kafkatopics/t/status?fieldManager=kraftwerk&force=true',
          body: {
            apiVersion: 'kraftwerk.dev/v1alpha1',
            kind: 'KafkaTopic',
            metadata: { name: 't', namespace: 'n' },
            status: { partitions: 4, observedGeneration: 2 },
          },
        },
      ]);
    } finally {
      client.close();
      server.close();
    }
  });
});

describe('microTime', () => {
  it('has six fractional digits', () => {
    expect(microTime(Date.UTC(2026, 0, 1, 0, 0, 0, 123))).toBe('2026-01-01T00:00:00.123000Z');
  });
});

describe('EventSeriesCache', () => {
  const obj = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'n', uid: 'u' } };
  const e = { type: 'Normal' as const, reason: 'R', action: 'A', note: 'n' };

  it('turns repeats within the window into a series and starts over after it', () => {
    const c = new EventSeriesCache(1000);
    const key = eventFingerprint(obj, e);
    expect(c.decide(key, 0)).toEqual({ kind: 'create' });
    c.remember(key, { name: 'ev', namespace: 'n', count: 1, lastObservedMs: 0 });
    expect(c.decide(key, 500)).toMatchObject({ kind: 'increment', count: 2 });
    expect(c.decide(key, 1001)).toEqual({ kind: 'create' });
    expect(eventFingerprint(obj, { ...e, note: 'other' })).not.toBe(key);
  });

  it('is bounded, evicting the least recently used', () => {
    const c = new EventSeriesCache(1000, 2);
    c.remember('a', { name: 'a', namespace: 'n', count: 1, lastObservedMs: 0 });
    c.remember('b', { name: 'b', namespace: 'n', count: 1, lastObservedMs: 0 });
    c.remember('a', { name: 'a', namespace: 'n', count: 2, lastObservedMs: 1 });
    c.remember('c', { name: 'c', namespace: 'n', count: 1, lastObservedMs: 1 });
    expect(c.size).toBe(2);
    expect(c.decide('b', 2)).toEqual({ kind: 'create' });
    expect(c.decide('a', 2).kind).toBe('increment');
  });
});

describe('EventRateLimiter', () => {
  it('allows a burst per object, then one per refill period', () => {
    const l = new EventRateLimiter(3, 1000);
    expect([1, 2, 3, 4].map(() => l.allow('a', 0))).toEqual([true, true, true, false]);
    expect(l.allow('b', 0)).toBe(true); // other objects have their own bucket
    expect(l.allow('a', 999)).toBe(false);
    expect(l.allow('a', 1000)).toBe(true);
    expect(l.allow('a', 1000)).toBe(false);
  });
});
