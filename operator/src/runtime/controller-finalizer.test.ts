// The controller's opt-in finalizer hook and owns(). The finalizer writes go to a local HTTP
// server that records them (the JSON Patch and apply bodies are what is checked; a real API
// server runs them in test/integration/runtime-finalizers.test.ts and the topic tests).
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from './clock.ts';
import { Controller, type FinalizeResult } from './controller.ts';
import { ABANDON_ANNOTATION } from './finalizers.ts';
import { Informer } from './informer.ts';
import { KubeClient } from './kube-client.ts';
import type { KubeObject } from './resource.ts';
import { builtinResources } from './resource.ts';
import { flush, staticSource } from './test-support.ts';

const F = 'ours.dev/f';

const cm = (name: string, metadata: KubeObject['metadata'] = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { namespace: 'n', name, uid: `uid-${name}`, resourceVersion: '1', ...metadata },
});

let server: Server;
let client: KubeClient;
const writes: { method: string; url: string; body: unknown }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      writes.push({ method: req.method!, url: req.url!, body: JSON.parse(body || 'null') });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  client = new KubeClient({
    server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: async () => ({}),
    source: 'test',
  });
});

afterAll(() => {
  client.close();
  return new Promise<void>((r) => server.close(() => r()));
});

beforeEach(() => {
  writes.length = 0;
});

async function run(
  items: KubeObject[],
  hook: {
    finalize: (obj: KubeObject) => Promise<FinalizeResult<KubeObject>>;
    needed?: (obj: KubeObject) => boolean;
  },
) {
  const clock = new FakeClock();
  const informer = new Informer({
    source: staticSource(items).source,
    resource: builtinResources.ConfigMap,
    clock,
  });
  const reconciled: string[] = [];
  const c = new Controller({
    name: 'test',
    informer,
    client,
    clock,
    reconcile: {
      reconcile: async (key) => {
        reconciled.push(key);
      },
      finalizer: { name: F, ...hook },
    },
  });
  informer.start();
  await flush(10);
  c.start();
  await flush(10);
  return {
    clock,
    reconciled,
    stop: async () => {
      await c.stop(1000);
      await informer.stop();
    },
  };
}

describe('Controller finalizer hook', () => {
  it('adds the finalizer before reconciling a live object, unless not needed yet', async () => {
    const finalized: string[] = [];
    const r = await run([cm('a'), cm('b', { labels: { wait: 'yes' } })], {
      finalize: async (o) => {
        finalized.push(o.metadata!.name!);
        return { done: true };
      },
      needed: (o) => o.metadata?.labels?.wait !== 'yes',
    });
    expect(r.reconciled.sort()).toEqual(['n/a', 'n/b']);
    expect(finalized).toEqual([]);
    expect(writes).toEqual([
      {
        method: 'PATCH',
        url: `/api/v1/namespaces/n/configmaps/a?fieldManager=${encodeURIComponent(`kraftwerk-finalizer/${F}`)}&force=true`,
        body: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'a', namespace: 'n', uid: 'uid-a', finalizers: [F] },
        },
      },
    ]);
    await r.stop();
  });

  it('finalizes a deleting object instead of reconciling it, and removes the finalizer once done', async () => {
    const answers: FinalizeResult<KubeObject>[] = [
      { done: false, requeueAfterMs: 5_000 },
      { done: true },
    ];
    let calls = 0;
    const r = await run(
      [cm('gone', { deletionTimestamp: 'now', finalizers: ['other.dev/g', F] })],
      {
        finalize: async () => answers[calls++]!,
      },
    );
    expect(calls).toBe(1);
    expect(writes).toEqual([]);
    r.clock.advance(5_000);
    await flush(10);
    expect(calls).toBe(2);
    expect(r.reconciled).toEqual([]);
    expect(writes).toEqual([
      {
        method: 'PATCH',
        url: '/api/v1/namespaces/n/configmaps/gone',
        body: [
          { op: 'test', path: '/metadata/finalizers/1', value: F },
          { op: 'remove', path: '/metadata/finalizers/1' },
        ],
      },
    ]);
    await r.stop();
  });

  it('leaves a deleting object without the finalizer alone', async () => {
    let calls = 0;
    const r = await run([cm('other', { deletionTimestamp: 'now', finalizers: ['other.dev/g'] })], {
      finalize: async () => {
        calls++;
        return { done: true };
      },
    });
    expect(calls).toBe(0);
    expect(r.reconciled).toEqual([]);
    expect(writes).toEqual([]);
    await r.stop();
  });

  it('releases the finalizer without finalizing under the abandon annotation', async () => {
    let calls = 0;
    const r = await run(
      [
        cm('abandoned', {
          deletionTimestamp: 'now',
          finalizers: [F],
          annotations: { [ABANDON_ANNOTATION]: 'true' },
        }),
      ],
      {
        finalize: async () => {
          calls++;
          return { done: false };
        },
      },
    );
    expect(calls).toBe(0);
    expect(writes.map((w) => [w.method, w.body])).toEqual([
      [
        'PATCH',
        [
          { op: 'test', path: '/metadata/finalizers/0', value: F },
          { op: 'remove', path: '/metadata/finalizers/0' },
        ],
      ],
    ]);
    await r.stop();
  });
});

describe('Controller.owns', () => {
  it('reconciles the controller owner (of the primary kind) of an owned object', async () => {
    const clock = new FakeClock();
    const primary = new Informer({
      source: staticSource([cm('demo')]).source,
      resource: builtinResources.ConfigMap,
      clock,
    });
    const owned = staticSource([]);
    const dependents = new Informer({
      source: owned.source,
      resource: builtinResources.Lease,
      clock,
    });
    const seen: string[] = [];
    const c = new Controller({
      name: 'test',
      informer: primary,
      clock,
      reconcile: async (key) => {
        seen.push(key);
      },
    }).owns(dependents);
    primary.start();
    dependents.start();
    await flush(10);
    c.start();
    await flush(10);
    const ref = (kind: string, controller: boolean) => ({
      apiVersion: 'v1',
      kind,
      name: 'demo',
      uid: 'uid-demo',
      controller,
    });
    owned.push('ADDED', {
      metadata: { namespace: 'n', name: 'mine', ownerReferences: [ref('ConfigMap', true)] },
    });
    owned.push('ADDED', {
      metadata: {
        namespace: 'n',
        name: 'not-controller',
        ownerReferences: [ref('ConfigMap', false)],
      },
    });
    owned.push('ADDED', {
      metadata: { namespace: 'n', name: 'other-kind', ownerReferences: [ref('Secret', true)] },
    });
    await flush(10);
    expect(seen).toEqual(['n/demo', 'n/demo']);
    await c.stop(1000);
    await primary.stop();
    await dependents.stop();
  });
});
