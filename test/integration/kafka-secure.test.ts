// The wire client's TLS and SASL against real Kafka 4.1 and 3.9 (test/fixtures/kafka-secure.ts:
// one node with SSL, SASL_SSL and SASL_PLAINTEXT listeners). Every mechanism reads and writes
// through KafkaAdmin; refusals come back as Kafka's or node's own words; and kafkajs, a client
// that is not ours, confirms the broker demands what these tests think it demands.
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KafkaRequestError, KafkaUnavailableError } from '../../operator/src/kafka/errors.ts';
import { KafkaAdmin } from '../../operator/src/kafka/kafka-admin.ts';
import type { KafkaSecurity, SaslMechanism } from '../../operator/src/kafka/security.ts';
import { SecureKafka } from '../fixtures/kafka-secure.ts';
import { kafkaVersions } from '../fixtures/toolchain.ts';

const alice = { name: 'alice', password: 'alice-secret' };
// ',' and '=' are SCRAM syntax: the client must send this name escaped (=2C, =3D).
const odd = { name: 'o,d=d', password: 'odd-secret' };
const bob = { name: 'bob', password: 'bob-secret' };

const brokers = new Map<string, SecureKafka>();

async function kafkajsDescribe(config: Omit<KafkaConfig, 'logLevel'>): Promise<number> {
  const admin = new Kafka({
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 5_000,
    requestTimeout: 10_000,
    ...config,
  }).admin();
  try {
    await admin.connect();
    return (await admin.describeCluster()).brokers.length;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

beforeAll(async () => {
  await Promise.all(
    kafkaVersions.map(async (version) => {
      const k = await SecureKafka.start({ version, scram: [alice], plain: [bob] });
      brokers.set(version, k);
      await k.waitReady(() => kafkajsDescribe({ brokers: [k.plaintext] }));
      await k.addScramUser(odd);
    }),
  );
});

afterAll(async () => {
  await Promise.all([...brokers.values()].map((k) => k.stop()));
});

const admins: KafkaAdmin[] = [];
afterEach(async () => {
  await Promise.all(admins.splice(0).map((a) => a.close()));
});

function admin(bootstrap: string, security: KafkaSecurity, requestTimeoutMs = 20_000): KafkaAdmin {
  const a = new KafkaAdmin({
    bootstrap,
    clientId: 'kraftwerk-secure-test',
    connectTimeoutMs: 10_000,
    requestTimeoutMs,
    security,
  });
  admins.push(a);
  return a;
}

/** What a call failed with (the test fails if it succeeded). */
async function failure(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e as Error,
  );
}

const sasl = (mechanism: SaslMechanism, user: { name: string; password: string }) => ({
  mechanism,
  username: user.name,
  password: user.password,
});

describe.each(kafkaVersions)('Kafka %s', (version) => {
  const k = (): SecureKafka => brokers.get(version)!;

  /** describeCluster, createTopic and describeTopic through one secured KafkaAdmin. */
  async function roundTrip(bootstrap: string, security: KafkaSecurity, topic: string) {
    const a = admin(bootstrap, security);
    const cluster = await a.describeCluster();
    // Metadata names the brokers as advertised on the listener the client came in through.
    expect(cluster.brokers.map((b) => `${b.host}:${b.port}`)).toEqual([bootstrap]);
    const created = await a.createTopic({
      name: topic,
      partitions: 2,
      replicationFactor: 1,
      config: { 'retention.ms': '3600000' },
    });
    expect(created).toMatchObject({ name: topic, partitions: 2, replicationFactor: 1 });
    // 3.9 may answer Metadata from a cache that does not hold the new topic yet.
    await expect
      .poll(async () => {
        const d = await a.describeTopic(topic);
        return d && { topicId: d.topicId, partitions: d.partitions.length };
      })
      .toEqual({ topicId: created?.topicId, partitions: 2 });
  }

  it('TLS only (SSL listener), trusting the test CA', async () => {
    await roundTrip(k().ssl, { tls: { ca: k().ca } }, 'secure-ssl');
  });

  it.each([
    ['SCRAM-SHA-512', alice],
    ['SCRAM-SHA-256', alice],
    ['PLAIN', bob],
  ] as const)('SASL_SSL with %s', async (mechanism, user) => {
    await roundTrip(
      k().saslSsl,
      { tls: { ca: k().ca }, sasl: sasl(mechanism, user) },
      `secure-sasl-ssl-${mechanism.toLowerCase()}`,
    );
  });

  it.each([
    ['SCRAM-SHA-512', alice],
    ['PLAIN', bob],
  ] as const)('SASL_PLAINTEXT with %s', async (mechanism, user) => {
    await roundTrip(
      k().saslPlaintext,
      { sasl: sasl(mechanism, user) },
      `secure-sasl-plaintext-${mechanism.toLowerCase()}`,
    );
  });

  it("SCRAM with a user name holding ',' and '=' (escaped as =2C and =3D)", async () => {
    const a = admin(k().saslPlaintext, { sasl: sasl('SCRAM-SHA-512', odd) });
    await expect(a.describeCluster()).resolves.toMatchObject({ brokers: [{ nodeId: 1 }] });
  });

  it("a wrong password fails with Kafka's own message, per mechanism", async () => {
    const wrong = { ...alice, password: 'not-it' };
    const scram = await failure(
      admin(k().saslSsl, {
        tls: { ca: k().ca },
        sasl: sasl('SCRAM-SHA-512', wrong),
      }).describeCluster(),
    );
    expect(scram).toBeInstanceOf(KafkaRequestError);
    expect(scram).toMatchObject({
      code: 'SASL_AUTHENTICATION_FAILED',
      retriable: false,
      message: `SASL SCRAM-SHA-512 authentication at ${k().saslSsl} failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512`,
    });
    const plain = await failure(
      admin(k().saslPlaintext, {
        sasl: sasl('PLAIN', { ...bob, password: 'not-it' }),
      }).describeCluster(),
    );
    expect(plain).toBeInstanceOf(KafkaRequestError);
    expect(plain).toMatchObject({
      code: 'SASL_AUTHENTICATION_FAILED',
      message: `SASL PLAIN authentication at ${k().saslPlaintext} failed: Authentication failed: Invalid username or password`,
    });
  });

  it('a mechanism the listener does not enable is named with the ones it does', async () => {
    const e = await failure(
      admin(k().saslPlaintext, { sasl: sasl('SCRAM-SHA-256', alice) }).describeCluster(),
    );
    expect(e).toBeInstanceOf(KafkaRequestError);
    expect(e).toMatchObject({
      code: 'UNSUPPORTED_SASL_MECHANISM',
      message: `SASL mechanism SCRAM-SHA-256 is not enabled at ${k().saslPlaintext} (enabled: SCRAM-SHA-512, PLAIN)`,
    });
  });

  it("an untrusted CA or a name the certificate does not carry fails with node's message", async () => {
    const untrusted = await failure(admin(k().ssl, { tls: {} }).describeCluster());
    expect(untrusted).toBeInstanceOf(KafkaUnavailableError);
    expect(untrusted.message).toBe(
      `Kafka at ${k().ssl} is unavailable: ${k().ssl}: self-signed certificate in certificate chain`,
    );
    const mismatch = await failure(
      admin(k().ssl, { tls: { ca: k().ca, servername: 'kafka.example' } }).describeCluster(),
    );
    expect(mismatch).toBeInstanceOf(KafkaUnavailableError);
    expect(mismatch.message).toBe(
      `Kafka at ${k().ssl} is unavailable: ${k().ssl}: Hostname/IP does not match certificate's altnames: Host: kafka.example. is not in the cert's altnames: DNS:localhost, IP Address:127.0.0.1`,
    );
  });

  it('a plaintext client on the TLS listener fails as unavailable, without waiting for a timeout', async () => {
    const e = await failure(admin(k().ssl, {}, 60_000).describeCluster());
    // Kafka's TLS engine answers the request's bytes with an alert record (0x15 0x03 0x03 …),
    // whose first four bytes read as a 352 MB length prefix.
    expect(e).toBeInstanceOf(KafkaUnavailableError);
    expect(e.message).toBe(
      `Kafka at ${k().ssl} is unavailable: frame of 352518912 bytes exceeds the 104857600-byte limit (the start of a TLS record: is this a TLS listener?) from ${k().ssl}`,
    );
  });

  it('SASL on a listener without SASL, and no SASL on a SASL listener, both fail', async () => {
    const saslOnTls = await failure(
      admin(k().ssl, { tls: { ca: k().ca }, sasl: sasl('PLAIN', bob) }, 60_000).describeCluster(),
    );
    expect(saslOnTls).toBeInstanceOf(KafkaRequestError);
    expect(saslOnTls).toMatchObject({
      code: 'ILLEGAL_SASL_STATE',
      message: `${k().ssl} does not take a SASL handshake (enabled mechanisms: none): is it a SASL_SSL or SASL_PLAINTEXT listener?`,
    });
    // Kafka closes the connection (its log: "Unexpected Kafka request of type METADATA during
    // SASL handshake."), so the call fails at once rather than by the 60 s timeout.
    const bare = await failure(admin(k().saslPlaintext, {}, 60_000).describeCluster());
    expect(bare).toBeInstanceOf(KafkaUnavailableError);
    expect(bare.message).toBe(
      `Kafka at ${k().saslPlaintext} is unavailable: connection closed by ${k().saslPlaintext}`,
    );
  });

  it('kafkajs (not our client) agrees about what the broker demands', async () => {
    const ssl = { ca: [k().ca] };
    // Accepted: the same credentials and CA.
    await expect(
      kafkajsDescribe({
        brokers: [k().saslSsl],
        ssl,
        sasl: { mechanism: 'scram-sha-512', username: alice.name, password: alice.password },
      }),
    ).resolves.toBe(1);
    await expect(kafkajsDescribe({ brokers: [k().ssl], ssl })).resolves.toBe(1);
    // Refused: no credentials, a wrong password, no trusted CA.
    await expect(kafkajsDescribe({ brokers: [k().saslSsl], ssl })).rejects.toThrow();
    await expect(
      kafkajsDescribe({
        brokers: [k().saslSsl],
        ssl,
        sasl: { mechanism: 'scram-sha-512', username: alice.name, password: 'not-it' },
      }),
    ).rejects.toThrow(/SASL SCRAM SHA512 authentication failed/);
    await expect(kafkajsDescribe({ brokers: [k().ssl], ssl: true })).rejects.toThrow();
  });
});
