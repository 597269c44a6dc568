// The user Secret's content. Whether kcat, confluent-kafka and Kafka's tools really accept it is
// proven against real Kafka in test/integration/user-client-config.test.ts; here: which keys,
// which lines, the escaping, and the listener choice.
import { describe, expect, it } from 'vitest';
import type { KafkaCluster, KafkaListener } from '../api/kafka-cluster.ts';
import {
  GENERATED_PASSWORD_LENGTH,
  USER_SECRET_KEYS,
  chooseUserListener,
  generatePassword,
  javaProperties,
  passwordProblem,
  renderUserSecretData,
  scramJaasConfig,
  type UserListener,
} from './user-secret.ts';

const CA = '-----BEGIN CERTIFICATE-----\nQ0FDQUNB\nQ0E=\n-----END CERTIFICATE-----\n';
const CERT = '-----BEGIN CERTIFICATE-----\nVVNFUg==\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nS0VZS0VZ\n-----END PRIVATE KEY-----\n';

const saslSsl: UserListener = {
  name: 'scram',
  bootstrapServers: 'c-kafka-bootstrap.ns.svc:9094',
  securityProtocol: 'SASL_SSL',
  saslMechanism: 'SCRAM-SHA-512',
};
const saslPlain: UserListener = { ...saslSsl, securityProtocol: 'SASL_PLAINTEXT' };
const ssl: UserListener = {
  name: 'mtls',
  bootstrapServers: 'c-kafka-bootstrap.ns.svc:9095',
  securityProtocol: 'SSL',
};

/** java.util.Properties.load as the JDK documents it (continuations, escapes, separators):
 *  enough to read back what we write; Kafka's own tools read it in the integration test. */
function loadJavaProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const physical = text.split('\n');
  for (let i = 0; i < physical.length; i++) {
    let line = physical[i]!.replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    // An odd number of trailing backslashes continues the line.
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < physical.length) {
      line = line.slice(0, -1) + physical[++i]!.replace(/^[ \t\f]+/, '');
    }
    const unescape = (s: string): string =>
      s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) =>
        e.length === 5
          ? String.fromCharCode(parseInt(e.slice(1), 16))
          : (({ n: '\n', r: '\r', t: '\t', f: '\f' } as Record<string, string>)[e] ?? e),
      );
    const m = /^((?:\\.|[^=: \t\f\\])*)[ \t\f]*[=:]?[ \t\f]*(.*)$/.exec(line)!;
    out[unescape(m[1]!)] = unescape(m[2]!);
  }
  return out;
}

