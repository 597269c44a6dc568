import { describe, expect, it } from 'vitest';
import { describeDiff, diffTopicConfig, isEmptyDiff, sameConfigValue } from './planner-config.ts';

describe('diffTopicConfig', () => {
  it('sets absent and different keys, resets undeclared per-topic keys, ignores inherited ones', () => {
    const diff = diffTopicConfig(
      { b: '2', a: '1', c: '3' },
      {
        a: { value: '1', source: 'topic' },
        b: { value: '9', source: 'topic' },
        c: { value: '3', source: 'broker' },
        d: { value: 'x', source: 'topic' },
        e: { value: 'y', source: 'default' },
        f: { value: 'z', source: 'other' },
      },
    );
    expect(diff).toEqual({
      set: [
        { key: 'b', from: '9', to: '2' },
        { key: 'c', to: '3' },
      ],
      reset: [{ key: 'd', from: 'x' }],
    });
    expect(describeDiff(diff)).toBe('b=2 (was 9), c=3 (was default), d reset to default (was x)');
  });

  it('is empty when per-topic configs equal the declared map', () => {
    const diff = diffTopicConfig(
      { a: '1' },
      { a: { value: '1', source: 'topic' }, b: { value: '2', source: 'default' } },
    );
    expect(isEmptyDiff(diff)).toBe(true);
  });

  it('resets everything per-topic when nothing is declared', () => {
    const diff = diffTopicConfig({}, { a: { value: null, source: 'topic' } });
    expect(diff.reset).toEqual([{ key: 'a', from: null }]);
    expect(describeDiff(diff)).toBe('a reset to default (was hidden)');
  });

  it('treats the value Kafka stores as equal to the text the spec gave (no endless re-apply)', () => {
    // Pairs seen on Kafka 4.1.1: declared → what DescribeConfigs returned.
    const stored: [string, string][] = [
      ['compact, delete', 'compact,delete'],
      ['delete ,compact', 'delete,compact'],
      ['01000', '1000'],
      ['+5', '5'],
      ['1', '1.0'],
      ['TRUE', 'true'],
      [' 1000', '1000'],
      ['0:1 , 1:1', '0:1,1:1'],
    ];
    for (const [declared, kafka] of stored) {
      expect(sameConfigValue(declared, kafka)).toBe(true);
      expect(
        isEmptyDiff(diffTopicConfig({ k: declared }, { k: { value: kafka, source: 'topic' } })),
      ).toBe(true);
    }
  });

  it('still sees real differences', () => {
    expect(sameConfigValue('compact,delete', 'delete,compact')).toBe(false);
    expect(sameConfigValue('1000', '1001')).toBe(false);
    expect(sameConfigValue('LogAppendTime', 'CreateTime')).toBe(false);
    expect(sameConfigValue('gzip', 'GZIP')).toBe(false);
  });
});
