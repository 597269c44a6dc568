import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Batcher, type BatcherOptions, type ItemResult } from './batcher.ts';

const opts: BatcherOptions = { maxBatch: 3, lingerMs: 10, concurrency: 1, shareDuplicates: true };

/** A runner that records each batch and resolves when the test says so. */
function controlled() {
  const batches: string[][] = [];
  const release: (() => void)[] = [];
  const run = vi.fn(async (items: readonly string[]) => {
    batches.push([...items]);
    await new Promise<void>((r) => release.push(r));
    return new Map<string, ItemResult<string>>(
      items.map((i) => [
        i,
        i.startsWith('bad')
          ? { ok: false, error: new Error(i) }
          : { ok: true, value: i.toUpperCase() },
      ]),
    );
  });
  return { batches, release, run };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('Batcher', () => {
  it('coalesces items submitted within the linger time into one batch', async () => {
    const { batches, release, run } = controlled();
    const b = new Batcher((s: string) => s, run, opts);
    const p = [b.submit('a'), b.submit('b')];
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(10);
    expect(batches).toEqual([['a', 'b']]);
    release.shift()!();
    await expect(Promise.all(p)).resolves.toEqual(['A', 'B']);
    expect(b.batchesRun).toBe(1);
  });

  it('sends a full batch at once, without waiting for the linger time', async () => {
    const { batches, run } = controlled();
    const b = new Batcher((s: string) => s, run, opts);
    void b.submit('a');
    void b.submit('b');
    void b.submit('c');
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual([['a', 'b', 'c']]);
  });

  it('gives each caller its own item’s error, and the others their values', async () => {
    const { release, run } = controlled();
    const b = new Batcher((s: string) => s, run, opts);
    const good = b.submit('a');
    const bad = b.submit('bad-x');
    await vi.advanceTimersByTimeAsync(10);
    release.shift()!();
    await expect(good).resolves.toBe('A');
    await expect(bad).rejects.toThrow('bad-x');
  });

  it('fails every item when the whole request fails', async () => {
    const b = new Batcher(
      (s: string) => s,
      async () => Promise.reject(new Error('down')),
      opts,
    );
    const all = [b.submit('a'), b.submit('b')].map((p) =>
      p.then(
        () => 'ok',
        (e: Error) => e.message,
      ),
    );
    await vi.advanceTimersByTimeAsync(10);
    await expect(Promise.all(all)).resolves.toEqual(['down', 'down']);
  });

  it('rejects an item the runner forgot', async () => {
    const b = new Batcher(
      (s: string) => s,
      async () => new Map(),
      opts,
    );
    const p = b.submit('a');
    const settled = p.catch((e: Error) => e.message);
    await vi.advanceTimersByTimeAsync(10);
    await expect(settled).resolves.toContain('no result for a');
  });

  it('shares one slot between equal keys when reading', async () => {
    const { batches, release, run } = controlled();
    const b = new Batcher((s: string) => s, run, opts);
    const p = [b.submit('a'), b.submit('a')];
    await vi.advanceTimersByTimeAsync(10);
    expect(batches).toEqual([['a']]);
    release.shift()!();
    await expect(Promise.all(p)).resolves.toEqual(['A', 'A']);
  });

  it('keeps writes to one key ordered in separate batches', async () => {
    const { batches, release, run } = controlled();
    const b = new Batcher(
      (s: { k: string; v: number }) => s.k,
      async (items) => {
        const names = items.map((i) => `${i.k}${i.v}`);
        const r = await run(names);
        return new Map([...r].map(([name, res]) => [name.slice(0, 1), res]));
      },
      { ...opts, shareDuplicates: false, concurrency: 2 },
    );
    const p1 = b.submit({ k: 'a', v: 1 });
    const p2 = b.submit({ k: 'b', v: 1 });
    const p3 = b.submit({ k: 'a', v: 2 });
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual([['a1', 'b1']]);
    await vi.advanceTimersByTimeAsync(10);
    expect(batches).toEqual([['a1', 'b1'], ['a2']]);
    release.splice(0).forEach((r) => r());
    await expect(Promise.all([p1, p2, p3])).resolves.toEqual(['A1', 'B1', 'A2']);
  });

  it('bounds concurrency, and items arriving meanwhile fill the next batch past the linger time', async () => {
    const { batches, release, run } = controlled();
    const b = new Batcher((s: string) => s, run, { ...opts, maxBatch: 100 });
    const first = b.submit('a');
    await vi.advanceTimersByTimeAsync(10);
    expect(batches).toEqual([['a']]);
    const later = [b.submit('b')];
    await vi.advanceTimersByTimeAsync(50);
    later.push(b.submit('c'));
    await vi.advanceTimersByTimeAsync(50);
    expect(batches).toHaveLength(1); // the one slot is busy
    expect(b.load).toBe(3);
    release.shift()!();
    await first;
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual([['a'], ['b', 'c']]);
    release.shift()!();
    await expect(Promise.all(later)).resolves.toEqual(['B', 'C']);
    await vi.advanceTimersByTimeAsync(0);
    expect(b.load).toBe(0);
  });

  it('runs up to `concurrency` batches at once', async () => {
    const { batches, run } = controlled();
    const b = new Batcher((s: string) => s, run, { ...opts, maxBatch: 1, concurrency: 2 });
    for (const s of ['a', 'b', 'c', 'd']) void b.submit(s);
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual([['a'], ['b']]);
  });

  it('splits a burst into batches of at most maxBatch', async () => {
    const seen: number[] = [];
    const b = new Batcher(
      (s: string) => s,
      async (items) => {
        seen.push(items.length);
        return new Map(items.map((i) => [i, { ok: true as const, value: i }]));
      },
      { ...opts, maxBatch: 4, concurrency: 2 },
    );
    const all = Array.from({ length: 10 }, (_, i) => b.submit(`t${i}`));
    await vi.advanceTimersByTimeAsync(10);
    await Promise.all(all);
    expect(seen).toEqual([4, 4, 2]);
  });

  it('refuses nonsense limits', () => {
    expect(
      () =>
        new Batcher(
          (s: string) => s,
          async () => new Map(),
          { ...opts, maxBatch: 0 },
        ),
    ).toThrow(RangeError);
  });
});
