// The Java-free corners of the config-value checks. That they agree with Kafka on thousands
// of values is proven against the real jars in hack/kafka-configdefs/equivalence.test.ts.
import { describe, expect, it } from 'vitest';
import {
  KNOWN_KAFKA_VERSIONS,
  configDefinitions,
  configValueProblems,
  isFullyChecked,
  javaDoubleToString,
  javaTrim,
} from './kafka-config-values.ts';

describe('kafka config values', () => {
  it('has definitions for the versions the toolchain builds', () => {
    expect([...KNOWN_KAFKA_VERSIONS].sort()).toEqual(['3.9.1', '4.1.1']);
  });

  it('uses the same minor version for other patch releases, nothing for unknown ones', () => {
    expect(configDefinitions('4.1.0')).toBe(configDefinitions('4.1.1'));
    expect(configDefinitions('3.9.0')).toBe(configDefinitions('3.9.1'));
    expect(configDefinitions('4.0.0')).toBeUndefined();
  });

  it('prints doubles as Java does in range messages', () => {
    expect([1, 0.5, 1e10, 1e-5, 12345678.9, -0, 0.001, 1e7].map(javaDoubleToString)).toEqual([
      '1.0',
      '0.5',
      '1.0E10',
      '1.0E-5',
      '1.23456789E7',
      '-0.0',
      '0.001',
      '1.0E7',
    ]);
  });

  it('trims like String.trim(): control characters yes, Unicode spaces no', () => {
    expect(javaTrim('\t\n 5\u0001')).toBe('5');
    expect(javaTrim('\u00a05')).toBe('\u00a05');
  });

  it('says which keys it cannot judge fully', () => {
    const defs = configDefinitions('4.1.1')!;
    expect(isFullyChecked(defs['num.io.threads']!)).toBe(true);
    expect(isFullyChecked(defs['authorizer.class.name']!)).toBe(true);
    expect(isFullyChecked(defs['compression.gzip.level']!)).toBe(false);
    expect(isFullyChecked(defs['alter.config.policy.class.name']!)).toBe(false);
  });

  it('reports every bad value in key order, and only those', () => {
    expect(
      configValueProblems('4.1.1', {
        'num.io.threads': 'abc',
        'my.plugin.setting': 'anything',
        'log.retention.ms': 604800000,
        'auto.create.topics.enable': 'nope',
      }),
    ).toEqual([
      'Invalid value nope for configuration auto.create.topics.enable: Expected value to be either true or false',
      'Invalid value abc for configuration num.io.threads: Not a number of type INT',
    ]);
  });
});
