// spec.authentication/spec.tls → KafkaSecurity: the pure mapping with real certificates (from
// operator/src/pki), and the Secret reads against a store held in memory (the unit tier has no
// API server; test/integration/external-auth.test.ts reads real Secrets and talks to real Kafka).
import { beforeAll, describe, expect, it } from 'vitest';
import {
  externalSecurity,
  ExternalCredentialSource,
  secretsOf,
  type ExternalConnection,
  type ExternalCredentials,
  type SecretLookup,
} from './external-credentials.ts';
import { securityDigest } from './kafka/security.ts';
import { issueCa, issueLeaf, type IssuedCertificate } from './pki/certificates.ts';
import { FakeClock } from './runtime/clock.ts';
import { KubeApiError } from './runtime/kube-client.ts';
import type { KubeObject } from './runtime/resource.ts';
import { SecretReader } from './secret-reader.ts';

let ca: IssuedCertificate;
let leaf: IssuedCertificate;
let other: IssuedCertificate;

beforeAll(async () => {
  const now = new Date();
  ca = await issueCa({ commonName: 'test-ca', validityDays: 2, now });
  const client = {
    ca,
    dnsNames: [],
    ipAddresses: [],
    validityDays: 1,
    now,
    usage: 'client',
  } as const;
  leaf = await issueLeaf({ ...client, commonName: 'alice' });
  other = await issueLeaf({ ...client, commonName: 'bob' });
});

const found = (data: Record<string, string>): SecretLookup => ({ found: true, data });
const secrets = (entries: Record<string, SecretLookup>) => new Map(Object.entries(entries));
const ready = (c: ExternalCredentials) => {
  if (c.state !== 'ready') throw new Error(`not ready: ${JSON.stringify(c)}`);
  return c;
};
const scram: ExternalConnection = {
  authentication: { type: 'scram-sha-512', secretRef: { name: 'alice' } },
};

describe('externalSecurity', () => {
  it('neither tls nor authentication: PLAINTEXT, no Secret read', () => {
    expect(externalSecurity({}, 'ns', secrets({}))).toEqual({
      state: 'ready',
      security: undefined,
      digest: '',
    });
    expect(secretsOf({})).toEqual([]);
  });

  it.each([
    ['scram-sha-512', 'SCRAM-SHA-512'],
    ['scram-sha-256', 'SCRAM-SHA-256'],
    ['plain', 'PLAIN'],
  ] as const)('%s: SASL %s with username and password, no TLS', (type, mechanism) => {
    const c = ready(
      externalSecurity(
        { authentication: { type, secretRef: { name: 'alice' } } },
        'ns',
        secrets({ alice: found({ username: 'alice', password: 's3cret' }) }),
      ),
    );
    expect(c.security).toEqual({ sasl: { mechanism, username: 'alice', password: 's3cret' } });
    expect(c.digest).toBe(securityDigest(c.security));
  });

  it('a KafkaUser Secret serves as both credentials and CA (one Secret read)', () => {
    const conn: ExternalConnection = { ...scram, tls: { caSecretRef: { name: 'alice' } } };
    expect(secretsOf(conn)).toEqual(['alice']);
    const c = ready(
      externalSecurity(
        conn,
        'ns',
        secrets({
          alice: found({ username: 'alice', password: 'pw', 'ca.crt': ca.certPem, other: 'x' }),
        }),
      ),
    );
    expect(c.security).toEqual({
      tls: { ca: ca.certPem },
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password: 'pw' },
    });
  });

  it('tls: {} trusts the system roots; a CA under another key', () => {
    expect(ready(externalSecurity({ tls: {} }, 'ns', secrets({}))).security).toEqual({ tls: {} });
    const c = externalSecurity(
      { tls: { caSecretRef: { name: 'corp', key: 'root.pem' } } },
      'ns',
      secrets({ corp: found({ 'root.pem': ca.certPem }) }),
    );
    expect(ready(c).security).toEqual({ tls: { ca: ca.certPem } });
  });

  it('tls authentication: user.crt and user.key as the client certificate', () => {
    const c = externalSecurity(
      {
        authentication: { type: 'tls', secretRef: { name: 'alice' } },
        tls: { caSecretRef: { name: 'alice' } },
      },
      'ns',
      secrets({
        alice: found({ 'user.crt': leaf.certPem, 'user.key': leaf.keyPem, 'ca.crt': ca.certPem }),
      }),
    );
    expect(ready(c).security).toEqual({
      tls: { ca: ca.certPem, cert: leaf.certPem, key: leaf.keyPem },
    });
  });

  it('a missing Secret: AuthenticationSecretNotFound naming it and what it is for', () => {
    expect(
      externalSecurity(scram, 'ns', secrets({ alice: { found: false, why: 'does not exist' } })),
    ).toEqual({
      state: 'invalid',
      reason: 'AuthenticationSecretNotFound',
      message: 'Secret ns/alice does not exist (spec.authentication scram-sha-512)',
    });
  });

  it('a missing or empty key: AuthenticationSecretInvalid listing the keys there are', () => {
    const c = externalSecurity(scram, 'ns', secrets({ alice: found({ username: 'a', pw: 'x' }) }));
    expect(c).toEqual({
      state: 'invalid',
      reason: 'AuthenticationSecretInvalid',
      message:
        'Secret ns/alice has no key password (spec.authentication scram-sha-512); its keys: pw, username',
    });
    const empty = externalSecurity(
      scram,
      'ns',
      secrets({ alice: found({ username: 'a', password: ' \n' }) }),
    );
    expect(empty.state === 'invalid' && empty.reason).toBe('AuthenticationSecretInvalid');
  });

  it("PEM that does not parse, or a key that is not the certificate's: Invalid, no value shown", () => {
    const tlsAuth: ExternalConnection = {
      authentication: { type: 'tls', secretRef: { name: 'alice' } },
      tls: {},
    };
    const mismatch = externalSecurity(
      tlsAuth,
      'ns',
      secrets({ alice: found({ 'user.crt': leaf.certPem, 'user.key': other.keyPem }) }),
    );
    expect(mismatch).toMatchObject({
      reason: 'AuthenticationSecretInvalid',
      message: expect.stringContaining('user.key is not the key of the certificate in user.crt'),
    });
    const garbage = externalSecurity(
      tlsAuth,
      'ns',
      secrets({ alice: found({ 'user.crt': 'not pem', 'user.key': leaf.keyPem }) }),
    );
    expect(garbage).toMatchObject({ message: expect.stringContaining('user.crt is not a PEM') });
    const badKey = externalSecurity(
      tlsAuth,
      'ns',
      secrets({ alice: found({ 'user.crt': leaf.certPem, 'user.key': 'TOPSECRET' }) }),
    );
    expect(badKey).toMatchObject({ message: expect.stringContaining('user.key is not a PEM') });
    expect(JSON.stringify([mismatch, garbage, badKey])).not.toMatch(/TOPSECRET|PRIVATE KEY/);
    const badCa = externalSecurity(
      { tls: { caSecretRef: { name: 'ca' } } },
      'ns',
      secrets({ ca: found({ 'ca.crt': 'nope' }) }),
    );
    expect(badCa).toMatchObject({
      reason: 'AuthenticationSecretInvalid',
      message: 'Secret ns/ca key ca.crt (spec.tls.caSecretRef) is not a PEM certificate',
    });
  });
});

