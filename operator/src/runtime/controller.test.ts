import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.ts';
import { TerminalError } from './errors.ts';
import {
  Controller,
  controllerOwnerKeys,
  exceptAddedFinalizer,
  specOrMetadataChanged,
} from './controller.ts';
import { Informer } from './informer.ts';
import { builtinResources } from './resource.ts';
import { flush, staticSource } from './test-support.ts';

describe('Controller', () => {
  it('reconciles primary keys, keys mapped from owned objects, and resyncs', async () => {
    const clock = new FakeClock();
    const primary = staticSource([
      { metadata: { namespace: 'n', name: 'demo', resourceVersion: '1' } },
    ]);
    const owned = staticSource([]);
    const topics = new Informer({
      source: primary.source,
      resource: builtinResources.ConfigMap,
      clock,
    });
    const pods = new Informer({
      source: owned.source,
      resource: builtinResources.ConfigMap,
      clock,
    });
    const seen: string[] = [];
    const c = new Controller({
      name: 'KafkaCluster',
      informer: topics,
      clock,
      resyncPeriodMs: 60_000,
      reconcile: async (key) => {
        seen.push(key);
      },
    }).watches(pods, controllerOwnerKeys('KafkaCluster'));
    topics.start();
    pods.start();
    await flush(5);
    c.start();
    await flush(5);
    expect(seen).toEqual(['n/demo']);
    owned.push('ADDED', {
      metadata: {
        namespace: 'n',
        name: 'demo-broker-0',
        resourceVersion: '2',
        ownerReferences: [
          { apiVersion: 'x', kind: 'KafkaCluster', name: 'demo', uid: 'u', controller: true },
        ],
      },
    });
    owned.push('ADDED', { metadata: { namespace: 'n', name: 'unowned', resourceVersion: '3' } });
    await flush(5);
    expect(seen).toEqual(['n/demo', 'n/demo']);
    clock.advance(60_000);
    await flush(5);
    expect(seen.length).toBe(3);
    expect(await c.stop(1000)).toEqual({ drained: true });
    primary.push('MODIFIED', { metadata: { namespace: 'n', name: 'demo', resourceVersion: '9' } });
    await flush(5);
    expect(seen.length).toBe(3);
    await topics.stop();
    await pods.stop();
  });
});

describe('Controller.watches with a change filter', () => {
  it('maps adds and the updates the filter passes, not the others (e.g. node heartbeats)', async () => {
    const clock = new FakeClock();
    const primary = staticSource([
      { metadata: { namespace: 'n', name: 'demo', resourceVersion: '1' } },
    ]);
    const other = staticSource([]);
    const clusters = new Informer({
      source: primary.source,
      resource: builtinResources.ConfigMap,
      clock,
    });
    const nodes = new Informer({
      source: other.source,
      resource: builtinResources.ConfigMap,
      clock,
    });
    const seen: string[] = [];
    const c = new Controller({
      name: 'KafkaCluster',
      informer: clusters,
      clock,
      reconcile: async (key) => {
        seen.push(key);
      },
    }).watches(
      nodes,
      () => ['n/demo'],
      (old, obj) => old.metadata?.labels?.['zone'] !== obj.metadata?.labels?.['zone'],
    );
    clusters.start();
    nodes.start();
    await flush(5);
    c.start();
    await flush(5);
    expect(seen).toEqual(['n/demo']);
    const node = (rv: string, zone: string) => ({
      metadata: { name: 'node-1', resourceVersion: rv, labels: { zone } },
    });
    other.push('ADDED', node('2', 'a'));
    await flush(5);
    expect(seen).toHaveLength(2);
    other.push('MODIFIED', node('3', 'a'));
    await flush(5);
    expect(seen).toHaveLength(2);
    other.push('MODIFIED', node('4', 'b'));
    await flush(5);
    expect(seen).toHaveLength(3);
    expect(await c.stop(1000)).toEqual({ drained: true });
    await clusters.stop();
    await nodes.stop();
  });
});

