import { describe, expect, it } from 'vitest';
import { Registry } from './metrics.ts';

describe('Registry', () => {
  it('renders counters and gauges with escaped labels', () => {
    const r = new Registry();
    const c = r.counter('x_total', 'Things.\nMore', ['kind', 'result']);
    c.inc({ kind: 'A', result: 'ok' });
    c.inc({ kind: 'A', result: 'ok' }, 2);
    c.inc({ result: 'bad"\\\n', kind: 'B' });
    const g = r.gauge('depth', 'Depth.');
    g.set(undefined, 7);
    g.dec();
    expect(r.render()).toBe(
      [
        '# HELP x_total Things.\\nMore',
        '# TYPE x_total counter',
        'x_total{kind="A",result="ok"} 3',
        'x_total{kind="B",result="bad\\"\\\\\\n"} 1',
        '# HELP depth Depth.',
        '# TYPE depth gauge',
        'depth 6',
        '',
      ].join('\n'),
    );
  });

  it('renders cumulative histogram buckets, sum and count', () => {
    const r = new Registry();
    const h = r.histogram('d_seconds', 'Durations.', ['kind'], [0.1, 1]);
    h.observe({ kind: 'T' }, 0.05);
    h.observe({ kind: 'T' }, 0.5);
    h.observe({ kind: 'T' }, 3);
    expect(r.render().split('\n')).toEqual([
      '# HELP d_seconds Durations.',
      '# TYPE d_seconds histogram',
      'd_seconds_bucket{kind="T",le="0.1"} 1',
      'd_seconds_bucket{kind="T",le="1"} 2',
      'd_seconds_bucket{kind="T",le="+Inf"} 3',
      'd_seconds_sum{kind="T"} 3.55',
      'd_seconds_count{kind="T"} 3',
      '',
    ]);
  });

  it('refuses bad names, wrong labels, duplicate metrics and falling counters', () => {
    const r = new Registry();
    expect(() => r.counter('bad-name', 'x')).toThrow();
    expect(() => r.counter('ok', 'x', ['__reserved'])).toThrow();
    const c = r.counter('c_total', 'x', ['a']);
    expect(() => c.inc({ b: '1' })).toThrow();
    expect(() => c.inc()).toThrow();
    expect(() => c.inc({ a: '1' }, -1)).toThrow();
    expect(() => r.gauge('c_total', 'again')).toThrow();
    expect(() => r.histogram('h', 'x', ['le'])).toThrow();
  });
});

describe('removeMatching', () => {
  it("drops a deleted object's series and keeps the others", () => {
    const r = new Registry();
    const g = r.gauge('x_lag', 'lag', ['namespace', 'name']);
    g.set({ namespace: 'a', name: 'one' }, 1);
    g.set({ namespace: 'a', name: 'two' }, 2);
    g.removeMatching({ namespace: 'a', name: 'one' });
    const text = r.render();
    expect(text).not.toContain('name="one"');
    expect(text).toContain('x_lag{namespace="a",name="two"} 2');
  });
});
