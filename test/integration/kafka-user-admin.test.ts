// The KafkaUser side of the user port against real Kafka 4.1 and 3.9 with StandardAuthorizer
// (test/fixtures/kafka-secure.ts): user quotas written by our DescribeClientQuotas /
// AlterClientQuotas read back by Kafka's own kafka-configs.sh, and BatchingUserPort coalescing
// what 200 concurrent KafkaUser reconciles ask (ACLs, quotas, SCRAM credentials) into a few
// requests, counted on the wire (KafkaClient.requests), with Kafka's AclCommand (kafka-acls.sh)
// as the independent witness of what was written.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaClient } from '../../operator/src/kafka/client.ts';
import { KafkaConnections } from '../../operator/src/kafka/connections.ts';
import { KafkaUserAdmin } from '../../operator/src/kafka/user-admin.ts';
import { BatchingUserPort } from '../../operator/src/kafka/user-batcher.ts';
import type { AclBinding, AclFilter, UserQuotas } from '../../operator/src/kafka/user-port.ts';
import { SecureKafka } from '../fixtures/kafka-secure.ts';
import { kafkaHome, kafkaVersions } from '../fixtures/toolchain.ts';

const execFileP = promisify(execFile);

interface Broker {
  kafka: SecureKafka;
  client: KafkaClient;
  /** Unbatched, over `client`: the reference the batched port is compared with. */
  admin: KafkaUserAdmin;
  users: BatchingUserPort;
}

const brokers = new Map<string, Broker>();

beforeAll(async () => {
  await Promise.all(
    kafkaVersions.map(async (version) => {
      const kafka = await SecureKafka.start({
        version,
        scram: [],
        plain: [],
        // Our admin on the PLAINTEXT listener is ANONYMOUS.
        authorizer: { superUsers: ['User:ANONYMOUS'] },
      });
      const client = new KafkaClient({
        bootstrap: kafka.plaintext,
        clientId: 'kraftwerk-user-admin-test',
        connectTimeoutMs: 10_000,
        requestTimeoutMs: 20_000,
      });
      const admin = new KafkaUserAdmin(client);
      await kafka.waitReady(() => admin.describeUserQuotas());
      brokers.set(version, { kafka, client, admin, users: new BatchingUserPort(admin) });
    }),
  );
}, 180_000);

afterAll(async () => {
  await Promise.all(
    [...brokers.values()].map(async (b) => {
      b.client.close();
      await b.kafka.stop();
    }),
  );
});

const env = { ...process.env, KAFKA_HEAP_OPTS: '-Xmx128m' };

/** Kafka's own tool, over the PLAINTEXT listener. */
async function kafkaTool(version: string, tool: string, args: string[]): Promise<string> {
  const { stdout } = await execFileP(join(kafkaHome(version), 'bin', tool), args, {
    timeout: 90_000,
    env,
  });
  return stdout;
}

/** kafka-acls.sh's class (the toolchain ships only the scripts the tests use): it moved from
 *  core to tools in Kafka 4.0. */
const aclCommand = (version: string): string =>
  Number(version.split('.')[0]) >= 4
    ? 'org.apache.kafka.tools.AclCommand'
    : 'kafka.admin.AclCommand';

/** `kafka-configs.sh --describe --entity-type users [--entity-name user]`, one line per entity. */
async function configsDescribe(version: string, user?: string): Promise<string[]> {
  const out = await kafkaTool(version, 'kafka-configs.sh', [
    '--bootstrap-server',
    brokers.get(version)!.kafka.plaintext,
    '--describe',
    '--entity-type',
    'users',
    ...(user ? ['--entity-name', user] : []),
  ]);
  return out.split('\n').filter((l) => l.trim() !== '');
}

/** The key=value pairs kafka-configs.sh prints for one user's quotas, sorted; [] for none. */
async function configsQuotas(version: string, user: string): Promise<string[]> {
  const line = (await configsDescribe(version, user)).find((l) =>
    l.includes(`user-principal '${user}'`),
  );
  const values = line?.split(' are ')[1];
  return values ? values.split(', ').sort() : [];
}

