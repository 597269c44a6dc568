// SCRAM credentials written by the operator's own client (KafkaUserAdmin: KIP-554
// AlterUserScramCredentials / DescribeUserScramCredentials) against real Kafka 4.1 and 3.9
// (test/fixtures/kafka-secure.ts). The admin talks to the PLAINTEXT listener; the users it
// creates then authenticate on the SASL_SSL listener with clients that are not ours — kcat and
// Python's confluent_kafka (both librdkafka) — and with ours. Kafka's refusals come back in
// Kafka's own words. Passwords go to the other clients through a file or stdin, never argv, and
// no error message may carry one.
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaRequestError } from '../../operator/src/kafka/errors.ts';
import { KafkaAdmin } from '../../operator/src/kafka/kafka-admin.ts';
import { KafkaUserAdmin } from '../../operator/src/kafka/user-admin.ts';
import type { AclBinding, AclFilter } from '../../operator/src/kafka/user-port.ts';
import { SecureKafka, type SecureUser } from '../fixtures/kafka-secure.ts';
import { kafkaHome, kafkaVersions } from '../fixtures/toolchain.ts';

const brokers = new Map<string, { kafka: SecureKafka; users: KafkaUserAdmin; caFile: string }>();

beforeAll(async () => {
  await Promise.all(
    kafkaVersions.map(async (version) => {
      const kafka = await SecureKafka.start({
        version,
        scram: [],
        plain: [{ name: 'bob', password: 'bob-secret' }],
        // The admin on the PLAINTEXT listener is ANONYMOUS; SCRAM users hold no ACLs but
        // the ACL test's: they can connect and list what they may see.
        authorizer: { superUsers: ['User:ANONYMOUS'] },
      });
      const users = new KafkaUserAdmin({
        bootstrap: kafka.plaintext,
        clientId: 'kraftwerk-scram-admin-test',
        connectTimeoutMs: 10_000,
        requestTimeoutMs: 20_000,
      });
      await kafka.waitReady(() => users.describeScramCredentials());
      const caFile = join(kafka.dir, 'pki', 'ca-for-clients.pem');
      writeFileSync(caFile, kafka.ca);
      brokers.set(version, { kafka, users, caFile });
    }),
  );
}, 180_000);

afterAll(async () => {
  await Promise.all(
    [...brokers.values()].map(async (b) => {
      await b.users.close();
      await b.kafka.stop();
    }),
  );
});

type Outcome = { ok: true } | { ok: false; why: string };

const execFileP = promisify(execFile);

function run(command: string, args: string[], stdin?: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const env = { ...process.env, KAFKA_HEAP_OPTS: '-Xmx128m' };
    const child = execFile(command, args, { timeout: 60_000, env }, (error, stdout, stderr) =>
      resolve(error ? { ok: false, why: `${stdout}${stderr}`.trim() } : { ok: true }),
    );
    child.stdin?.end(stdin ?? '');
  });
}

/** A client config file only the test's user may read: passwords go there, not into argv. */
function configFile(version: string, name: string, lines: string[]): string {
  const file = join(brokers.get(version)!.kafka.dir, name);
  writeFileSync(file, lines.join('\n') + '\n', { mode: 0o600 });
  return file;
}

/** kcat -L over SASL_SSL with SCRAM-SHA-512. */
async function kcat(version: string, user: SecureUser): Promise<Outcome> {
  const { kafka, caFile } = brokers.get(version)!;
  const config = configFile(version, `kcat-${user.name}.conf`, [
    'security.protocol=SASL_SSL',
    'sasl.mechanisms=SCRAM-SHA-512',
    `sasl.username=${user.name}`,
    `sasl.password=${user.password}`,
    `ssl.ca.location=${caFile}`,
  ]);
  return run('/usr/bin/kcat', ['-F', config, '-b', kafka.saslSsl, '-L', '-J', '-m', '10']);
}

// confluent_kafka's AdminClient lists topics; an authentication failure arrives at error_cb
// (librdkafka gives up on that broker) and is printed, then the script exits non-zero.
const confluentScript = `
import json, sys
from confluent_kafka.admin import AdminClient
p = json.load(sys.stdin)
errors = []
admin = AdminClient({
  'bootstrap.servers': p['bootstrap'], 'security.protocol': 'SASL_SSL',
  'sasl.mechanisms': 'SCRAM-SHA-512', 'sasl.username': p['user'], 'sasl.password': p['password'],
  'ssl.ca.location': p['ca'], 'error_cb': lambda e: errors.append(str(e)),
})
try:
  admin.list_topics(timeout=15)
except Exception as e:
  print('; '.join(errors) or str(e)); sys.exit(1)
`;