describe('specOrMetadataChanged', () => {
  const base = { metadata: { name: 'a', generation: 1, labels: { x: '1' } } };
  it('ignores status-only updates (same generation and metadata)', () => {
    expect(specOrMetadataChanged(base, { ...base, metadata: { ...base.metadata } })).toBe(false);
  });
  it('sees spec, deletion, finalizer, label and annotation changes', () => {
    const m = base.metadata;
    expect(specOrMetadataChanged(base, { metadata: { ...m, generation: 2 } })).toBe(true);
    expect(specOrMetadataChanged(base, { metadata: { ...m, deletionTimestamp: 'now' } })).toBe(
      true,
    );
    expect(specOrMetadataChanged(base, { metadata: { ...m, finalizers: ['f'] } })).toBe(true);
    expect(specOrMetadataChanged(base, { metadata: { ...m, labels: { x: '2' } } })).toBe(true);
    expect(specOrMetadataChanged(base, { metadata: { ...m, annotations: { a: 'b' } } })).toBe(true);
  });
});

describe('exceptAddedFinalizer', () => {
  const changed = exceptAddedFinalizer('ours.dev/f', specOrMetadataChanged);
  const m = { name: 'a', generation: 1, finalizers: ['other.dev/g'] };
  it('ignores the update that only adds the finalizer', () => {
    expect(
      changed({ metadata: m }, { metadata: { ...m, finalizers: ['other.dev/g', 'ours.dev/f'] } }),
    ).toBe(false);
    expect(
      changed({ metadata: { name: 'a' } }, { metadata: { name: 'a', finalizers: ['ours.dev/f'] } }),
    ).toBe(false);
  });
  it('sees anything else that came with it, and losing the finalizer', () => {
    const added = { ...m, finalizers: ['other.dev/g', 'ours.dev/f'] };
    expect(changed({ metadata: m }, { metadata: { ...added, generation: 2 } })).toBe(true);
    expect(changed({ metadata: m }, { metadata: { ...added, deletionTimestamp: 'now' } })).toBe(
      true,
    );
    expect(changed({ metadata: m }, { metadata: { ...m, finalizers: ['ours.dev/f'] } })).toBe(true);
    expect(changed({ metadata: added }, { metadata: m })).toBe(true);
    expect(changed({ metadata: m }, { metadata: { ...m } })).toBe(false);
  });

  it('parks a key after a TerminalError: resync skips it until the object changes', async () => {
    const clock = new FakeClock();
    const primary = staticSource([
      { metadata: { namespace: 'n', name: 'bad', resourceVersion: '1', generation: 1 } },
    ]);
    const informer = new Informer({
      source: primary.source,
      resource: builtinResources.ConfigMap,
      clock,
    });
    const seen: string[] = [];
    const c = new Controller({
      name: 'test',
      informer,
      clock,
      resyncPeriodMs: 10_000,
      enqueueUpdate: specOrMetadataChanged,
      reconcile: async (key) => {
        seen.push(key);
        if (informer.get(key)?.metadata?.generation === 1) throw new TerminalError('no');
      },
    });
    informer.start();
    await flush(5);
    c.start();
    await flush(5);
    clock.advance(10_000);
    await flush(5);
    clock.advance(10_000);
    await flush(5);
    expect(seen).toEqual(['n/bad']);
    // A status write (same generation) changes nothing for it.
    primary.push('MODIFIED', {
      metadata: { namespace: 'n', name: 'bad', resourceVersion: '2', generation: 1 },
    });
    clock.advance(10_000);
    await flush(5);
    expect(seen).toEqual(['n/bad']);
    primary.push('MODIFIED', {
      metadata: { namespace: 'n', name: 'bad', resourceVersion: '3', generation: 2 },
    });
    await flush(5);
    expect(seen).toEqual(['n/bad', 'n/bad']);
    // Fixed: resync reconciles it again as usual.
    clock.advance(10_000);
    await flush(5);
    expect(seen).toEqual(['n/bad', 'n/bad', 'n/bad']);
    await c.stop(1000);
  });
});