const byPrincipal = (principal: string | null): AclFilter => ({
  resourceType: 'ANY',
  resourceName: null,
  patternType: 'ANY',
  principal,
  host: null,
  operation: 'ANY',
  permissionType: 'ANY',
});

/** Exactly one binding, as the user reconciler deletes what it did not declare. */
const exactly = (a: AclBinding): AclFilter => ({ ...a });

/** A broker serves what the controller wrote once it has read that far in the metadata log. */
const settle = { timeout: 60_000, interval: 500 };

/** Requests of each kind `client` sent while `work` ran. */
async function counted<T>(
  client: KafkaClient,
  work: () => Promise<T>,
): Promise<{ result: T; requests: Record<string, number> }> {
  const before = new Map(client.requests);
  const result = await work();
  const requests: Record<string, number> = {};
  for (const [api, n] of client.requests) {
    const d = n - (before.get(api) ?? 0);
    if (d > 0) requests[api] = d;
  }
  return { result, requests };
}

describe.each(kafkaVersions)('Kafka %s', (version) => {
  const b = (): Broker => brokers.get(version)!;

  it('sets, changes and removes user quotas, as kafka-configs.sh --entity-type users shows them', async () => {
    const { users } = b();
    const alice: UserQuotas = {
      producer_byte_rate: 1048576,
      consumer_byte_rate: 2097152,
      request_percentage: 50,
      controller_mutation_rate: 10,
    };
    expect(await users.alterUserQuotas([{ user: 'alice', set: alice, remove: [] }])).toEqual([
      { user: 'alice', error: undefined },
    ]);
    await expect
      .poll(() => users.describeUserQuotas(['alice']), settle)
      .toEqual(new Map([['alice', alice]]));
    // Kafka prints every quota as a double.
    expect(await configsQuotas(version, 'alice')).toEqual([
      'consumer_byte_rate=2097152.0',
      'controller_mutation_rate=10.0',
      'producer_byte_rate=1048576.0',
      'request_percentage=50.0',
    ]);

    // Changed and removed in one alteration.
    await users.alterUserQuotas([
      {
        user: 'alice',
        set: { producer_byte_rate: 4096 },
        remove: ['request_percentage', 'controller_mutation_rate'],
      },
    ]);
    const changed = { producer_byte_rate: 4096, consumer_byte_rate: 2097152 };
    await expect
      .poll(() => users.describeUserQuotas(['alice']), settle)
      .toEqual(new Map([['alice', changed]]));
    expect(await configsQuotas(version, 'alice')).toEqual([
      'consumer_byte_rate=2097152.0',
      'producer_byte_rate=4096.0',
    ]);

    // Entities that are not exactly {user: name} are not a user's quotas: user+client-id and the
    // default user, written by kafka-configs.sh, stay out of every answer.
    const kafka = b().kafka;
    for (const entity of [
      ['--entity-type', 'users', '--entity-name', 'alice', '--entity-type', 'clients'],
      ['--entity-type', 'users', '--entity-default'],
    ])
      await kafkaTool(version, 'kafka-configs.sh', [
        '--bootstrap-server',
        kafka.plaintext,
        '--alter',
        ...entity,
        ...(entity.includes('clients') ? ['--entity-name', 'app'] : []),
        '--add-config',
        'consumer_byte_rate=777',
      ]);
    await expect
      .poll(async () => (await configsDescribe(version)).join('\n'), settle)
      .toMatch(/default/);
    const all = await users.describeUserQuotas();
    expect(all.get('alice')).toEqual(changed);
    expect([...all.values()].some((q) => q.consumer_byte_rate === 777)).toBe(false);

    // Removing the rest leaves alice without quotas: absent from the answer, and kafka-configs.sh
    // lists none for her (the client-id entity under her name is not hers to remove).
    await users.alterUserQuotas([
      { user: 'alice', set: {}, remove: ['producer_byte_rate', 'consumer_byte_rate'] },
    ]);
    await expect.poll(() => users.describeUserQuotas(['alice']), settle).toEqual(new Map());
    expect(await configsQuotas(version, 'alice')).toEqual([]);
    expect((await users.describeUserQuotas()).has('alice')).toBe(false);
  }, 180_000);

  it('reports Kafka’s refusal of a quota per user, in Kafka’s words, and writes the others', async () => {
    const { users } = b();
    const results = await users.alterUserQuotas([
      { user: 'bad-quota', set: { request_percentage: -5 }, remove: [] },
      { user: 'good-quota', set: { producer_byte_rate: 1000 }, remove: [] },
      // One key both set and removed: Kafka takes a key once per entity, and says so in words
      // meant for an entity named twice (its duplicate-key text is overwritten).
      { user: 'twice-quota', set: { producer_byte_rate: 1 }, remove: ['producer_byte_rate'] },
    ]);
    expect(results[0]?.error?.code).toBe('INVALID_REQUEST');
    expect(results[0]?.error?.message).toBe('Quota request_percentage must be greater than 0');
    expect(results[1]).toEqual({ user: 'good-quota', error: undefined });
    expect([results[2]?.error?.code, results[2]?.error?.message]).toEqual([
      'INVALID_REQUEST',
      'Ignoring duplicate entity ClientQuotaEntity(entries={user=twice-quota})',
    ]);
    await expect
      .poll(() => users.describeUserQuotas(['bad-quota', 'good-quota', 'twice-quota']), settle)
      .toEqual(new Map([['good-quota', { producer_byte_rate: 1000 }]]));
  }, 60_000);

  it('200 concurrent users: ACLs, quotas and credentials in a few requests each', async () => {
    const { client, admin, users, kafka } = b();
    const names = Array.from({ length: 200 }, (_, i) => `bulk-${i}`);
    const principal = (n: string) => `User:${n}`;
    const aclsOf = (n: string): AclBinding[] => [
      {
        resourceType: 'TOPIC',
        resourceName: `${n}-`,
        patternType: 'PREFIXED',
        principal: principal(n),
        host: '*',
        operation: 'WRITE',
        permissionType: 'ALLOW',
      },
      {
        resourceType: 'GROUP',
        resourceName: n,
        patternType: 'LITERAL',
        principal: principal(n),
        host: '*',
        operation: 'READ',
        permissionType: 'ALLOW',
      },
    ];
    const report: Record<string, Record<string, number>> = {};

    // What each reconcile does first: observe its principal's ACLs (none yet), then create.
    const observed = await counted(client, () =>
      Promise.all(names.map((n) => users.describeAcls(byPrincipal(principal(n))))),
    );
    report['describe (empty)'] = observed.requests;
    expect(observed.result.every((acls) => acls.length === 0)).toBe(true);
    const created = await counted(client, () =>
      Promise.all(names.map((n) => users.createAcls(aclsOf(n)))),
    );
    report['create'] = created.requests;
    expect(created.result.flat().every((e) => e === undefined)).toBe(true);

    // Each reconcile sees exactly its own two, and Kafka holds 400.
    await expect
      .poll(async () => (await admin.describeAcls(byPrincipal(null))).length, settle)
      .toBeGreaterThanOrEqual(400);
    const described = await counted(client, () =>
      Promise.all(names.map((n) => users.describeAcls(byPrincipal(principal(n))))),
    );
    report['describe'] = described.requests;
    described.result.forEach((acls, i) => {
      const sort = (l: readonly AclBinding[]) =>
        [...l].sort((x, y) => x.resourceType.localeCompare(y.resourceType));
      expect(sort(acls)).toEqual(sort(aclsOf(names[i]!)));
    });
    // kafka-acls.sh's AclCommand (Kafka's own AdminClient) sees one user's ACLs as written.
    const listed = await kafkaTool(version, 'kafka-run-class.sh', [
      aclCommand(version),
      '--bootstrap-server',
      kafka.plaintext,
      '--list',
      '--principal',
      'User:bulk-7',
    ]);
    expect(listed).toContain('resourceType=TOPIC, name=bulk-7-, patternType=PREFIXED');
    expect(listed).toContain('resourceType=GROUP, name=bulk-7, patternType=LITERAL');
    expect(listed).toContain(
      'principal=User:bulk-7, host=*, operation=WRITE, permissionType=ALLOW',
    );

    // Quotas and SCRAM credentials of all 200.
    const quotas = await counted(client, () =>
      Promise.all(
        names.map((n, i) =>
          users.alterUserQuotas([{ user: n, set: { producer_byte_rate: 1000 + i }, remove: [] }]),
        ),
      ),
    );
    report['alter quotas'] = quotas.requests;
    expect(quotas.result.flat().every((r) => r.error === undefined)).toBe(true);
    await expect.poll(async () => (await admin.describeUserQuotas(names)).size, settle).toBe(200);
    const readQuotas = await counted(client, () =>
      Promise.all(names.map((n) => users.describeUserQuotas([n]))),
    );
    report['describe quotas'] = readQuotas.requests;
    readQuotas.result.forEach((q, i) =>
      expect(q).toEqual(new Map([[names[i], { producer_byte_rate: 1000 + i }]])),
    );
    const scram = await counted(client, () =>
      Promise.all(
        names.map((n) =>
          users.upsertScramCredential({
            user: n,
            mechanism: 'SCRAM-SHA-512',
            password: `${n}-Secret`,
            iterations: 4096,
          }),
        ),
      ),
    );
    report['upsert credentials'] = scram.requests;

    // Deletion: each reconcile removes exactly its own bindings, its quota and its credential.
    const deleted = await counted(client, () =>
      Promise.all(names.map((n) => users.deleteAcls(aclsOf(n).map(exactly)))),
    );
    report['delete'] = deleted.requests;
    expect(
      deleted.result.flat().every((d) => d.error === undefined && d.deleted.length === 1),
    ).toBe(true);
    await Promise.all([
      ...names.map((n) =>
        users.alterUserQuotas([{ user: n, set: {}, remove: ['producer_byte_rate'] }]),
      ),
      ...names.map((n) => users.deleteScramCredential({ user: n, mechanism: 'SCRAM-SHA-512' })),
    ]);
    await expect
      .poll(async () => {
        const left = await admin.describeAcls(byPrincipal(null));
        return left.filter((a) => a.principal.startsWith('User:bulk-')).length;
      }, settle)
      .toBe(0);
    await expect.poll(async () => (await admin.describeUserQuotas(names)).size, settle).toBe(0);

    console.log(`Kafka ${version}, 200 users, requests per step: ${JSON.stringify(report)}`);
    // Per step: one describe (up to 1000 callers share one any-principal or any-user request)
    // and two requests of 100 for the writes; never one request per user.
    expect(report['describe (empty)']).toEqual({ DescribeAcls: 1 });
    expect(report['describe']).toEqual({ DescribeAcls: 1 });
    expect(report['describe quotas']).toEqual({ DescribeClientQuotas: 1 });
    for (const [step, api] of [
      ['create', 'CreateAcls'],
      ['delete', 'DeleteAcls'],
      ['alter quotas', 'AlterClientQuotas'],
      ['upsert credentials', 'AlterUserScramCredentials'],
    ] as const) {
      expect(Object.keys(report[step]!), step).toEqual([api]);
      expect(report[step]![api], step).toBeLessThanOrEqual(4);
    }
  }, 300_000);

  it('KafkaConnections.user is the batched port over the cluster’s shared connections', async () => {
    const connections = new KafkaConnections({ clientId: 'kraftwerk-user-connections-test' });
    try {
      const bootstrap = b().kafka.plaintext;
      const port = connections.user(bootstrap);
      await port.alterUserQuotas([{ user: 'shared', set: { consumer_byte_rate: 5 }, remove: [] }]);
      await expect
        .poll(() => port.describeUserQuotas(['shared']), settle)
        .toEqual(new Map([['shared', { consumer_byte_rate: 5 }]]));
      await connections.get(bootstrap).describeCluster();
      expect(connections.keys()).toEqual([bootstrap]);
      await port.alterUserQuotas([{ user: 'shared', set: {}, remove: ['consumer_byte_rate'] }]);
    } finally {
      await connections.closeAll();
    }
  }, 60_000);
});
