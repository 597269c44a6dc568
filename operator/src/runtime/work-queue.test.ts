import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.ts';
import { createOperatorMetrics } from './operator-metrics.ts';
import { WorkQueue } from './work-queue.ts';
import type { Reconcile, ReconcileResult } from './work-queue.ts';

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

function deferred() {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function recorder(impl?: (key: string) => Promise<ReconcileResult | undefined> | Promise<void>) {
  const calls: string[] = [];
  const reconcile: Reconcile = async (key: string): Promise<ReconcileResult | undefined> => {
    calls.push(key);
    return (await impl?.(key)) ?? undefined;
  };
  return { calls, reconcile };
}

describe('WorkQueue', () => {
  it('deduplicates keys that are waiting', async () => {
    const clock = new FakeClock();
    const { calls, reconcile } = recorder();
    const q = new WorkQueue({ name: 't', reconcile, clock });
    q.add('a');
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.len()).toBe(2);
    q.start();
    await q.whenIdle();
    expect(calls).toEqual(['a', 'b']);
  });

  it('runs one reconcile per key at a time and re-runs a key added while in flight', async () => {
    const clock = new FakeClock();
    const gate = deferred();
    let running = 0;
    let maxRunning = 0;
    const { calls, reconcile } = recorder(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      if (calls.length === 1) await gate.promise;
      running--;
    });
    const q = new WorkQueue({ name: 't', reconcile, clock, concurrency: 4 });
    q.start();
    q.add('a');
    await flush();
    expect(q.inFlightKeys()).toEqual(['a']);
    q.add('a');
    q.add('a');
    await flush();
    expect(maxRunning).toBe(1); // not started twice while in flight
    gate.resolve();
    await q.whenIdle();
    expect(calls).toEqual(['a', 'a']); // the two re-adds collapse into one run after
  });

  it('bounds concurrency', async () => {
    const clock = new FakeClock();
    const gates = new Map<string, ReturnType<typeof deferred>>();
    const { reconcile } = recorder(async (key) => {
      const g = deferred();
      gates.set(key, g);
      await g.promise;
    });
    const q = new WorkQueue({ name: 't', reconcile, clock, concurrency: 2 });
    q.start();
    for (const k of ['a', 'b', 'c', 'd']) q.add(k);
    await flush();
    expect(q.inFlightKeys()).toEqual(['a', 'b']);
    expect(q.len()).toBe(2);
    gates.get('a')!.resolve();
    await flush();
    expect(q.inFlightKeys().sort()).toEqual(['b', 'c']);
    gates.get('b')!.resolve();
    await flush();
    gates.get('c')!.resolve();
    await flush();
    gates.get('d')!.resolve();
    await q.whenIdle();
  });

  it('retries failures with per-key exponential backoff up to a cap, and resets on success', async () => {
    const clock = new FakeClock();
    let failuresLeft = 5;
    const { calls, reconcile } = recorder(async () => {
      if (failuresLeft-- > 0) throw new Error('boom');
    });
    const q = new WorkQueue({
      name: 't',
      reconcile,
      clock,
      retry: { baseMs: 100, maxMs: 500 },
    });
    q.start();
    q.add('a');
    await flush();
    expect(calls.length).toBe(1);
    expect(q.failures('a')).toBe(1);
    // delays: 100, 200, 400, 500 (capped), 500
    const expected = [100, 200, 400, 500, 500];
    for (const [i, delay] of expected.entries()) {
      clock.advance(delay - 1);
      await flush();
      expect(calls.length).toBe(i + 1);
      clock.advance(1);
      await flush();
      expect(calls.length).toBe(i + 2);
    }
    expect(q.failures('a')).toBe(0); // the sixth run succeeded
    failuresLeft = 1;
    q.add('a');
    await flush();
    expect(q.failures('a')).toBe(1);
    clock.advance(100); // back to the base delay after the reset
    await flush();
    expect(calls.length).toBe(8);
  });

  it('honours requeueAfter and keeps the earliest of several delays', async () => {
    const clock = new FakeClock();
    const { calls, reconcile } = recorder(async () => ({ requeueAfterMs: 1000 }));
    const q = new WorkQueue({ name: 't', reconcile, clock });
    q.start();
    q.add('a');
    await flush();
    expect(q.delayedKeys()).toEqual(['a']);
    q.addAfter('a', 5000); // later than the pending one: ignored
    q.addAfter('a', 300); // earlier: replaces it
    clock.advance(300);
    await flush();
    expect(calls).toEqual(['a', 'a']);
    expect(clock.now()).toBe(300);
  });

  it('resyncs every key periodically', async () => {
    const clock = new FakeClock();
    const { calls, reconcile } = recorder();
    const q = new WorkQueue({ name: 't', reconcile, clock });
    q.start();
    const stop = q.resync(10_000, () => ['x', 'y']);
    clock.advance(10_000);
    await flush();
    clock.advance(10_000);
    await flush();
    expect(calls).toEqual(['x', 'y', 'x', 'y']);
    stop();
    clock.advance(30_000);
    await flush();
    expect(calls.length).toBe(4);
  });

  it('on shutdown stops intake, finishes in-flight work, and aborts it past the deadline', async () => {
    const clock = new FakeClock();
    const gate = deferred();
    let sawAbort = false;
    const reconcile: Reconcile = async (_key, signal) => {
      signal.addEventListener('abort', () => {
        sawAbort = true;
        gate.resolve();
      });
      await gate.promise;
    };
    const q = new WorkQueue({ name: 't', reconcile, clock, concurrency: 1 });
    q.start();
    q.add('a');
    q.add('b');
    await flush();
    const done = q.shutDown(5000);
    q.add('c');
    expect(q.len()).toBe(0);
    clock.advance(5000);
    expect(await done).toEqual({ drained: false });
    expect(sawAbort).toBe(true);

    const q2 = new WorkQueue({ name: 't2', reconcile: async () => {}, clock });
    q2.start();
    q2.add('a');
    expect(await q2.shutDown(5000)).toEqual({ drained: true });
  });

  it('counts reconciles by result and tracks depth', async () => {
    const clock = new FakeClock();
    const metrics = createOperatorMetrics();
    let n = 0;
    const reconcile: Reconcile = async () => {
      n++;
      if (n === 1) throw new Error('x');
      if (n === 2) return { requeueAfterMs: 10 };
      return undefined;
    };
    const q = new WorkQueue({ name: 'KafkaTopic', reconcile, clock, metrics });
    q.add('a');
    expect(metrics.queueDepth.get({ queue: 'KafkaTopic' })).toBe(1);
    q.start();
    await flush();
    clock.advance(1000);
    await flush();
    clock.advance(10);
    await flush();
    expect(metrics.reconcileTotal.get({ kind: 'KafkaTopic', result: 'error' })).toBe(1);
    expect(metrics.reconcileTotal.get({ kind: 'KafkaTopic', result: 'requeue' })).toBe(1);
    expect(metrics.reconcileTotal.get({ kind: 'KafkaTopic', result: 'success' })).toBe(1);
    expect(metrics.reconcileErrors.get({ kind: 'KafkaTopic' })).toBe(1);
    expect(metrics.reconcileDuration.snapshot({ kind: 'KafkaTopic' }).count).toBe(3);
    expect(metrics.queueDepth.get({ queue: 'KafkaTopic' })).toBe(0);
  });
});
