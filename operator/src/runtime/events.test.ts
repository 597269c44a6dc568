// The recorder against a stand-in API client: a dropped connection or a 503 on one Event write
// is a fault the real API server does not produce on demand, so this test scripts it.
import { describe, expect, it } from 'vitest';
import { EventRecorder } from './events.ts';
import { FencedError } from './errors.ts';
import { KubeApiError, type KubeClient } from './kube-client.ts';
import type { Clock, TimerHandle } from './clock.ts';
import type { KubeObject } from './resource.ts';

/** Timers fire at once (recorded), so retries take no wall time. */
function instantClock(): Clock & { waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    now: () => 1_700_000_000_000,
    setTimeout(fn: () => void, ms: number): TimerHandle {
      waits.push(ms);
      queueMicrotask(fn);
      return { id: waits.length };
    },
    clearTimeout() {},
  };
}

function clientFailing(failures: unknown[]): { client: KubeClient; created: KubeObject[] } {
  const created: KubeObject[] = [];
  const client = {
    create: async (_info: unknown, obj: KubeObject) => {
      const f = failures.shift();
      if (f !== undefined) throw f;
      created.push(obj);
      return obj;
    },
    mergePatch: async () => ({}),
  } as unknown as KubeClient;
  return { client, created };
}

const topic: KubeObject = {
  apiVersion: 'kraftwerk.dev/v1alpha1',
  kind: 'KafkaTopic',
  metadata: { name: 'orders', namespace: 'ns', uid: 'u1' },
};

describe('EventRecorder', () => {
  it('retries a write that got no answer or a 5xx/429, then records the Event once', async () => {
    const clock = instantClock();
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const busy = new KubeApiError('POST', '/events', 503, undefined);
    const throttled = new KubeApiError('POST', '/events', 429, undefined);
    const { client, created } = clientFailing([reset, busy, throttled]);
    const rec = new EventRecorder({ client, reportingInstance: 'test', clock });
    await rec.warning(topic, 'TopicRecreated', 'Reconcile', 'recreated');
    expect(created.map((e) => (e as { reason?: string }).reason)).toEqual(['TopicRecreated']);
    expect(clock.waits).toEqual([1_000, 2_000, 4_000]);
  });

  it('gives up after its last try, and at once on a refusal or a lost lease', async () => {
    for (const [failures, tries] of [
      [Array.from({ length: 9 }, () => new Error('ECONNREFUSED')), 5],
      [[new KubeApiError('POST', '/events', 422, undefined)], 1],
      [[new KubeApiError('POST', '/events', 403, undefined)], 1],
      [[new FencedError()], 1],
    ] as const) {
      const clock = instantClock();
      const queue = [...failures];
      const before = queue.length;
      const { client, created } = clientFailing(queue);
      const rec = new EventRecorder({ client, reportingInstance: 'test', clock });
      await rec.normal(topic, 'Created', 'Reconcile', 'x');
      expect(created).toEqual([]);
      expect(before - queue.length).toBe(tries);
    }
  });

  it('does not retry once flushing for shutdown', async () => {
    const clock = instantClock();
    const { client, created } = clientFailing([new Error('ECONNRESET')]);
    const rec = new EventRecorder({ client, reportingInstance: 'test', clock });
    const flushed = rec.flush();
    await rec.normal(topic, 'Created', 'Reconcile', 'x');
    await flushed;
    expect(created).toEqual([]);
    expect(clock.waits).toEqual([]);
  });
});