function setup() {
  const store = new Map<string, KubeObject & { data?: Record<string, string> }>();
  const gets: string[] = [];
  let fail: Error | undefined;
  const clock = new FakeClock(0);
  const client = {
    get: async <T extends KubeObject>(_r: unknown, ns: string | undefined, name: string) => {
      gets.push(`${ns}/${name}`);
      await Promise.resolve();
      if (fail) throw fail;
      return store.get(`${ns}/${name}`) as T | undefined;
    },
  };
  const source = new ExternalCredentialSource(new SecretReader({ client, clock, ttlMs: 10_000 }));
  const put = (name: string, data: Record<string, string>) =>
    store.set(`ns/${name}`, {
      metadata: { name, namespace: 'ns' },
      data: Object.fromEntries(
        Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
    });
  return {
    store,
    gets,
    clock,
    source,
    put,
    failWith: (e: Error | undefined) => (fail = e),
  };
}

describe('ExternalCredentialSource', () => {
  it('concurrent reconciles share one GET; the answer is kept for the TTL', async () => {
    const { source, gets, clock, put } = setup();
    put('alice', { username: 'alice', password: 'one' });
    const all = await Promise.all([1, 2, 3].map(() => source.forConnection(scram, 'ns')));
    expect(gets).toEqual(['ns/alice']);
    expect(new Set(all.map((c) => ready(c).digest)).size).toBe(1);
    await source.forConnection(scram, 'ns');
    expect(gets).toHaveLength(1);
    // Rotated: seen once the TTL is over, with another digest (new connections).
    put('alice', { username: 'alice', password: 'two' });
    clock.advance(10_000);
    const rotated = ready(await source.forConnection(scram, 'ns'));
    expect(gets).toHaveLength(2);
    expect(rotated.digest).not.toBe(ready(all[0]!).digest);
  });

  it('a missing Secret is asked for again next time (created later: seen at once)', async () => {
    const { source, gets, put } = setup();
    expect((await source.forConnection(scram, 'ns')).state).toBe('invalid');
    put('alice', { username: 'alice', password: 'pw' });
    expect((await source.forConnection(scram, 'ns')).state).toBe('ready');
    expect(gets).toEqual(['ns/alice', 'ns/alice']);
  });

  it('a deleting resource whose Secret went (namespace deletion) uses what it held', async () => {
    const { source, store, clock, put } = setup();
    put('alice', { username: 'alice', password: 'pw' });
    ready(await source.forConnection(scram, 'ns'));
    store.clear();
    clock.advance(10_000);
    expect(await source.forConnection(scram, 'ns')).toMatchObject({
      reason: 'AuthenticationSecretNotFound',
    });
    expect(
      ready(await source.forConnection(scram, 'ns', { deleting: true })).security?.sasl,
    ).toEqual({ mechanism: 'SCRAM-SHA-512', username: 'alice', password: 'pw' });
  });

  it('403: not found, saying the operator may not read Secrets there; 5xx: thrown', async () => {
    const { source, failWith } = setup();
    failWith(new KubeApiError('GET', '/api/v1/namespaces/ns/secrets/alice', 403, undefined));
    expect(await source.forConnection(scram, 'ns')).toMatchObject({
      reason: 'AuthenticationSecretNotFound',
      message: expect.stringContaining('the operator is not allowed to get Secrets'),
    });
    failWith(new KubeApiError('GET', '/api/v1/namespaces/ns/secrets/alice', 500, undefined));
    await expect(source.forConnection(scram, 'ns')).rejects.toThrow(KubeApiError);
  });
});
