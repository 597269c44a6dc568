// The KafkaUser Secret's files work unchanged (issue #15): renderUserSecretData's output is
// written to a directory, one file per key as a Secret volume mounts it, and clients that are not
// ours connect to real Kafka 4.1 and 3.9 (test/fixtures/kafka-secure.ts, StandardAuthorizer on)
// using ONLY those files:
//   kcat -F librdkafka.properties        (run from that directory: the paths in it are relative)
//   confluent_kafka (toolchain venv)     librdkafka.properties parsed into a dict, same directory
//   kafka-topics.sh / kafka-console-producer.sh / kafka-console-consumer.sh with client.properties
//                                        (run from elsewhere: the file is self-contained)
// for a SCRAM-SHA-512 user (SASL_SSL; a password full of quoting hazards; SASL_PLAINTEXT) and a
// TLS user (MTLS listener, certificate from issueUserCertificate and the clients CA). The users
// are super users, so a success proves the principal: User:<username> (for TLS, the CN), and a
// well-signed certificate with another CN is refused by the authorizer. A wrong password and a
// certificate of another CA are refused.
//
// kcat here links librdkafka 2.0.2, whose SCRAM Kafka 4 refuses (confluentinc/librdkafka#4895,
// docs/environment.md): kcat's SCRAM checks run on Kafka 3.9 only, unless kcat is >= 2.6.1.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaUserAdmin } from '../../operator/src/kafka/user-admin.ts';
import { issueCa, type IssuedCertificate } from '../../operator/src/pki/certificates.ts';
import { issueUserCertificate } from '../../operator/src/user/user-certificate.ts';
import {
  generatePassword,
  renderUserSecretData,
  type UserCredentials,
  type UserListener,
} from '../../operator/src/user/user-secret.ts';
import { SecureKafka } from '../fixtures/kafka-secure.ts';
import { confluentKafkaPython, kafkaHome, kafkaVersions } from '../fixtures/toolchain.ts';

const KCAT = '/usr/bin/kcat';
const NOW = new Date();

const scramUser = { name: 'app-scram', password: generatePassword() };
// Every character Java's Properties, JAAS quoting or a naive parser could trip over.
const oddUser = { name: 'odd.pw@x', password: 'p"a\\s s=#!:wörd{}]' };
const tlsUser = 'app-tls';
const SUPER_USERS = [
  'User:ANONYMOUS',
  `User:${scramUser.name}`,
  `User:${oddUser.name}`,
  `User:${tlsUser}`,
];

const kcatLibrdkafka =
  /librdkafka ([0-9.]+)/.exec(execFileSync(KCAT, ['-V'], { encoding: 'utf8' }))?.[1] ?? '0';
const kcatScramOnKafka4 = (() => {
  const [a = 0, b = 0, c = 0] = kcatLibrdkafka.split('.').map(Number);
  return a * 1e6 + b * 1e3 + c >= 2_006_001;
})();
const kcatDoesScram = (version: string) => Number(version.split('.')[0]) < 4 || kcatScramOnKafka4;

let clientsCa: IssuedCertificate;
const brokers = new Map<string, { kafka: SecureKafka; users: KafkaUserAdmin }>();

beforeAll(async () => {
  clientsCa = await issueCa({ commonName: 'test-clients-ca', validityDays: 30, now: NOW });
  await Promise.all(
    kafkaVersions.map(async (version) => {
      const kafka = await SecureKafka.start({
        version,
        scram: [],
        plain: [],
        authorizer: { superUsers: SUPER_USERS },
        mtls: { clientsCaPem: clientsCa.certPem },
      });
      const users = new KafkaUserAdmin({
        bootstrap: kafka.plaintext,
        clientId: 'kraftwerk-user-client-config-test',
        connectTimeoutMs: 10_000,
        requestTimeoutMs: 20_000,
      });
      await kafka.waitReady(() => users.describeScramCredentials());
      // As the user reconciler will: SCRAM-SHA-512 credentials through the operator's client.
      for (const u of [scramUser, oddUser])
        await users.upsertScramCredential({
          user: u.name,
          mechanism: 'SCRAM-SHA-512',
          password: u.password,
        });
      brokers.set(version, { kafka, users });
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

interface Result {
  code: number | null;
  out: string;
  err: string;
}

function run(
  command: string,
  args: string[],
  opts: { cwd?: string; stdin?: string } = {},
): Promise<Result> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      {
        cwd: opts.cwd,
        timeout: 90_000,
        env: { ...process.env, KAFKA_HEAP_OPTS: '-Xmx128m' },
      },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : -1) : 0,
          out: stdout,
          err: stderr,
        }),
    );
    child.stdin?.end(opts.stdin ?? '');
  });
}

