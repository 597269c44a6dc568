import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.ts';
import { Informer, stripManagedFields } from './informer.ts';
import type { ListWatchSource, Query } from './informer.ts';
import { createOperatorMetrics } from './operator-metrics.ts';
import type { KubeList, KubeObject } from './resource.ts';
import { builtinResources } from './resource.ts';
import { flush } from './test-support.ts';

const cm = (ns: string, name: string, rv: string, data = ''): KubeObject & { data: string } => ({
  metadata: { namespace: ns, name, resourceVersion: rv },
  data,
});

interface WatchCall {
  path: string;
  query: Query;
  onEvent: (type: string, obj: unknown) => void;
  onDone: (err: unknown) => void;
  aborted: boolean;
}

/** A scripted API server: list answers come from `lists`, watches are driven by the test. */
class FakeSource implements ListWatchSource {
  lists: ((path: string, query: Query) => KubeList | Error)[] = [];
  listCalls: { path: string; query: Query }[] = [];
  watches: WatchCall[] = [];
  async list(path: string, query: Query): Promise<KubeList> {
    this.listCalls.push({ path, query });
    const next = this.lists.shift();
    if (!next) throw new Error('no list scripted');
    const out = next(path, query);
    if (out instanceof Error) throw out;
    return out;
  }
  async watch(
    path: string,
    query: Query,
    onEvent: WatchCall['onEvent'],
    onDone: WatchCall['onDone'],
  ): Promise<{ abort(): void }> {
    const call: WatchCall = { path, query, onEvent, onDone, aborted: false };
    this.watches.push(call);
    return {
      abort: () => {
        if (call.aborted) return;
        call.aborted = true;
        onDone(Object.assign(new Error('aborted'), { name: 'AbortError' }));
      },
    };
  }
  get lastWatch(): WatchCall {
    return this.watches[this.watches.length - 1]!;
  }
}

const list = (rv: string, items: KubeObject[], cont?: string): KubeList => ({
  metadata: { resourceVersion: rv, ...(cont ? { continue: cont } : {}) },
  items,
});

function setup(opts: { namespaces?: string[] } = {}) {
  const clock = new FakeClock();
  const source = new FakeSource();
  const metrics = createOperatorMetrics();
  const informer = new Informer({
    source,
    clock,
    metrics,
    resource: builtinResources.ConfigMap,
    backoff: { baseMs: 1000, maxMs: 8000 },
    random: () => 0,
    ...(opts.namespaces ? { namespaces: opts.namespaces } : {}),
  });
  const seen: string[] = [];
  informer.on({
    add: (o) => seen.push(`add ${o.metadata?.name}@${o.metadata?.resourceVersion}`),
    update: (a, b) =>
      seen.push(
        `update ${b.metadata?.name}@${a.metadata?.resourceVersion}->${b.metadata?.resourceVersion}`,
      ),
    delete: (o) => seen.push(`delete ${o.metadata?.name}`),
  });
  return { clock, source, informer, seen, metrics };
}

