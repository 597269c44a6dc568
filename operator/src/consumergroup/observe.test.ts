import { describe, expect, it } from 'vitest';
import type { PartitionOffsets } from './lag.ts';
import type { Poll } from './observe.ts';
import { defaultObserveSettings, observe } from './observe.ts';
import type { OffsetWindows } from './rates.ts';

const po = (partition: number, committed: number | null, end: number): PartitionOffsets => ({
  topic: 'orders',
  partition,
  committed,
  end,
  logStart: 0,
});

/** Polls every 5 s for `seconds`, offsets from `at(t)` (t in s). */
function run(
  seconds: number,
  at: (t: number) => PartitionOffsets[],
  members = 2,
  settings = defaultObserveSettings,
) {
  let windows: OffsetWindows = {};
  let last: ReturnType<typeof observe> | undefined;
  for (let t = 0; t <= seconds; t += 5) {
    last = observe(
      windows,
      { kind: 'offsets', time: t * 1000, partitions: at(t), members },
      2,
      -Infinity,
      settings,
    );
    windows = last.windows;
  }
  return last!;
}

describe('observe', () => {
  it('turns a failed poll into an error observation and keeps the windows', () => {
    const windows: OffsetWindows = {};
    const poll: Poll = { kind: 'error', time: 0, error: 'ListOffsets timed out' };
    const o = observe(windows, poll, 3, 0);
    expect(o.observation).toEqual({
      kind: 'error',
      currentReplicas: 3,
      error: 'ListOffsets timed out',
    });
    expect(o.windows).toBe(windows);
    expect(o.figures).toBeNull();
  });

  it('turns unusable offsets into an error, never into zero lag', () => {
    const poll: Poll = { kind: 'offsets', time: 0, partitions: [po(0, 0, Number.NaN)], members: 1 };
    expect(observe({}, poll, 1, 0).observation.kind).toBe('error');
  });

  it('refuses a poll that lost a partition of a topic it still reports', () => {
    const first = observe(
      {},
      { kind: 'offsets', time: 0, partitions: [po(0, 0, 10), po(1, 0, 10)], members: 1 },
      1,
      0,
    );
    const partial = observe(
      first.windows,
      { kind: 'offsets', time: 5000, partitions: [po(0, 0, 20)], members: 1 },
      1,
      0,
    );
    expect(partial.observation).toMatchObject({ kind: 'error' });
    expect(partial.windows).toBe(first.windows);
    // A topic that disappears as a whole is simply no longer watched.
    const other = { ...po(0, 0, 5), topic: 'audit' };
    const moved = observe(
      first.windows,
      { kind: 'offsets', time: 5000, partitions: [other], members: 1 },
      1,
      0,
    );
    expect(moved.observation.kind).toBe('observed');
  });

  it('lets the sizing produce rate rise with the short window and fall with the long one', () => {
    const rising = run(120, (t) => [po(0, null, t < 100 ? 10 * t : 1000 + 200 * (t - 100))], 1);
    if (rising.observation.kind !== 'observed') throw new Error('expected an observation');
    expect(rising.observation.producedPerSecond).toBeCloseTo(200, 0);
    const falling = run(120, (t) => [po(0, null, t < 100 ? 200 * t : 20_000 + 10 * (t - 100))], 1);
    if (falling.observation.kind !== 'observed') throw new Error('expected an observation');
    // Over the last 60 s: 40 s at 200/s and 20 s at 10/s.
    expect(falling.observation.producedPerSecond).toBeCloseTo((40 * 200 + 20 * 10) / 60, 0);
  });

  it('measures rates, time lag and capacity from a steady backlogged group', () => {
    // Produce 100/s per partition, consume 80/s per partition, 1000 behind at t=0.
    const o = run(120, (t) => [po(0, 80 * t, 1000 + 100 * t), po(1, 80 * t, 1000 + 100 * t)]);
    expect(o.figures!.rates.producedPerSecond).toBeCloseTo(200);
    expect(o.figures!.rates.consumedPerSecond).toBeCloseTo(160);
    expect(o.figures!.lag.total).toBe(2 * (1000 + 20 * 120));
    expect(o.figures!.health).toBe('Lagging');
    // Committed 9600 was the end at t = 86 s, 34 s before now.
    expect(o.figures!.lag.timeLagSeconds).toBeCloseTo(34, 0);
    // Two replicas on two partitions, all behind: 160/s over 2.
    expect(o.observation).toMatchObject({
      kind: 'observed',
      replicaCapacity: 80,
      partitionCount: 2,
    });
  });

  it('measures capacity from saturated members when assignments are known', () => {
    // Member A owns 0 and 1 and falls behind at 100/s total; member B owns 2 and keeps up.
    const at = (t: number) => [
      po(0, 50 * t, 1000 + 60 * t),
      po(1, 50 * t, 1000 + 60 * t),
      po(2, 30 * t, 30 * t),
    ];
    const assignments = [
      [
        { topic: 'orders', partition: 0 },
        { topic: 'orders', partition: 1 },
      ],
      [{ topic: 'orders', partition: 2 }],
    ];
    let windows: OffsetWindows = {};
    let last: ReturnType<typeof observe> | undefined;
    for (let t = 0; t <= 60; t += 5) {
      const poll: Poll = {
        kind: 'offsets',
        time: t * 1000,
        partitions: at(t),
        members: 2,
        assignments,
      };
      last = observe(windows, poll, 2, -Infinity);
      windows = last.windows;
    }
    expect(last!.observation).toMatchObject({ replicaCapacity: 100 });
    // Without the assignments partition 2 is caught up, so nothing says what capacity is.
    const blind = run(60, at, 2);
    expect(blind.observation).toMatchObject({ replicaCapacity: null });
  });

  it('divides by consumers that can own a partition (idle ones consume nothing)', () => {
    let windows: OffsetWindows = {};
    let last: ReturnType<typeof observe> | undefined;
    for (let t = 0; t <= 60; t += 5) {
      const poll: Poll = {
        kind: 'offsets',
        time: t * 1000,
        // More behind than 10 s of production (commitSlackMs): a backlog, not commit cadence.
        partitions: [po(0, 100 * t, 2000 + 150 * t)],
        members: 5,
      };
      last = observe(windows, poll, 5, -Infinity);
      windows = last.windows;
    }
    expect(last!.observation).toMatchObject({ replicaCapacity: 100 });
  });

  it('does not read a consumer that keeps up, polled between its commits, as saturated', () => {
    // 100 msg/s, committed every 5 s, polled 3 s after each commit: always 300 behind (the
    // 60 s window at t = 65 starts after the first poll).
    const last = run(65, (t) => [po(0, Math.max(0, 100 * t - 300), 100 * t)], 1);
    expect(last.observation).toMatchObject({ replicaCapacity: null });
    expect(last.figures!.lag.total).toBe(300);
  });

  it('flags a partition whose committed offset does not move as stalled', () => {
    const o = run(120, (t) => [po(0, 500, 1000 + 10 * t), po(1, 10 * t, 10 * t + 5)]);
    expect(o.figures!.health).toBe('Stalled');
    if (o.observation.kind !== 'observed') throw new Error('expected an observation');
    expect(o.observation.partitions.map((p) => p.stalled)).toEqual([true, false]);
  });

  it('counts traffic on uncommitted partitions under latest as activation signal only', () => {
    const o = run(60, (t) => [po(0, null, 50 * t)], 0);
    expect(o.figures!.lag.total).toBe(0);
    expect(o.observation).toMatchObject({ uncommittedTraffic: 3000 });
  });

  it('does not measure capacity before capacitySince', () => {
    let windows: OffsetWindows = {};
    let last: ReturnType<typeof observe> | undefined;
    for (let t = 0; t <= 60; t += 5) {
      const poll: Poll = {
        kind: 'offsets',
        time: t * 1000,
        partitions: [po(0, 10 * t, 1000 + 20 * t)],
        members: 1,
      };
      last = observe(windows, poll, 1, 50_000);
      windows = last.windows;
    }
    expect(last!.observation).toMatchObject({ replicaCapacity: null });
  });
});
