import { describe, expect, it } from 'vitest';
import type { ClusterSpec } from '../cluster-spec.ts';
import { specProblems } from './spec-checks.ts';

const spec: ClusterSpec = {
  version: '4.1.1',
  brokers: { replicas: 3, storage: { type: 'ephemeral' } },
  listeners: [{ name: 'internal', port: 9092, type: 'internal' }],
};

const withConfig = (config: ClusterSpec['config']): ClusterSpec => ({ ...spec, config });

describe('specProblems', () => {
  it('finds nothing wrong with a plain cluster', () => {
    expect(specProblems(spec, { name: 'demo' })).toEqual([]);
  });

  describe('metadata.name', () => {
    it('refuses a name whose derived objects would exceed Kubernetes limits', () => {
      const name = 'a'.repeat(58);
      expect(specProblems(spec, { name })).toEqual([
        `metadata.name must be at most 40 characters: the broker NodePort Service '${name}-broker-999-<listener>' would exceed 63`,
      ]);
      expect(specProblems(spec, { name: 'a'.repeat(40) })).toEqual([]);
    });

    it.each(['kafka.prod', '1kafka', 'kafka-'])(
      'refuses %s: Services need RFC 1035 labels',
      (name) => {
        expect(specProblems(spec, { name })).toEqual([
          expect.stringContaining('metadata.name must be lower-case letters, digits and'),
        ]);
      },
    );
  });

  describe('config keys', () => {
    it('refuses a key with trailing whitespace as malformed, not as the owned key it hides', () => {
      expect(specProblems(withConfig({ 'log.dirs\t': '/tmp/x' }))).toEqual([
        "config key 'log.dirs\t' is not a Kafka configuration name: letters and digits in groups separated by single '.', '_' or '-'",
      ]);
    });

    it.each(['a=b', 'a:b', ' num.io.threads', 'num..io', 'x#y', 'a\nb', ''])(
      'refuses %j',
      (key) => {
        expect(specProblems(withConfig({ [key]: '1' }))).toEqual([
          expect.stringContaining('is not a Kafka configuration name'),
        ]);
      },
    );

    it('still refuses well-formed owned keys by name', () => {
      expect(specProblems(withConfig({ 'log.dirs': '/tmp/x' }))).toEqual([
        "config key 'log.dirs' is managed by kraftwerk; remove it",
      ]);
    });

    it.each([
      'num.io.threads',
      'zookeeper.clientCnxnSocket',
      'listener.name.internal.scram-sha-256.sasl.jaas.config',
      'some_plugin.setting-1',
    ])('accepts %s', (key) => {
      expect(specProblems(withConfig({ [key]: '1' }))).toEqual([]);
    });
  });

  describe('advertisedHost', () => {
    const nodeport = (advertisedHost: string): ClusterSpec => ({
      ...spec,
      listeners: [
        ...spec.listeners,
        { name: 'lan', port: 9094, type: 'nodeport', nodePortBase: 31000, advertisedHost },
      ],
    });

    it.each(['localhost', 'kafka.example.com', '10.0.0.1', 'a'.repeat(63) + '.b'])(
      'accepts %s',
      (host) => expect(specProblems(nodeport(host))).toEqual([]),
    );

    it.each(['kafka host', 'a;rm -rf', 'Kafka.example.com', '-a.b', 'a..b', 'a'.repeat(64), '::1'])(
      'refuses %j',
      (host) =>
        expect(specProblems(nodeport(host))).toEqual([
          "listener 'lan': advertisedHost must be a DNS name (lower-case RFC 1123 subdomain, labels of at most 63 characters) or an IPv4 address",
        ]),
    );
  });

  describe('config values', () => {
    it("refuses a value Kafka cannot parse, with Kafka's message", () => {
      expect(specProblems(withConfig({ 'num.io.threads': 'abc' }))).toEqual([
        'Invalid value abc for configuration num.io.threads: Not a number of type INT',
      ]);
    });

    it('refuses values outside what Kafka validates, per version', () => {
      const config = {
        'log.cleanup.policy': 'delete,nope',
        'num.network.threads': 0,
        'auto.create.topics.enable': 'yes',
      };
      const expected = [
        'Invalid value yes for configuration auto.create.topics.enable: Expected value to be either true or false',
        'Invalid value nope for configuration log.cleanup.policy: String must be one of: compact, delete',
        'Invalid value 0 for configuration num.network.threads: Value must be at least 1',
      ];
      expect(specProblems(withConfig(config))).toEqual(expected);
      expect(specProblems({ ...withConfig(config), version: '3.9.1' })).toEqual(expected);
      // Another patch release of a known minor version uses that version's definitions.
      expect(specProblems({ ...withConfig(config), version: '4.1.0' })).toEqual(expected);
    });

    it('leaves unknown keys (plugins) and versions without definitions alone', () => {
      expect(specProblems(withConfig({ 'my.plugin.threads': 'abc' }))).toEqual([]);
      expect(
        specProblems({ ...withConfig({ 'num.io.threads': 'abc' }), version: '5.0.0' }),
      ).toEqual([]);
    });

    it('takes numbers as Kafka reads them from the properties file', () => {
      expect(
        specProblems(withConfig({ 'num.io.threads': 8, 'log.retention.ms': ' 1000 ' })),
      ).toEqual([]);
    });

    it('does not judge the value of a malformed or owned key', () => {
      expect(specProblems(withConfig({ 'broker.id': 'x' }))).toEqual([
        "config key 'broker.id' is managed by kraftwerk; remove it",
      ]);
    });
  });
});
