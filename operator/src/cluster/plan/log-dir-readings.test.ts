import { describe, expect, it } from 'vitest';
import { nextLogDirReadings, type LogDirReadings } from './log-dir-readings.ts';

const GiB = 2 ** 30;
const dir = (path: string, totalBytes: number, usableBytes: number, error?: string) => ({
  path,
  totalBytes,
  usableBytes,
  ...(error ? { error } : {}),
});
const all = () => true;

describe('nextLogDirReadings', () => {
  const before: LogDirReadings = {
    100: { '/data': { totalBytes: 10 * GiB, usableBytes: 2 * GiB } },
    101: { '/data': { totalBytes: 10 * GiB, usableBytes: 5 * GiB } },
  };

  it('takes each answering broker’s directories as they are now', () => {
    expect(
      nextLogDirReadings(
        before,
        {
          100: { logDirs: [dir('/data', 10 * GiB, 1 * GiB)] },
          101: { logDirs: [dir('/data', 10 * GiB, 4 * GiB), dir('/d2', GiB, GiB)] },
        },
        all,
      ),
    ).toEqual({
      100: { '/data': { totalBytes: 10 * GiB, usableBytes: 1 * GiB } },
      101: {
        '/data': { totalBytes: 10 * GiB, usableBytes: 4 * GiB },
        '/d2': { totalBytes: GiB, usableBytes: GiB },
      },
    });
  });

  it('keeps the last reading of a broker that did not answer, or of an offline directory', () => {
    expect(
      nextLogDirReadings(
        before,
        {
          100: { error: 'Kafka at 10.0.0.1:9091 is unavailable: connection refused' },
          101: { logDirs: [dir('/data', -1, -1, 'KAFKA_STORAGE_ERROR')] },
        },
        all,
      ),
    ).toEqual(before);
  });

  it('keeps everything when Kafka was not read at all', () => {
    expect(nextLogDirReadings(before, undefined, all)).toEqual(before);
  });

  it('drops a directory its broker no longer lists, and a broker scaled away', () => {
    expect(nextLogDirReadings(before, { 100: { logDirs: [] } }, (id) => id === 100)).toEqual({
      100: {},
    });
  });

  it('takes a broker Kafka answers for even before its pod is counted', () => {
    expect(
      nextLogDirReadings({}, { 102: { logDirs: [dir('/data', GiB, GiB)] } }, () => false),
    ).toEqual({ 102: { '/data': { totalBytes: GiB, usableBytes: GiB } } });
  });
});