const lines = (s: string) => s.split('\n').filter((l) => l !== '');

/** The Secret as a volume mounts it: one file per key, readable by the owner only. */
function mountSecret(version: string, name: string, data: Record<string, string>): string {
  const dir = join(brokers.get(version)!.kafka.dir, 'secrets', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [key, value] of Object.entries(data))
    writeFileSync(join(dir, key), value, { mode: 0o600 });
  return dir;
}

// --- the clients -----------------------------------------------------------------------------

/** kcat from the Secret's directory: -F names files relative to it. */
const kcat = (dir: string, args: string[], stdin?: string) =>
  run(KCAT, ['-F', 'librdkafka.properties', ...args], { cwd: dir, stdin });

// confluent_kafka: librdkafka.properties read as kcat reads it (key=value per line, '#'
// comments), nothing else added but the error callback. `probe` lists topics; `produce T N P`
// sends N values acks=all and prints each acknowledged one; errors go to stderr, exit non-zero.
const pyClient = `
import sys
from confluent_kafka import KafkaException, Producer
conf = {}
with open('librdkafka.properties', encoding='utf-8') as f:
    for line in f:
        line = line.strip()
        if line and not line.startswith('#'):
            k, v = line.split('=', 1)
            conf[k] = v
errors = []
conf['error_cb'] = lambda e: errors.append('%s: %s' % (e.name(), e.str()))
mode = sys.argv[1]
if mode == 'probe':
    try:
        md = Producer(conf).list_topics(timeout=20)
        print('brokers %d' % len(md.brokers))
    except KafkaException as e:
        sys.stderr.write('\\n'.join(errors + [str(e)]) + '\\n')
        sys.exit(3)
else:
    topic, n, prefix = sys.argv[2], int(sys.argv[3]), sys.argv[4]
    p = Producer({**conf, 'acks': 'all', 'message.timeout.ms': 30000})
    def done(err, msg):
        if err is None:
            print(msg.value().decode())
        else:
            errors.append(str(err))
    for i in range(n):
        p.produce(topic, ('%s-%d' % (prefix, i)).encode(), on_delivery=done)
    if p.flush(60) or errors:
        sys.stderr.write('\\n'.join(errors) + '\\n')
        sys.exit(1)
`;
const python = (dir: string, args: string[]) =>
  run(confluentKafkaPython(), ['-c', pyClient, ...args], { cwd: dir });

/** One of Kafka's shell tools, from a directory that is not the Secret's. */
const tool = (version: string, name: string, args: string[], stdin?: string) =>
  run(join(kafkaHome(version), 'bin', name), args, { stdin, cwd: brokers.get(version)!.kafka.dir });

const ok = (r: Result) => expect(r, `${r.out}\n${r.err}`).toMatchObject({ code: 0 });
const refused = (r: Result, why: RegExp) => {
  expect(r.code, r.out).not.toBe(0);
  expect(`${r.out}\n${r.err}`).toMatch(why);
};

