// How the queue handles failure: logged once per distinct message, a TerminalError is not
// retried, a reconcile past its deadline fails (and keeps its key until it ends), and an abort
// for lost leadership is neither reported nor retried.
import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.ts';
import { FencedError, ReconcileTimeoutError, TerminalError } from './errors.ts';
import { createLogger } from './logger.ts';
import { WorkQueue } from './work-queue.ts';
import type { ReconcileFailure } from './work-queue.ts';
import { flush } from './test-support.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: 'debug',
    write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>),
  });
  return { lines, logger };
}

const retry = { baseMs: 100, maxMs: 1000 };

describe('WorkQueue failures', () => {
  it('logs a repeated failure once, then at debug with a count, without a stack trace', async () => {
    const clock = new FakeClock();
    const { lines, logger } = capture();
    const failures: ReconcileFailure[] = [];
    const q = new WorkQueue({
      name: 't',
      clock,
      logger,
      retry,
      reconcile: () => Promise.reject<undefined>(new Error('403 Forbidden')),
      onFailure: (_k, f) => void failures.push(f),
    });
    q.start();
    q.add('a');
    for (let i = 0; i < 4; i++) {
      await flush(5);
      clock.advance(1000);
    }
    await flush(5);
    const errors = lines.filter((l) => l.level === 'error');
    const again = lines.filter((l) => l.msg === 'reconcile failed again');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.err).toEqual({ name: 'Error', message: '403 Forbidden' });
    expect(again.length).toBeGreaterThanOrEqual(3);
    expect(again.at(-1)).toMatchObject({ level: 'debug', repeats: again.length + 1 });
    expect(failures.map((f) => f.repeated)).toEqual([false, ...again.map(() => true)]);
    expect(failures.map((f) => f.failures)).toEqual(failures.map((_, i) => i + 1));
  });

  it('logs a new message again, keeps the stack of a programming error, and says when it recovers', async () => {
    const clock = new FakeClock();
    const { lines, logger } = capture();
    const outcomes: (() => Promise<void>)[] = [
      () => Promise.reject<undefined>(new Error('first')),
      () => Promise.reject<undefined>(new TypeError('x is undefined')),
      () => Promise.resolve(),
    ];
    const q = new WorkQueue({
      name: 't',
      clock,
      logger,
      retry,
      reconcile: () => outcomes.shift()!(),
    });
    q.start();
    q.add('a');
    for (let i = 0; i < 3; i++) {
      await flush(5);
      clock.advance(1000);
    }
    await flush(5);
    const errors = lines.filter((l) => l.level === 'error');
    expect(errors.map((l) => (l.err as { message: string }).message)).toEqual([
      'first',
      'x is undefined',
    ]);
    expect((errors[0]!.err as { stack?: string }).stack).toBeUndefined();
    expect((errors[1]!.err as { stack?: string }).stack).toContain('TypeError');
    expect(lines.some((l) => l.msg === 'reconcile succeeded after failures')).toBe(true);
  });

  it('does not retry a TerminalError', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const failures: ReconcileFailure[] = [];
    const q = new WorkQueue({
      name: 't',
      clock,
      retry,
      reconcile: () => {
        calls++;
        return Promise.reject<undefined>(new TerminalError('spec refused', 'InvalidSpec'));
      },
      onFailure: (_k, f) => void failures.push(f),
    });
    q.start();
    q.add('a');
    await flush(5);
    clock.advance(10_000);
    await flush(5);
    expect(calls).toBe(1);
    expect(q.delayedKeys()).toEqual([]);
    expect(q.failures('a')).toBe(0);
    expect(failures).toMatchObject([{ terminal: true }]);
    // Something that adds the key again (an update of the object) runs it again.
    q.add('a');
    await flush(5);
    expect(calls).toBe(2);
  });

  it('fails a reconcile past its deadline, aborts its signal, and holds its key until it ends', async () => {
    const clock = new FakeClock();
    const signals: AbortSignal[] = [];
    let release!: () => void;
    let calls = 0;
    const failures: ReconcileFailure[] = [];
    const q = new WorkQueue({
      name: 't',
      clock,
      retry,
      timeoutMs: 5000,
      reconcile: (_k, signal) => {
        calls++;
        signals.push(signal);
        // Ignores its signal: the deadline must hold anyway.
        return calls === 1 ? new Promise<void>((r) => (release = r)) : Promise.resolve();
      },
      onFailure: (_k, f) => void failures.push(f),
    });
    q.start();
    q.add('a');
    await flush(5);
    clock.advance(4999);
    await flush(5);
    expect(failures).toEqual([]);
    clock.advance(1);
    await flush(5);
    expect(signals[0]!.aborted).toBe(true);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.err).toBeInstanceOf(ReconcileTimeoutError);
    // The backoff passes, but the late reconcile still holds the key: no second one yet.
    clock.advance(1000);
    await flush(5);
    expect(calls).toBe(1);
    expect(q.inFlightKeys()).toEqual(['a']);
    release();
    await flush(5);
    expect(calls).toBe(2);
    await q.whenIdle();
    expect(q.failures('a')).toBe(0);
  });

  it('neither reports nor retries reconciles aborted for lost leadership, nor fenced ones', async () => {
    const clock = new FakeClock();
    const failures: ReconcileFailure[] = [];
    const q = new WorkQueue({
      name: 't',
      clock,
      retry,
      reconcile: (key, signal) =>
        key === 'fenced'
          ? Promise.reject<undefined>(new FencedError())
          : new Promise<void>((_r, reject) =>
              signal.addEventListener('abort', () => reject(signal.reason as Error)),
            ),
      onFailure: (_k, f) => void failures.push(f),
    });
    q.start();
    q.add('fenced');
    q.add('slow');
    await flush(5);
    q.abortInFlight(new FencedError());
    await flush(5);
    expect(failures).toEqual([]);
    expect(q.delayedKeys()).toEqual([]);
  });
});
