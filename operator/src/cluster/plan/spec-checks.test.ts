import { describe, expect, it } from 'vitest';
import type { ClusterSpec } from '../cluster-spec.ts';
import { referenceProblems, specProblems } from './spec-checks.ts';

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
      'listener.name.internal.max.connections',
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

  describe('security (the admission rules, for clusters admitted under an older CRD)', () => {
    const secured: ClusterSpec = {
      ...spec,
      listeners: [
        {
          name: 'internal',
          port: 9092,
          type: 'internal',
          tls: true,
          authentication: { type: 'tls' },
        },
        {
          name: 'external',
          port: 9094,
          type: 'nodeport',
          nodePortBase: 30092,
          advertisedHost: 'kafka.example.com',
          tls: true,
          authentication: { type: 'scram-sha-512' },
        },
      ],
      certificates: { validityDays: 90, renewalDays: 30, caValidityDays: 1825, caRenewalDays: 90 },
      authorization: { type: 'simple', superUsers: ['User:admin', 'User:CN-less.name_1'] },
    };

    it('accepts TLS with SCRAM, mTLS, authorization with super users and certificates', () => {
      expect(specProblems(secured)).toEqual([]);
    });

    it('refuses client certificates on a listener without TLS', () => {
      const l = { name: 'internal', port: 9092, type: 'internal' as const };
      expect(
        specProblems({ ...spec, listeners: [{ ...l, authentication: { type: 'tls' } }] }),
      ).toEqual([
        "listener 'internal': authentication type tls (client certificates) needs tls: true on the same listener: set tls: true, or use authentication type scram-sha-512",
      ]);
    });

    it('refuses a TLS nodeport listener without advertisedHost', () => {
      const [internal, external] = secured.listeners;
      const { advertisedHost: _, ...noHost } = external!;
      expect(specProblems({ ...secured, listeners: [internal!, noHost] })).toEqual([
        expect.stringMatching(
          /^listener 'external': a nodeport listener with tls: true needs advertisedHost/,
        ),
      ]);
    });

    it('refuses authorization when no listener authenticates', () => {
      expect(specProblems({ ...spec, authorization: { type: 'simple' } })).toEqual([
        expect.stringContaining('every client is User:ANONYMOUS'),
      ]);
    });

    it.each(['admin', 'User:', 'User:two words', 'User:a;User:b', 'Group:ops'])(
      'refuses the super user %j',
      (principal) => {
        expect(
          specProblems({ ...secured, authorization: { type: 'simple', superUsers: [principal] } }),
        ).toEqual([expect.stringContaining(`got '${principal}'`)]);
      },
    );

    it('refuses a renewal window as long as the validity', () => {
      const certificates = { ...secured.certificates!, validityDays: 30, renewalDays: 30 };
      expect(specProblems({ ...secured, certificates })).toEqual([
        expect.stringContaining('renewalDays must be smaller than certificates.validityDays'),
      ]);
    });

    it.each<[string, Partial<NonNullable<ClusterSpec['certificates']>>, string]>([
      [
        'a CA that lives no longer than its leaves',
        { validityDays: 365, caValidityDays: 365 },
        'caValidityDays must be greater than certificates.validityDays',
      ],
      [
        'a CA window as long as the CA',
        { caValidityDays: 400, caRenewalDays: 400 },
        'caRenewalDays must be smaller than certificates.caValidityDays',
      ],
      [
        'a CA window shorter than the leaf window',
        { renewalDays: 30, caRenewalDays: 29 },
        'caRenewalDays must be at least certificates.renewalDays',
      ],
    ])('refuses %s', (_what, change, message) => {
      const certificates = { ...secured.certificates!, ...change };
      expect(specProblems({ ...secured, certificates })).toEqual([
        expect.stringContaining(message),
      ]);
    });

    it('takes certificates stored under a CRD without the CA fields', () => {
      // Neither stored nor defaulted by the API server: the operator's defaults apply.
      const certificates = { validityDays: 3650, renewalDays: 200 };
      expect(
        specProblems({
          ...secured,
          certificates: certificates as NonNullable<ClusterSpec['certificates']>,
        }),
      ).toEqual([]);
    });

    it('refuses the probe listener name and port', () => {
      expect(
        specProblems({ ...spec, listeners: [{ name: 'probe', port: 9089, type: 'internal' }] }),
      ).toEqual([
        "listener name 'probe' is reserved for kraftwerk's own listeners",
        "listener port 9089 is reserved for kraftwerk's own listeners",
      ]);
    });

    it.each([
      'ssl.keystore.location',
      'ssl.truststore.certificates',
      'ssl.key.password',
      'ssl.client.auth',
      'ssl.principal.mapping.rules',
      'sasl.enabled.mechanisms',
      'sasl.server.callback.handler.class',
      'authorizer.class.name',
      'super.users',
      'principal.builder.class',
      'listener.name.external.ssl.client.auth',
      'listener.name.external.scram-sha-512.sasl.jaas.config',
      'listener.name.probe.max.connections',
    ])('refuses the security key %s', (key) => {
      expect(specProblems(withConfig({ [key]: 'x' }))).toEqual([
        `config key '${key}' is managed by kraftwerk; remove it`,
      ]);
    });

    it('leaves TLS protocol and cipher tuning and other per-listener settings to the user', () => {
      expect(
        specProblems(
          withConfig({
            'ssl.enabled.protocols': 'TLSv1.3',
            'ssl.cipher.suites': 'TLS_AES_256_GCM_SHA384',
            'listener.name.external.max.connections': '100',
          }),
        ),
      ).toEqual([]);
    });
  });
});

describe('referenceProblems', () => {
  const ref = { name: 'rules', key: 'config.yaml' };
  it('names a missing ConfigMap and a missing key with the keys there are', () => {
    expect(referenceProblems({}, 'ns')).toEqual([]);
    expect(referenceProblems({ metricsConfig: { ...ref, keys: null } }, 'ns')).toEqual([
      expect.stringContaining('ConfigMap "rules" does not exist in namespace ns'),
    ]);
    expect(referenceProblems({ metricsConfig: { ...ref, keys: ['a.yaml'] } }, 'ns')).toEqual([
      expect.stringContaining('has no key "config.yaml" (its keys: a.yaml)'),
    ]);
    expect(referenceProblems({ metricsConfig: { ...ref, keys: [] } }, 'ns')[0]).toContain(
      '(its keys: none)',
    );
    expect(referenceProblems({ metricsConfig: { ...ref, keys: ['config.yaml'] } }, 'ns')).toEqual(
      [],
    );
  });
});