function librdkafka(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

describe('renderUserSecretData', () => {
  it('SCRAM over SASL_SSL: credentials, CA and both property files', () => {
    const data = renderUserSecretData({
      credentials: { type: 'scram-sha-512', username: 'alice', password: 'pw123' },
      listener: saslSsl,
      clusterCaPem: CA,
    });
    expect(Object.keys(data).sort()).toEqual(
      [
        'username',
        'password',
        'ca.crt',
        'bootstrap.servers',
        'security.protocol',
        'sasl.mechanism',
        'sasl.jaas.config',
        'client.properties',
        'librdkafka.properties',
      ].sort(),
    );
    expect(data).toMatchObject({
      username: 'alice',
      password: 'pw123',
      'ca.crt': CA,
      'bootstrap.servers': 'c-kafka-bootstrap.ns.svc:9094',
      'security.protocol': 'SASL_SSL',
      'sasl.mechanism': 'SCRAM-SHA-512',
      'sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="pw123";',
    });
    expect(loadJavaProperties(data['client.properties']!)).toEqual({
      'bootstrap.servers': 'c-kafka-bootstrap.ns.svc:9094',
      'security.protocol': 'SASL_SSL',
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.certificates': CA,
      'sasl.mechanism': 'SCRAM-SHA-512',
      'sasl.jaas.config': data['sasl.jaas.config'],
    });
    expect(librdkafka(data['librdkafka.properties']!)).toEqual({
      'bootstrap.servers': 'c-kafka-bootstrap.ns.svc:9094',
      'security.protocol': 'sasl_ssl',
      'ssl.ca.location': 'ca.crt',
      'sasl.mechanism': 'SCRAM-SHA-512',
      'sasl.username': 'alice',
      'sasl.password': 'pw123',
    });
  });

  it('SCRAM over SASL_PLAINTEXT: no CA and no ssl settings', () => {
    const data = renderUserSecretData({
      credentials: { type: 'scram-sha-512', username: 'alice', password: 'pw' },
      listener: saslPlain,
      clusterCaPem: CA,
    });
    expect(data['ca.crt']).toBeUndefined();
    expect(data['client.properties']).not.toMatch(/^ssl\./m);
    expect(data['librdkafka.properties']).not.toMatch(/^ssl\./m);
    expect(librdkafka(data['librdkafka.properties']!)['security.protocol']).toBe('sasl_plaintext');
  });

  it('TLS over SSL: certificate and key as files and inline PEM, no SASL', () => {
    const data = renderUserSecretData({
      credentials: { type: 'tls', username: 'bob', certificatePem: CERT, privateKeyPem: KEY },
      listener: ssl,
      clusterCaPem: CA,
    });
    expect(Object.keys(data).sort()).toEqual(
      [
        'username',
        'ca.crt',
        'bootstrap.servers',
        'security.protocol',
        'user.crt',
        'user.key',
        'client.properties',
        'librdkafka.properties',
      ].sort(),
    );
    expect(data).toMatchObject({ 'user.crt': CERT, 'user.key': KEY, 'security.protocol': 'SSL' });
    expect(loadJavaProperties(data['client.properties']!)).toEqual({
      'bootstrap.servers': 'c-kafka-bootstrap.ns.svc:9095',
      'security.protocol': 'SSL',
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.certificates': CA,
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.certificate.chain': CERT,
      'ssl.keystore.key': KEY,
    });
    expect(librdkafka(data['librdkafka.properties']!)).toEqual({
      'bootstrap.servers': 'c-kafka-bootstrap.ns.svc:9095',
      'security.protocol': 'ssl',
      'ssl.ca.location': 'ca.crt',
      'ssl.certificate.location': 'user.crt',
      'ssl.key.location': 'user.key',
    });
  });

  it('writes PEM in client.properties as \\n escapes with a line continuation per PEM line', () => {
    const text = renderUserSecretData({
      credentials: { type: 'tls', username: 'bob', certificatePem: CERT, privateKeyPem: KEY },
      listener: ssl,
      clusterCaPem: CA,
    })['client.properties']!;
    expect(text).toContain(
      'ssl.truststore.certificates=-----BEGIN CERTIFICATE-----\\n\\\nQ0FDQUNB\\n\\\nQ0E=\\n\\\n-----END CERTIFICATE-----\\n\n',
    );
  });

  it('adds a missing final newline to the PEM files', () => {
    const data = renderUserSecretData({
      credentials: {
        type: 'tls',
        username: 'bob',
        certificatePem: CERT.trimEnd(),
        privateKeyPem: KEY.trimEnd(),
      },
      listener: ssl,
      clusterCaPem: CA.trimEnd(),
    });
    expect([data['ca.crt'], data['user.crt'], data['user.key']]).toEqual([CA, CERT, KEY]);
  });

  it("escapes a password's quotes, backslashes and non-ASCII letters for JAAS and Properties", () => {
    const password = 'p"a\\s s=#!wörd:';
    const data = renderUserSecretData({
      credentials: { type: 'scram-sha-512', username: 'alice', password },
      listener: saslSsl,
      clusterCaPem: CA,
    });
    expect(data['sasl.jaas.config']).toBe(
      'org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="p\\"a\\\\s s=#!wörd:";',
    );
    // Properties.load(InputStream) reads ISO-8859-1: anything else must be a \u escape.
    expect(data['client.properties']).toMatch(/^[\x20-\x7e\n]*$/);
    expect(data['client.properties']).toContain('w\\u00f6rd');
    expect(loadJavaProperties(data['client.properties']!)['sasl.jaas.config']).toBe(
      data['sasl.jaas.config'],
    );
    // librdkafka takes the rest of the line as it is.
    expect(librdkafka(data['librdkafka.properties']!)['sasl.password']).toBe(password);
  });

  it.each([
    ['', 'empty'],
    ['a\nb', 'control character'],
    ['a\rb', 'control character'],
    [' ab', 'white space'],
    ['ab\t', 'control character'],
    ['ab ', 'white space'],
  ])('refuses password %j (%s) without quoting it', (password, why) => {
    expect(passwordProblem(password)).toContain(why);
    const render = () =>
      renderUserSecretData({
        credentials: { type: 'scram-sha-512', username: 'alice', password },
        listener: saslSsl,
        clusterCaPem: CA,
      });
    expect(render).toThrow(why);
    try {
      render();
    } catch (e) {
      if (password.trim()) expect((e as Error).message).not.toContain(password.trim());
    }
  });

  it('refuses credentials the listener does not take', () => {
    expect(() =>
      renderUserSecretData({
        credentials: { type: 'scram-sha-512', username: 'a', password: 'pw' },
        listener: ssl,
        clusterCaPem: CA,
      }),
    ).toThrow(/SASL listener/);
    expect(() =>
      renderUserSecretData({
        credentials: { type: 'tls', username: 'a', certificatePem: CERT, privateKeyPem: KEY },
        listener: saslSsl,
        clusterCaPem: CA,
      }),
    ).toThrow(/SSL listener/);
  });

  it('refuses a TLS listener without a CA certificate, takes none for SASL_PLAINTEXT', () => {
    const scram = { type: 'scram-sha-512' as const, username: 'a', password: 'pw' };
    expect(() =>
      renderUserSecretData({ credentials: scram, listener: saslSsl, clusterCaPem: '' }),
    ).toThrow('holds no certificate');
    expect(
      renderUserSecretData({ credentials: scram, listener: saslPlain, clusterCaPem: '' })['ca.crt'],
    ).toBeUndefined();
  });

  it('USER_SECRET_KEYS names every key a Secret can hold', () => {
    const all = new Set<string>(Object.values(USER_SECRET_KEYS));
    for (const data of [
      renderUserSecretData({
        credentials: { type: 'scram-sha-512', username: 'a', password: 'pw' },
        listener: saslSsl,
        clusterCaPem: CA,
      }),
      renderUserSecretData({
        credentials: { type: 'tls', username: 'a', certificatePem: CERT, privateKeyPem: KEY },
        listener: ssl,
        clusterCaPem: CA,
      }),
    ]) {
      for (const k of Object.keys(data)) expect(all).toContain(k);
    }
    // What the API server accepts as a Secret key (and so as a file name in a volume).
    for (const k of all) expect(k).toMatch(/^[-._a-zA-Z0-9]+$/);
  });
});

describe('javaProperties', () => {
  it('escapes a leading space, tabs and backslashes so they load back unchanged', () => {
    const values = [' lead', 'a\tb', 'c\\d', '\\', 'x\n y\n'];
    const text = javaProperties(
      values.map((v, i) => [`k${i}`, v]),
      'test',
    );
    expect(loadJavaProperties(text)).toEqual(
      Object.fromEntries(values.map((v, i) => [`k${i}`, v])),
    );
  });
});

describe('scramJaasConfig', () => {
  it('quotes user name and password', () => {
    expect(scramJaasConfig('u', 'a"b\\')).toBe(
      'org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="a\\"b\\\\";',
    );
  });
});

function cluster(
  listeners: Partial<KafkaListener>[],
  status: { name: string; bootstrapServers: string }[] = listeners.map((l) => ({
    name: l.name!,
    bootstrapServers: `${l.name}:${l.port}`,
  })),
): KafkaCluster {
  return {
    apiVersion: 'kraftwerk.dev/v1alpha1',
    kind: 'KafkaCluster',
    metadata: { name: 'c', namespace: 'ns' },
    spec: { listeners } as KafkaCluster['spec'],
    status: { listeners: status },
  } as KafkaCluster;
}

describe('chooseUserListener', () => {
  const plain = { name: 'plain', port: 9092, type: 'internal' as const };
  const scramTls = {
    name: 'scram',
    port: 9093,
    type: 'internal' as const,
    tls: true,
    authentication: { type: 'scram-sha-512' as const },
  };
  const scramNodeport = {
    name: 'scramext',
    port: 9094,
    type: 'nodeport' as const,
    nodePortBase: 31000,
    authentication: { type: 'scram-sha-512' as const },
  };
  const mtls = {
    name: 'mtls',
    port: 9095,
    type: 'internal' as const,
    tls: true,
    authentication: { type: 'tls' as const },
  };

  it('prefers an internal listener of the type, even after a nodeport one', () => {
    expect(
      chooseUserListener(cluster([plain, scramNodeport, scramTls, mtls]), 'scram-sha-512'),
    ).toEqual({
      name: 'scram',
      bootstrapServers: 'scram:9093',
      securityProtocol: 'SASL_SSL',
      saslMechanism: 'SCRAM-SHA-512',
    });
  });

  it('takes the first in spec order when none is internal; SCRAM without TLS is SASL_PLAINTEXT', () => {
    expect(chooseUserListener(cluster([plain, scramNodeport]), 'scram-sha-512')).toEqual({
      name: 'scramext',
      bootstrapServers: 'scramext:9094',
      securityProtocol: 'SASL_PLAINTEXT',
      saslMechanism: 'SCRAM-SHA-512',
    });
  });

  it('the first internal one among several', () => {
    const second = { ...mtls, name: 'mtls2', port: 9096 };
    expect(chooseUserListener(cluster([plain, second, mtls]), 'tls')).toEqual({
      name: 'mtls2',
      bootstrapServers: 'mtls2:9096',
      securityProtocol: 'SSL',
    });
  });

  it('says what to add when no listener has that authentication', () => {
    const r = chooseUserListener(cluster([plain, scramTls]), 'tls');
    expect(r).toEqual({
      error: expect.stringContaining('no listener with authentication type tls'),
    });
    expect((r as { error: string }).error).toContain('authentication: {type: tls}');
    expect((r as { error: string }).error).toContain('tls: true');
  });

  it('is an error while the cluster does not report the address yet', () => {
    expect(chooseUserListener(cluster([scramTls], []), 'scram-sha-512')).toEqual({
      error: expect.stringContaining('does not report the address of listener "scram"'),
    });
  });
});

describe('generatePassword', () => {
  it('32 characters of [A-Za-z0-9], different each time', () => {
    const a = generatePassword();
    expect(a).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(GENERATED_PASSWORD_LENGTH).toBe(32);
    expect(generatePassword()).not.toBe(a);
  });

  /** A random source that hands out these bytes in order, recording how many were asked. */
  function stream(bytes: number[]): { random: (n: number) => Buffer; asked: number[] } {
    let offset = 0;
    const asked: number[] = [];
    return {
      asked,
      random: (n) => {
        asked.push(n);
        const out = Buffer.from(
          Array.from({ length: n }, (_, i) => bytes[(offset + i) % bytes.length]!),
        );
        offset += n;
        return out;
      },
    };
  }

  it('drops bytes from 248 up (rejection sampling), asking for as many more as are missing', () => {
    const s = stream([
      ...Array(31).fill(255),
      0,
      ...Array.from({ length: 31 }, (_, i) => (i < 8 ? 248 + i : i + 62 - 8)),
      ...Array.from({ length: 8 }, (_, i) => 124 + i),
    ]);
    const p = generatePassword(s.random);
    expect(s.asked).toEqual([32, 31, 8]);
    // 0 → 'A'; 62 + i and 124 + i → the same letter as i.
    expect(p).toBe('A' + 'ABCDEFGHIJKLMNOPQRSTUVW' + 'ABCDEFGH');
  });

  it('every character equally often when every accepted byte comes once', () => {
    const s = stream(Array.from({ length: 256 }, (_, i) => i));
    const counts = new Map<string, number>();
    // Each byte drawn is used or rejected: 31 passwords = 992 characters = 4 rounds of the 248
    // accepted byte values, so each of the 62 characters exactly 16 times.
    for (let i = 0; i < 31; i++)
      for (const c of generatePassword(s.random)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(62);
    expect(new Set(counts.values())).toEqual(new Set([16]));
  });
});