function confluent(version: string, user: SecureUser): Promise<Outcome> {
  const { kafka, caFile } = brokers.get(version)!;
  return run(
    '/usr/bin/python3',
    ['-c', confluentScript],
    JSON.stringify({
      bootstrap: kafka.saslSsl,
      user: user.name,
      password: user.password,
      ca: caFile,
    }),
  );
}

/** kafka-topics.sh --list as `user` over SASL_SSL (Kafka's own Java client). */
function kafkaTopicsArgs(version: string, user: SecureUser): [string, string[]] {
  const { kafka, caFile } = brokers.get(version)!;
  const config = configFile(version, `java-${user.name}.properties`, [
    'security.protocol=SASL_SSL',
    'sasl.mechanism=SCRAM-SHA-512',
    // JAAS quoting: the test passwords hold no '"' or '\\'.
    `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${user.name}" password="${user.password}";`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${caFile}`,
    'request.timeout.ms=15000',
    'default.api.timeout.ms=20000',
  ]);
  return [
    join(kafkaHome(version), 'bin/kafka-topics.sh'),
    ['--bootstrap-server', kafka.saslSsl, '--command-config', config, '--list'],
  ];
}

function kafkaJava(version: string, user: SecureUser): Promise<Outcome> {
  return run(...kafkaTopicsArgs(version, user));
}

/** The topics `user` may see, as kafka-topics.sh lists them. */
async function javaTopics(version: string, user: SecureUser): Promise<string[]> {
  const { stdout } = await execFileP(...kafkaTopicsArgs(version, user), {
    timeout: 60_000,
    env: { ...process.env, KAFKA_HEAP_OPTS: '-Xmx128m' },
  });
  return stdout.split('\n').filter((t) => t !== '' && !t.startsWith('__'));
}

/** Our own client over SASL_SSL: one Metadata request. */
async function ours(version: string, user: SecureUser): Promise<Outcome> {
  const { kafka } = brokers.get(version)!;
  const admin = new KafkaAdmin({
    bootstrap: kafka.saslSsl,
    clientId: 'kraftwerk-scram-user',
    connectTimeoutMs: 10_000,
    requestTimeoutMs: 20_000,
    security: {
      tls: { ca: kafka.ca },
      sasl: { mechanism: 'SCRAM-SHA-512', username: user.name, password: user.password },
    },
  });
  try {
    await admin.describeCluster();
    return { ok: true };
  } catch (e) {
    return { ok: false, why: `${(e as Error).name}: ${(e as Error).message}` };
  } finally {
    await admin.close();
  }
}

// librdkafka before 2.6.1 appends its nonce twice in the SCRAM client-final-message; Kafka 4
// checks the nonce strictly (RFC 5802) and refuses it as invalid credentials, whoever made the
// credential (confluentinc/librdkafka#4895). So kcat and confluent_kafka can only vouch for a
// credential on Kafka 4 when their librdkafka is 2.6.1 or newer.
const librdkafka = execFileSync(
  '/usr/bin/python3',
  ['-c', 'import confluent_kafka; print(confluent_kafka.libversion()[0])'],
  { encoding: 'utf8' },
).trim();
const kcatLibrdkafka = /librdkafka ([0-9.]+)/.exec(
  execFileSync('/usr/bin/kcat', ['-V'], { encoding: 'utf8' }),
)?.[1];
const atLeast = (v: string | undefined, min: number[]) => {
  const parts = (v ?? '0').split('.').map(Number);
  for (let i = 0; i < min.length; i++)
    if ((parts[i] ?? 0) !== min[i]) return (parts[i] ?? 0) > min[i]!;
  return true;
};
const scramOnKafka4 = atLeast(librdkafka, [2, 6, 1]) && atLeast(kcatLibrdkafka, [2, 6, 1]);

/** The clients that can authenticate with SCRAM against this Kafka version. */
function clientsFor(version: string) {
  const java = { kafkaJava, ours };
  return Number(version.split('.')[0]) >= 4 && !scramOnKafka4 ? java : { kcat, confluent, ...java };
}

/** What a call failed with (the test fails if it succeeded). */
async function failure(p: Promise<unknown>): Promise<KafkaRequestError> {
  return p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(KafkaRequestError);
      return e as KafkaRequestError;
    },
  );
}

/** A broker applies a credential from the metadata log a moment after the controller wrote it. */
const settle = { timeout: 60_000, interval: 500 };

describe.each(kafkaVersions)('Kafka %s', (version) => {
  const users = (): KafkaUserAdmin => brokers.get(version)!.users;
  const createUser = (user: SecureUser) =>
    users().upsertScramCredential({
      user: user.name,
      mechanism: 'SCRAM-SHA-512',
      password: user.password,
    });

  it('a SCRAM-SHA-512 user it creates authenticates with Kafka’s own client, librdkafka (where it can) and ours', async () => {
    const carol = { name: 'carol', password: 'carol-Secret-1' };
    await createUser(carol); // 8192 iterations by default
    await expect
      .poll(() => users().describeScramCredentials([carol.name]), settle)
      .toEqual([
        {
          user: 'carol',
          credentials: [{ mechanism: 'SCRAM-SHA-512', iterations: 8192 }],
          error: undefined,
        },
      ]);
    for (const [name, client] of Object.entries(clientsFor(version))) {
      await expect.poll(() => client(version, carol), settle).toEqual({ ok: true });
      // The wrong password is refused by the same client.
      const wrong = await client(version, { name: carol.name, password: 'not-carols' });
      expect(wrong.ok, name).toBe(false);
      if (!wrong.ok) {
        expect(wrong.why, name).toMatch(/[Aa]uthentication failed/);
        expect(wrong.why, name).not.toContain('not-carols');
      }
    }
    // Describing everyone lists carol among the users with credentials.
    const all = await users().describeScramCredentials();
    expect(all.find((u) => u.user === 'carol')?.credentials).toEqual([
      { mechanism: 'SCRAM-SHA-512', iterations: 8192 },
    ]);
  });

  it('one alteration answers once per user; one user twice in it is Kafka’s DUPLICATE_RESOURCE', async () => {
    const dave = { name: 'dave', password: 'dave-Secret-2' };
    const erin = { name: 'erin', password: 'erin-Secret-3' };
    const twice = await users().alterScramCredentials({
      upsertions: [
        { user: dave.name, mechanism: 'SCRAM-SHA-256', password: dave.password, iterations: 4096 },
        { user: dave.name, mechanism: 'SCRAM-SHA-512', password: dave.password },
        { user: erin.name, mechanism: 'SCRAM-SHA-512', password: erin.password },
      ],
    });
    const byUser = new Map(twice.map((r) => [r.user, r.error]));
    expect([...byUser.keys()].sort()).toEqual(['dave', 'erin']);
    expect([byUser.get('dave')?.code, byUser.get('dave')?.message]).toEqual([
      'DUPLICATE_RESOURCE',
      'A user credential cannot be altered twice in the same request',
    ]);
    expect(byUser.get('erin')).toBeUndefined();
    // Nothing of dave's was written; one request per mechanism is how both get there.
    const [refused] = await users().describeScramCredentials([dave.name]);
    expect(refused?.error?.code).toBe('RESOURCE_NOT_FOUND');
    for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const)
      await users().upsertScramCredential({ user: dave.name, mechanism, password: dave.password });
    await expect
      .poll(async () => {
        const [d] = await users().describeScramCredentials([dave.name]);
        return [...(d?.credentials ?? [])].sort((a, b) => a.mechanism.localeCompare(b.mechanism));
      }, settle)
      .toEqual([
        { mechanism: 'SCRAM-SHA-256', iterations: 8192 },
        { mechanism: 'SCRAM-SHA-512', iterations: 8192 },
      ]);
    for (const [name, client] of Object.entries(clientsFor(version)))
      for (const user of [dave, erin])
        await expect
          .poll(() => client(version, user), { ...settle, message: name })
          .toEqual({
            ok: true,
          });
  });

  it('after delete the user is refused, and describing it is Kafka’s RESOURCE_NOT_FOUND', async () => {
    const frank = { name: 'frank', password: 'frank-Secret-4' };
    await createUser(frank);
    await expect.poll(() => ours(version, frank), settle).toEqual({ ok: true });
    await users().deleteScramCredential({ user: frank.name, mechanism: 'SCRAM-SHA-512' });
    await expect.poll(async () => (await ours(version, frank)).ok, settle).toBe(false);
    for (const [name, client] of Object.entries(clientsFor(version))) {
      const after = await client(version, frank);
      expect(after.ok, name).toBe(false);
      if (!after.ok) expect(after.why, name).toMatch(/[Aa]uthentication failed/);
    }
    const [described] = await users().describeScramCredentials([frank.name]);
    expect(described?.credentials).toEqual([]);
    expect(described?.error).toBeInstanceOf(KafkaRequestError);
    expect([described?.error?.code, described?.error?.message]).toEqual([
      'RESOURCE_NOT_FOUND',
      'Attempt to describe a user credential that does not exist: frank',
    ]);
  });

  it('refusals are Kafka’s own: too few or too many iterations, deleting what is not there', async () => {
    const upsert = (iterations: number) =>
      users().upsertScramCredential({
        user: 'grace',
        mechanism: 'SCRAM-SHA-512',
        password: 'grace-Secret-5',
        iterations,
      });
    const few = await failure(upsert(1000));
    expect([few.code, few.message, few.retriable]).toEqual([
      'UNACCEPTABLE_CREDENTIAL',
      'Too few iterations',
      false,
    ]);
    const many = await failure(upsert(20_000));
    expect([many.code, many.message]).toEqual(['UNACCEPTABLE_CREDENTIAL', 'Too many iterations']);
    for (const e of [few, many]) expect(e.message).not.toContain('grace-Secret-5');

    const gone = await failure(
      users().deleteScramCredential({ user: 'nobody', mechanism: 'SCRAM-SHA-256' }),
    );
    expect([gone.code, gone.message]).toEqual([
      'RESOURCE_NOT_FOUND',
      'Attempt to delete a user credential that does not exist',
    ]);
    // Nothing was written for grace.
    const [grace] = await users().describeScramCredentials(['grace']);
    expect(grace?.error?.code).toBe('RESOURCE_NOT_FOUND');
  });
  it('ACLs it creates are enforced for a SCRAM user, listed, and deleted again', async () => {
    const henry = { name: 'henry', password: 'henry-Secret-6' };
    await createUser(henry);
    const admin = new KafkaAdmin({ bootstrap: brokers.get(version)!.kafka.plaintext });
    try {
      for (const name of ['orders', 'secret'])
        await admin.createTopic({ name, partitions: 1, replicationFactor: 1, config: {} });
    } finally {
      await admin.close();
    }
    const describeOrders: AclBinding = {
      resourceType: 'TOPIC',
      resourceName: 'orders',
      patternType: 'LITERAL',
      principal: 'User:henry',
      host: '*',
      operation: 'DESCRIBE',
      permissionType: 'ALLOW',
    };
    const readGroups: AclBinding = {
      resourceType: 'GROUP',
      resourceName: 'henry-',
      patternType: 'PREFIXED',
      principal: 'User:henry',
      host: '*',
      operation: 'READ',
      permissionType: 'ALLOW',
    };
    const henrys: AclFilter = {
      resourceType: 'ANY',
      resourceName: null,
      patternType: 'ANY',
      principal: 'User:henry',
      host: null,
      operation: 'ANY',
      permissionType: 'ANY',
    };
    const byResource = (acls: readonly AclBinding[]) =>
      [...acls].sort((a, b) => a.resourceType.localeCompare(b.resourceType));

    expect(await users().createAcls([describeOrders, readGroups])).toEqual([undefined, undefined]);
    await expect
      .poll(async () => byResource(await users().describeAcls(henrys)), settle)
      .toEqual([readGroups, describeOrders]);
    // Kafka's own client, as henry, sees the topic the ACL names and not the other one.
    await expect.poll(() => javaTopics(version, henry), settle).toEqual(['orders']);

    const [removed] = await users().deleteAcls([{ ...henrys, resourceType: 'TOPIC' }]);
    expect(removed).toEqual({ deleted: [describeOrders], error: undefined });
    await expect.poll(() => users().describeAcls(henrys), settle).toEqual([readGroups]);
    await expect.poll(() => javaTopics(version, henry), settle).toEqual([]);

    // Kafka's own refusal, per binding; the valid one beside it is created.
    const other = { ...readGroups, resourceName: 'other-' };
    const [empty, fine] = await users().createAcls([
      { ...describeOrders, resourceName: '' },
      other,
    ]);
    expect([empty?.code, empty?.message]).toEqual([
      'INVALID_REQUEST',
      'Invalid empty resource name',
    ]);
    expect(fine).toBeUndefined();
    await expect.poll(async () => (await users().describeAcls(henrys)).length, settle).toBe(2);
  });
});
