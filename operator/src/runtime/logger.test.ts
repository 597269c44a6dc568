import { describe, expect, it } from 'vitest';
import { createLogger, parseLogLevel } from './logger.ts';

describe('logger', () => {
  it('writes one JSON object per line with inherited fields, filtered by level', () => {
    const lines: string[] = [];
    const log = createLogger({
      level: 'info',
      write: (l) => lines.push(l),
      now: () => new Date('2026-01-01T00:00:00Z'),
      fields: { app: 'k' },
    });
    log.debug('hidden');
    log.child({ kind: 'KafkaTopic' }).info('hello', { key: 'ns/a', skip: undefined });
    const err = Object.assign(new Error('bad'), { statusCode: 409 });
    log.error('failed', { err });
    expect(lines.length).toBe(2);
    expect(JSON.parse(lines[0]!)).toEqual({
      ts: '2026-01-01T00:00:00.000Z',
      level: 'info',
      msg: 'hello',
      app: 'k',
      kind: 'KafkaTopic',
      key: 'ns/a',
    });
    const e = JSON.parse(lines[1]!);
    expect(e.err).toMatchObject({ name: 'Error', message: 'bad', statusCode: 409 });
  });

  it('survives unserialisable fields', () => {
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l) });
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    log.warn('x', { loop });
    expect(JSON.parse(lines[0]!).fieldsError).toBeDefined();
  });

  it('parses levels', () => {
    expect(parseLogLevel('debug')).toBe('debug');
    expect(parseLogLevel('nope', 'warn')).toBe('warn');
  });
});