describe('Informer', () => {
  it('lists, syncs, then applies watch events from the list resourceVersion with bookmarks on', async () => {
    const { source, informer, seen } = setup();
    source.lists.push(() => list('10', [cm('a', 'x', '5')]));
    informer.start();
    const synced = informer.waitForSync();
    await flush(5);
    await synced;
    expect(informer.hasSynced()).toBe(true);
    expect(source.listCalls[0]!.path).toBe('/api/v1/configmaps');
    const w = source.lastWatch;
    expect(w.query).toMatchObject({ resourceVersion: '10', allowWatchBookmarks: 'true' });
    w.onEvent('MODIFIED', cm('a', 'x', '11'));
    w.onEvent('ADDED', cm('a', 'y', '12'));
    w.onEvent('BOOKMARK', { metadata: { resourceVersion: '13' } });
    w.onEvent('DELETED', cm('a', 'x', '14'));
    expect(seen).toEqual(['add x@5', 'update x@5->11', 'add y@12', 'delete x']);
    expect(informer.keys()).toEqual(['a/y']);
    expect(informer.get('a/y')?.kind).toBe('ConfigMap');
    // The watch closes normally (server timeout): resume from the last bookmark, no relist.
    w.onDone(null);
    await flush(5);
    expect(source.watches.length).toBe(2);
    expect(source.lastWatch.query.resourceVersion).toBe('14');
    expect(source.listCalls.length).toBe(1);
    await informer.stop();
  });

  it('reconnects with growing backoff on errors and keeps its resourceVersion', async () => {
    const { clock, source, informer, metrics } = setup();
    source.lists.push(() => list('10', []));
    informer.start();
    await flush(5);
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    source.lastWatch.onDone(refused);
    await flush(5);
    expect(source.watches.length).toBe(1); // waiting 1000 ms
    clock.advance(999);
    await flush(5);
    expect(source.watches.length).toBe(1);
    clock.advance(1);
    await flush(5);
    expect(source.watches.length).toBe(2);
    source.lastWatch.onDone(refused);
    await flush(5);
    clock.advance(2000); // doubled
    await flush(5);
    expect(source.watches.length).toBe(3);
    expect(source.lastWatch.query.resourceVersion).toBe('10');
    // The server is back: the change made while we were away arrives on the resumed watch.
    source.lastWatch.onEvent('ADDED', cm('a', 'while-down', '11'));
    expect(informer.get('a/while-down')).toBeDefined();
    expect(informer.stats.errors).toBe(2);
    expect(metrics.watchRestarts.get({ resource: 'configmaps', reason: 'error' })).toBe(2);
    // A productive watch resets the backoff.
    source.lastWatch.onDone(refused);
    await flush(5);
    clock.advance(1000);
    await flush(5);
    expect(source.watches.length).toBe(4);
    await informer.stop();
  });

  it('relists on 410 Gone (event or HTTP status) and reports what it missed', async () => {
    const { source, informer, seen } = setup();
    source.lists.push(() =>
      list('10', [cm('a', 'keep', '1'), cm('a', 'gone', '2'), cm('a', 'chg', '3')]),
    );
    informer.start();
    await flush(5);
    source.lists.push(() =>
      list('50', [cm('a', 'keep', '1'), cm('a', 'chg', '40'), cm('a', 'new', '41')]),
    );
    source.lastWatch.onEvent('ERROR', { kind: 'Status', code: 410, reason: 'Expired' });
    await flush(5);
    expect(source.listCalls.length).toBe(2);
    expect(seen.slice(3)).toEqual(['update chg@3->40', 'add new@41', 'delete gone']);
    expect(source.lastWatch.query.resourceVersion).toBe('50');
    source.lists.push(() => list('60', []));
    source.lastWatch.onDone(Object.assign(new Error('Gone'), { statusCode: 410 }));
    await flush(5);
    expect(source.listCalls.length).toBe(3);
    expect(informer.size).toBe(0);
    await informer.stop();
  });

  it('retries a failing list forever with backoff and never reports synced early', async () => {
    const { clock, source, informer } = setup();
    source.lists.push(
      () => new Error('500'),
      () => new Error('500'),
      () => list('3', []),
    );
    informer.start();
    await flush(5);
    expect(informer.hasSynced()).toBe(false);
    clock.advance(1000);
    await flush(5);
    expect(informer.hasSynced()).toBe(false);
    clock.advance(2000);
    await flush(5);
    expect(informer.hasSynced()).toBe(true);
    expect(source.listCalls.length).toBe(3);
    await informer.stop();
  });

  it('pages through lists and scopes to several namespaces', async () => {
    const { source, informer } = setup({ namespaces: ['a', 'b'] });
    const byPath = (p: string, q: Query): KubeList =>
      p.includes('/namespaces/b/')
        ? list('8', [cm('b', 'three', '3')])
        : q.continue
          ? list('7', [cm('a', 'two', '2')])
          : list('7', [cm('a', 'one', '1')], 'tok');
    source.lists.push(byPath, byPath, byPath);
    informer.start();
    await flush(5);
    // The two namespaces list concurrently, so their calls interleave.
    expect(source.listCalls.map((c) => c.path).sort()).toEqual([
      '/api/v1/namespaces/a/configmaps',
      '/api/v1/namespaces/a/configmaps',
      '/api/v1/namespaces/b/configmaps',
    ]);
    expect(source.listCalls.filter((c) => c.query.continue === 'tok').length).toBe(1);
    expect(informer.keys().sort()).toEqual(['a/one', 'a/two', 'b/three']);
    expect(informer.hasSynced()).toBe(true);
    // A relist in one namespace does not delete objects of the other.
    source.lists.push(() => list('9', []));
    source.watches.find((w) => w.path.includes('/namespaces/a/'))!.onEvent('ERROR', { code: 410 });
    await flush(5);
    expect(informer.keys()).toEqual(['b/three']);
    await informer.stop();
  });

  it('restarts after a non-410 ERROR event and survives a throwing handler', async () => {
    const { clock, source, informer } = setup();
    informer.on({
      add: () => {
        throw new Error('handler bug');
      },
    });
    source.lists.push(() => list('1', []));
    informer.start();
    await flush(5);
    source.lastWatch.onEvent('ADDED', cm('a', 'x', '2'));
    expect(informer.get('a/x')).toBeDefined();
    source.lastWatch.onEvent('ERROR', { code: 500, message: 'internal' });
    await flush(5);
    clock.advance(1000);
    await flush(5);
    expect(source.watches.length).toBe(2);
    expect(source.lastWatch.query.resourceVersion).toBe('2');
    await informer.stop();
  });

  it('keeps an index with the cache: objects by a value, through adds, updates and deletes', async () => {
    const { source, informer } = setup();
    // Indexed before the list: the index sees what the cache sees, whenever it was made.
    const byData = informer.index((o) => [(o as KubeObject & { data: string }).data]);
    source.lists.push(() => list('10', [cm('a', 'x', '5', 'red'), cm('b', 'y', '6', 'red')]));
    informer.start();
    await flush(5);
    const names = (v: string) =>
      byData(v).map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`);
    expect(names('red')).toEqual(['a/x', 'b/y']);
    const w = source.lastWatch;
    w.onEvent('MODIFIED', cm('a', 'x', '11', 'blue'));
    expect(names('red')).toEqual(['b/y']);
    expect(names('blue')).toEqual(['a/x']);
    w.onEvent('DELETED', cm('b', 'y', '12', 'red'));
    expect(names('red')).toEqual([]);
    // Made late, an index is filled from the cache at once.
    const late = informer.index((o) => [o.metadata?.name ?? '']);
    expect(late('x').map((o) => o.metadata?.resourceVersion)).toEqual(['11']);
    await informer.stop();
  });

  it('applies a transform to listed and watched objects', async () => {
    const clock = new FakeClock();
    const source = new FakeSource();
    const informer = new Informer({
      source,
      clock,
      resource: builtinResources.ConfigMap,
      transform: stripManagedFields,
    });
    const withFields = (name: string, rv: string) => ({
      metadata: { namespace: 'a', name, resourceVersion: rv, managedFields: [{ manager: 'x' }] },
    });
    source.lists.push(() => list('1', [withFields('listed', '1')]));
    informer.start();
    await flush(5);
    source.lastWatch.onEvent('ADDED', withFields('watched', '2'));
    for (const key of ['a/listed', 'a/watched']) {
      expect(informer.get(key)?.metadata).not.toHaveProperty('managedFields');
    }
    expect(source.lastWatch.query.resourceVersion).toBe('1');
    await informer.stop();
  });

  // The operator's KafkaTopic cache held every topic's managedFields (three times the heap:
  // 200 MB peak RSS at 10,000 topics); no informer should have to remember to strip them.
  it('caches objects without managedFields unless given a transform of its own', async () => {
    const withFields = (name: string, rv: string) => ({
      metadata: {
        namespace: 'a',
        name,
        resourceVersion: rv,
        labels: { l: '1' },
        managedFields: [{ manager: 'x' }],
      },
      spec: { n: 1 },
    });
    const cached = async (transform?: (o: KubeObject) => KubeObject) => {
      const source = new FakeSource();
      const informer = new Informer({
        source,
        clock: new FakeClock(),
        resource: builtinResources.ConfigMap,
        ...(transform ? { transform } : {}),
      });
      source.lists.push(() => list('1', [withFields('listed', '1')]));
      informer.start();
      await flush(5);
      source.lastWatch.onEvent('ADDED', withFields('watched', '2'));
      const objs = ['a/listed', 'a/watched'].map((k) => informer.get(k));
      await informer.stop();
      return objs;
    };
    for (const o of await cached()) {
      expect(o?.metadata).not.toHaveProperty('managedFields');
      expect(o).toMatchObject({
        metadata: { labels: { l: '1' }, resourceVersion: expect.any(String) },
        spec: { n: 1 },
      });
    }
    for (const o of await cached((x) => x)) {
      expect(o?.metadata).toHaveProperty('managedFields');
    }
  });
});