describe.each(kafkaVersions)('Kafka %s', (version) => {
  const k = () => brokers.get(version)!.kafka;
  const scramListener = (): UserListener => ({
    name: 'scram',
    bootstrapServers: k().saslSsl,
    securityProtocol: 'SASL_SSL',
    saslMechanism: 'SCRAM-SHA-512',
  });
  const secret = (name: string, credentials: UserCredentials, listener: UserListener) => {
    const data = renderUserSecretData({ credentials, listener, clusterCaPem: k().ca });
    return { dir: mountSecret(version, name, data), data };
  };

  /**
   * The full round: Kafka's tools create the topic and produce, kcat (when it can) and
   * confluent_kafka produce, and both Kafka's console consumer and kcat read everything back.
   */
  async function roundTrip(
    dir: string,
    data: Record<string, string>,
    topic: string,
    withKcat: boolean,
  ) {
    const bootstrap = data['bootstrap.servers']!;
    const config = join(dir, 'client.properties');
    ok(
      await tool(version, 'kafka-topics.sh', [
        '--bootstrap-server',
        bootstrap,
        '--command-config',
        config,
        '--create',
        '--topic',
        topic,
        '--partitions',
        '1',
        '--replication-factor',
        '1',
      ]),
    );
    // Independent clients at once (each JVM takes seconds to start): list, and the three
    // producers; then the two readers.
    const [listed, java, kc, py] = await Promise.all([
      tool(version, 'kafka-topics.sh', [
        '--bootstrap-server',
        bootstrap,
        '--command-config',
        config,
        '--list',
      ]),
      tool(
        version,
        'kafka-console-producer.sh',
        ['--bootstrap-server', bootstrap, '--topic', topic, '--producer.config', config],
        'java-0\njava-1\n',
      ),
      withKcat ? kcat(dir, ['-P', '-t', topic], 'kcat-0\nkcat-1\n') : undefined,
      python(dir, ['produce', topic, '3', 'py']),
    ]);
    ok(listed);
    expect(lines(listed.out)).toContain(topic);
    ok(java);
    const expected = ['java-0', 'java-1'];
    if (kc) {
      ok(kc);
      expected.push('kcat-0', 'kcat-1');
    }
    ok(py);
    expect(lines(py.out)).toEqual(['py-0', 'py-1', 'py-2']);
    expected.push('py-0', 'py-1', 'py-2');

    const [consumed, read] = await Promise.all([
      tool(version, 'kafka-console-consumer.sh', [
        '--bootstrap-server',
        bootstrap,
        '--topic',
        topic,
        '--from-beginning',
        '--max-messages',
        String(expected.length),
        '--timeout-ms',
        '60000',
        '--consumer.config',
        config,
      ]),
      withKcat ? kcat(dir, ['-C', '-t', topic, '-o', 'beginning', '-e', '-q']) : undefined,
    ]);
    ok(consumed);
    expect(lines(consumed.out).sort()).toEqual([...expected].sort());
    if (read) {
      ok(read);
      expect(lines(read.out).sort()).toEqual([...expected].sort());
    }
  }

  it(`SCRAM-SHA-512 over SASL_SSL: ${kcatDoesScram(version) ? 'kcat' : `(not kcat: its librdkafka ${kcatLibrdkafka} cannot SCRAM with Kafka 4)`}, confluent_kafka and Kafka's tools with the Secret's files`, async () => {
    const { dir, data } = secret(
      'scram',
      { type: 'scram-sha-512', username: scramUser.name, password: scramUser.password },
      scramListener(),
    );
    await roundTrip(dir, data, 'user-scram', kcatDoesScram(version));
  });

  it('SCRAM with a password full of quoting hazards (" \\ space = # ! : non-ASCII)', async () => {
    const { dir, data } = secret(
      'odd',
      { type: 'scram-sha-512', username: oddUser.name, password: oddUser.password },
      scramListener(),
    );
    ok(
      await tool(version, 'kafka-topics.sh', [
        '--bootstrap-server',
        data['bootstrap.servers']!,
        '--command-config',
        join(dir, 'client.properties'),
        '--list',
      ]),
    );
    ok(await python(dir, ['probe']));
    if (kcatDoesScram(version)) ok(await kcat(dir, ['-L']));
  });

  it('SCRAM over SASL_PLAINTEXT: no CA in the files, and they still work', async () => {
    const { dir, data } = secret(
      'scram-plaintext',
      { type: 'scram-sha-512', username: scramUser.name, password: scramUser.password },
      {
        ...scramListener(),
        bootstrapServers: k().saslPlaintext,
        securityProtocol: 'SASL_PLAINTEXT',
      },
    );
    expect(data['ca.crt']).toBeUndefined();
    ok(
      await tool(version, 'kafka-topics.sh', [
        '--bootstrap-server',
        data['bootstrap.servers']!,
        '--command-config',
        join(dir, 'client.properties'),
        '--list',
      ]),
    );
    ok(await python(dir, ['probe']));
    if (kcatDoesScram(version)) ok(await kcat(dir, ['-L']));
  });

  it('a wrong password is refused by every client', async () => {
    const { dir, data } = secret(
      'scram-wrong',
      { type: 'scram-sha-512', username: scramUser.name, password: 'not-the-password' },
      scramListener(),
    );
    // The three clients at once: each waits out its own timeouts before it gives up.
    const [java, py, kc] = await Promise.all([
      tool(version, 'kafka-topics.sh', [
        '--bootstrap-server',
        data['bootstrap.servers']!,
        '--command-config',
        join(dir, 'client.properties'),
        '--list',
      ]),
      python(dir, ['probe']),
      kcatDoesScram(version) ? kcat(dir, ['-L']) : undefined,
    ]);
    refused(java, /Authentication failed/i);
    refused(py, /Authentication failed|SASL authentication error/i);
    if (kc) refused(kc, /Authentication failed|SASL authentication error/i);
  });

  const tlsListener = (): UserListener => ({
    name: 'mtls',
    bootstrapServers: k().mtls!,
    securityProtocol: 'SSL',
  });
  const tlsSecret = async (name: string, username: string, ca: IssuedCertificate) => {
    const cert = await issueUserCertificate({
      username,
      clientsCa: ca,
      validityDays: 30,
      now: NOW,
    });
    return secret(
      name,
      { type: 'tls', username, certificatePem: cert.certPem, privateKeyPem: cert.keyPem },
      tlsListener(),
    );
  };

  it("TLS client certificate: kcat, confluent_kafka and Kafka's tools with the Secret's files", async () => {
    const { dir, data } = await tlsSecret('tls', tlsUser, clientsCa);
    await roundTrip(dir, data, 'user-tls', true);
  });

  it('a certificate with another CN is authenticated as that CN, and the authorizer refuses it', async () => {
    const { dir, data } = await tlsSecret('tls-intruder', 'intruder', clientsCa);
    ok(await python(dir, ['probe'])); // authenticated: TLS works
    refused(
      await python(dir, ['produce', 'user-tls', '1', 'x']),
      /TOPIC_AUTHORIZATION_FAILED|Topic authorization failed/i,
    );
    // kafka-console-producer.sh exits 0 after logging a refusal; kafka-topics.sh does not.
    refused(
      await tool(version, 'kafka-topics.sh', [
        '--bootstrap-server',
        data['bootstrap.servers']!,
        '--command-config',
        join(dir, 'client.properties'),
        '--create',
        '--topic',
        'intruder',
      ]),
      /Authorization failed|AuthorizationException/i,
    );
  });

  it('a certificate of another CA is refused', async () => {
    const otherCa = await issueCa({ commonName: 'test-clients-ca', validityDays: 30, now: NOW });
    const { dir, data } = await tlsSecret('tls-other-ca', tlsUser, otherCa);
    // The three clients at once: each waits out its own timeouts before it gives up.
    const [kc, py, java] = await Promise.all([
      kcat(dir, ['-L', '-m', '15']),
      python(dir, ['probe']),
      tool(version, 'kafka-topics.sh', [
        '--bootstrap-server',
        data['bootstrap.servers']!,
        '--command-config',
        join(dir, 'client.properties'),
        '--list',
      ]),
    ]);
    refused(kc, /SSL|handshake|certificate|Broker transport failure|timed out/i);
    refused(py, /SSL|handshake|certificate/i);
    refused(java, /SSL|handshake|certificate/i);
  });
});
