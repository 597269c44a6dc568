import { describe, expect, it } from 'vitest';
import {
  configDiff,
  dynamicConfig,
  isDynamicKey,
  restartRelevantConfig,
} from './dynamic-config.ts';

describe('configDiff', () => {
  it('sends changed cluster-wide dynamic keys to the Admin API', () => {
    expect(configDiff({ 'log.retention.ms': '1000' }, { 'log.retention.ms': '2000' })).toEqual({
      dynamic: { 'log.retention.ms': '2000' },
      restart: [],
    });
  });

  it('deletes a removed dynamic key instead of leaving the old value behind', () => {
    expect(configDiff({ 'min.insync.replicas': '2' }, {})).toEqual({
      dynamic: { 'min.insync.replicas': null },
      restart: [],
    });
  });

  it('rolls for static keys, added, changed or removed', () => {
    expect(
      configDiff(
        { 'num.partitions': '3', 'auto.create.topics.enable': 'true' },
        { 'num.partitions': 6, 'default.replication.factor': '3' },
      ),
    ).toEqual({
      dynamic: {},
      restart: ['auto.create.topics.enable', 'default.replication.factor', 'num.partitions'],
    });
  });

  it('treats numbers and their string form as equal', () => {
    expect(configDiff({ 'num.partitions': 3 }, { 'num.partitions': '3' })).toEqual({
      dynamic: {},
      restart: [],
    });
  });

  it('rolls for per-broker dynamic keys, which cannot be set cluster-wide', () => {
    expect(isDynamicKey('ssl.cipher.suites')).toBe(false);
    expect(configDiff({}, { 'ssl.cipher.suites': 'X' }).restart).toEqual(['ssl.cipher.suites']);
  });

  it('ignores operator-owned keys', () => {
    expect(
      configDiff({ 'node.id': '1' }, { 'node.id': '2', 'controller.quorum.voters': 'x' }),
    ).toEqual({
      dynamic: {},
      restart: [],
    });
  });

  it('treats synonyms that are not in the dynamic list (log.retention.hours) as restart keys', () => {
    expect(configDiff({}, { 'log.retention.hours': '1' }).restart).toEqual(['log.retention.hours']);
  });

  it('handles a mixed change', () => {
    expect(
      configDiff(
        { 'compression.type': 'producer', 'num.io.threads': '8', 'socket.send.buffer.bytes': '1' },
        { 'compression.type': 'zstd', 'num.io.threads': '8', 'socket.send.buffer.bytes': '2' },
      ),
    ).toEqual({ dynamic: { 'compression.type': 'zstd' }, restart: ['socket.send.buffer.bytes'] });
  });
});

describe('splitting spec.config', () => {
  const config = { 'min.insync.replicas': '2', 'num.partitions': 3, 'node.id': '9' };
  it('keeps only restart keys for the files and the hash', () => {
    expect(restartRelevantConfig(config)).toEqual({ 'num.partitions': '3' });
  });
  it('keeps only dynamic keys for the Admin API', () => {
    expect(dynamicConfig(config)).toEqual({ 'min.insync.replicas': '2' });
  });
});
