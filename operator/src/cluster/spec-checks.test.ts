import { describe, expect, it } from 'vitest';
import type { ClusterSpec } from './cluster-spec.ts';
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
      expect(specProblems(withConfig({ [key]: 'x' }))).toEqual([]);
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
});
