// KafkaTopic and KafkaConsumerGroup on a Kafka kraftwerk does not manage (spec.bootstrapServers)
// that wants TLS and credentials: spec.authentication and spec.tls name Secrets in the
// resource's namespace, with the keys a KafkaUser's Secret has. The whole operator runs
// in-process against the real kube-apiserver; real Kafka 4.1.1 (test/fixtures/kafka-secure.ts)
// offers SASL_SSL (SCRAM-SHA-512, SCRAM-SHA-256, PLAIN), SASL_PLAINTEXT (PLAIN) and, as its
// REPLICATION listener, SSL with client certificates required (a CA made here with
// operator/src/pki). kafkajs on the PLAINTEXT listener, a client that is not ours, says what is
// in Kafka. Bad input: a wrong password, a Secret not there yet, a key that is not the
// certificate's; each a Ready=False condition and an Event, and nothing made in Kafka. A changed
// Secret takes effect without a restart.
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KafkaConsumerGroup } from '../../operator/src/api/kafka-consumer-group.ts';
import type { KafkaTopic } from '../../operator/src/api/kafka-topic.ts';
import { issueCa, issueLeaf, type IssuedCertificate } from '../../operator/src/pki/certificates.ts';
import { SecureKafka } from '../fixtures/kafka-secure.ts';
import {
  createResource,
  eventsFor,
  getResource,
  kraftwerkPath,
  startTestOperator,
  waitForEvent,
  type TestOperator,
} from '../fixtures/operator.ts';
import { waitFor } from '../fixtures/process.ts';

const VERSION = '4.1.1';
const namespace = `external-auth-${process.pid}`;
const alice = { name: 'alice', password: 'alice-secret' };
const pat = { name: 'pat', password: 'pat-secret' };

let kafka: SecureKafka;
let op: TestOperator;
/** The CA of the mTLS (REPLICATION) listener: it signed the broker's and the client's certificates. */
let mtlsCa: IssuedCertificate;
let client: IssuedCertificate;

type Conditioned = {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
};
const readyOf = (o: Conditioned | undefined) =>
  o?.status?.conditions?.find((c) => c.type === 'Ready');

async function putSecret(name: string, data: Record<string, string>): Promise<void> {
  await op.client.request('POST', `/api/v1/namespaces/${namespace}/secrets`, {
    body: {
      metadata: { name, namespace },
      stringData: data,
    },
  });
}

// Specs as written in YAML: defaulted fields (tls.caSecretRef.key) may be left out.
type SpecInput = Record<string, unknown>;

function topic(name: string, spec: SpecInput): KafkaTopic {
  return {
    apiVersion: 'kraftwerk.dev/v1alpha1',
    kind: 'KafkaTopic',
    metadata: { name, namespace },
    spec: { partitions: 2, replicationFactor: 1, deletionPolicy: 'Delete', ...spec },
  } as KafkaTopic;
}

/** The ways into the Kafka fixture (spec.bootstrapServers, authentication, tls), by mechanism. */
const MECHANISMS = ['scram512', 'scram256', 'plain', 'mtls'] as const;
function connection(mechanism: (typeof MECHANISMS)[number]): SpecInput {
  switch (mechanism) {
    case 'scram512':
      return {
        bootstrapServers: kafka.saslSsl,
        authentication: { type: 'scram-sha-512', secretRef: { name: 'alice' } },
        tls: { caSecretRef: { name: 'alice' } },
      };
    case 'scram256':
      return {
        bootstrapServers: kafka.saslSsl,
        authentication: { type: 'scram-sha-256', secretRef: { name: 'alice' } },
        tls: { caSecretRef: { name: 'alice', key: 'ca.crt' } },
      };
    case 'plain':
      // SASL_PLAINTEXT: PLAIN without TLS.
      return {
        bootstrapServers: kafka.saslPlaintext,
        authentication: { type: 'plain', secretRef: { name: 'pat' } },
      };
    case 'mtls':
      return {
        bootstrapServers: kafka.replication!,
        authentication: { type: 'tls', secretRef: { name: 'mtls-user' } },
        tls: { caSecretRef: { name: 'mtls-user' } },
      };
  }
}

/** Until the resource's Ready condition has this reason (status True or False). */
async function waitReason<T extends Conditioned>(
  plural: string,
  name: string,
  reason: string,
): Promise<T> {
  let last: T | undefined;
  try {
    return await waitFor(
      `${plural}/${name} Ready reason ${reason}`,
      async () => {
        last = await getResource<T & { metadata?: object }>(op.client, namespace, plural, name);
        return readyOf(last)?.reason === reason ? last : undefined;
      },
      { timeoutMs: 90_000, process: kafka.process },
    );
  } catch (e) {
    throw new Error(`${(e as Error).message}; last Ready: ${JSON.stringify(readyOf(last))}`, {
      cause: e,
    });
  }
}

/** Topic names in Kafka, as kafkajs lists them over PLAINTEXT. */
async function topicsInKafka(): Promise<string[]> {
  const admin = new Kafka({
    clientId: 'external-auth-test',
    brokers: [kafka.plaintext],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    return await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  const now = new Date();
  mtlsCa = await issueCa({ commonName: 'external-mtls-ca', validityDays: 2, now });
  const broker = await issueLeaf({
    ca: mtlsCa,
    commonName: 'localhost',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
    validityDays: 1,
    now,
    usage: 'both',
  });
  client = await issueLeaf({
    ca: mtlsCa,
    commonName: 'external-client',
    dnsNames: [],
    ipAddresses: [],
    validityDays: 1,
    now,
    usage: 'client',
  });
  kafka = await SecureKafka.start({
    version: VERSION,
    scram: [alice],
    plain: [pat],
    replication: {
      keystorePem: `${broker.keyPem.trim()}\n${broker.certPem.trim()}\n`,
      caPem: mtlsCa.certPem,
    },
  });
  op = await startTestOperator(inject('kubeconfig'), namespace);
  await kafka.waitReady(topicsInKafka);
  // Secrets shaped as a KafkaUser's: username/password or user.crt/user.key, and ca.crt.
  await putSecret('alice', { username: alice.name, password: alice.password, 'ca.crt': kafka.ca });
  await putSecret('pat', { username: pat.name, password: pat.password });
  await putSecret('mtls-user', {
    'user.crt': client.certPem,
    'user.key': client.keyPem,
    'ca.crt': mtlsCa.certPem,
  });
  await putSecret('alice-wrong', {
    username: alice.name,
    password: 'not-the-password',
    'ca.crt': kafka.ca,
  });
}, 180_000);

afterAll(async () => {
  await op?.stop();
  await kafka?.stop();
});

describe('a KafkaTopic on external Kafka with credentials from Secrets', () => {
  it.each(MECHANISMS)(
    '%s: the topic is created and Ready',
    async (name) => {
      await createResource(op.client, 'kafkatopics', topic(`ext-${name}`, connection(name)));
      const t = await waitReason<KafkaTopic>('kafkatopics', `ext-${name}`, 'TopicReady');
      expect(readyOf(t)?.status).toBe('True');
      expect(t.status?.partitions).toBe(2);
      expect(await topicsInKafka()).toContain(`ext-${name}`);
    },
    120_000,
  );

  it("a wrong password: Ready=False AuthenticationFailed in Kafka's words, an Event, no topic", async () => {
    await createResource(
      op.client,
      'kafkatopics',
      topic('ext-wrong', {
        bootstrapServers: kafka.saslSsl,
        authentication: { type: 'scram-sha-512', secretRef: { name: 'alice-wrong' } },
        tls: { caSecretRef: { name: 'alice-wrong' } },
      }),
    );
    const t = await waitReason<KafkaTopic>('kafkatopics', 'ext-wrong', 'AuthenticationFailed');
    const ready = readyOf(t)!;
    expect(ready.status).toBe('False');
    expect(ready.message).toMatch(/SASL SCRAM-SHA-512 authentication at 127\.0\.0\.1:\d+ failed/);
    expect(ready.message).toMatch(/invalid credentials/i);
    expect(ready.message).not.toContain('not-the-password');
    const event = await waitForEvent(op, 'ext-wrong', 'AuthenticationFailed');
    expect(event.note).toContain('authentication');
    expect(await topicsInKafka()).not.toContain('ext-wrong');
  }, 120_000);

  it('a Secret not there yet: AuthenticationSecretNotFound naming it; created, the topic follows', async () => {
    await createResource(
      op.client,
      'kafkatopics',
      topic('ext-later', {
        bootstrapServers: kafka.saslSsl,
        authentication: { type: 'scram-sha-512', secretRef: { name: 'later' } },
        tls: { caSecretRef: { name: 'alice' } },
      }),
    );
    const waiting = await waitReason<KafkaTopic>(
      'kafkatopics',
      'ext-later',
      'AuthenticationSecretNotFound',
    );
    expect(readyOf(waiting)?.message).toBe(
      `Secret ${namespace}/later does not exist (spec.authentication scram-sha-512)`,
    );
    await waitForEvent(op, 'ext-later', 'AuthenticationSecretNotFound');
    expect(await topicsInKafka()).not.toContain('ext-later');
    await putSecret('later', { username: alice.name, password: alice.password });
    await waitReason<KafkaTopic>('kafkatopics', 'ext-later', 'TopicReady');
    expect(await topicsInKafka()).toContain('ext-later');
  }, 120_000);

  it("a key that is not the certificate's: AuthenticationSecretInvalid, no key material shown", async () => {
    const stranger = await issueLeaf({
      ca: mtlsCa,
      commonName: 'stranger',
      dnsNames: [],
      ipAddresses: [],
      validityDays: 1,
      now: new Date(),
      usage: 'client',
    });
    await putSecret('mismatched', { 'user.crt': client.certPem, 'user.key': stranger.keyPem });
    await createResource(
      op.client,
      'kafkatopics',
      topic('ext-mismatched', {
        bootstrapServers: kafka.replication!,
        authentication: { type: 'tls', secretRef: { name: 'mismatched' } },
        tls: { caSecretRef: { name: 'mtls-user' } },
      }),
    );
    const t = await waitReason<KafkaTopic>(
      'kafkatopics',
      'ext-mismatched',
      'AuthenticationSecretInvalid',
    );
    expect(readyOf(t)?.message).toBe(
      `Secret ${namespace}/mismatched keys user.crt, user.key (spec.authentication tls): user.key is not the key of the certificate in user.crt`,
    );
    const events = await eventsFor(op.client, namespace, 'ext-mismatched');
    expect(JSON.stringify(events)).not.toContain('PRIVATE KEY');
    // Stalled for kstatus: a person must fix the Secret.
    expect(t.status?.conditions?.find((c) => c.type === 'Stalled')?.status).toBe('True');
    // It never reached Kafka, so it holds nothing there: deleting it does not wait for Kafka.
    await op.client.request('DELETE', kraftwerkPath(namespace, 'kafkatopics', 'ext-mismatched'));
    await waitFor(
      'KafkaTopic ext-mismatched gone',
      async () =>
        (await getResource(op.client, namespace, 'kafkatopics', 'ext-mismatched')) === undefined,
      { timeoutMs: 60_000 },
    );
  }, 120_000);

  it('a client certificate of a CA Kafka does not trust: the TLS refusal, as unavailable', async () => {
    const otherCa = await issueCa({ commonName: 'other-ca', validityDays: 2, now: new Date() });
    const outsider = await issueLeaf({
      ca: otherCa,
      commonName: 'outsider',
      dnsNames: [],
      ipAddresses: [],
      validityDays: 1,
      now: new Date(),
      usage: 'client',
    });
    await putSecret('outsider', { 'user.crt': outsider.certPem, 'user.key': outsider.keyPem });
    await createResource(
      op.client,
      'kafkatopics',
      topic('ext-outsider', {
        bootstrapServers: kafka.replication!,
        authentication: { type: 'tls', secretRef: { name: 'outsider' } },
        tls: { caSecretRef: { name: 'mtls-user' } },
      }),
    );
    const t = await waitReason<KafkaTopic>('kafkatopics', 'ext-outsider', 'KafkaUnavailable');
    expect(readyOf(t)?.status).toBe('Unknown');
    // Node's words for the broker's TLS alert (46, certificate_unknown).
    expect(readyOf(t)?.message).toMatch(
      /^Kafka at 127\.0\.0\.1:\d+ is unavailable: .*ssl\/tls alert certificate unknown/,
    );
    expect(await topicsInKafka()).not.toContain('ext-outsider');
  }, 120_000);

  it('a changed Secret is in use within its cache time, on new connections', async () => {
    await kafka.addScramUser({ name: 'rot', password: 'rot-one' });
    await putSecret('rot', { username: 'rot', password: 'rot-one' });
    await createResource(
      op.client,
      'kafkatopics',
      topic('ext-rot', {
        bootstrapServers: kafka.saslSsl,
        authentication: { type: 'scram-sha-512', secretRef: { name: 'rot' } },
        tls: { caSecretRef: { name: 'alice' } },
      }),
    );
    await waitReason<KafkaTopic>('kafkatopics', 'ext-rot', 'TopicReady');
    // A password Kafka does not know: the connections made with the old one keep working, so
    // only new ones, made for the new credentials, can show the change.
    const setPassword = (password: string) =>
      op.client.request('PATCH', `/api/v1/namespaces/${namespace}/secrets/rot`, {
        body: { stringData: { password } },
        contentType: 'application/merge-patch+json',
      });
    await setPassword('rot-unknown');
    await waitReason<KafkaTopic>('kafkatopics', 'ext-rot', 'AuthenticationFailed');
    await kafka.addScramUser({ name: 'rot', password: 'rot-two' });
    await setPassword('rot-two');
    await waitReason<KafkaTopic>('kafkatopics', 'ext-rot', 'TopicReady');
  }, 120_000);

  it('deleting a topic reaches Kafka with the same credentials and removes it', async () => {
    await op.client.request('DELETE', kraftwerkPath(namespace, 'kafkatopics', 'ext-scram512'));
    await waitFor(
      'KafkaTopic ext-scram512 gone',
      async () =>
        (await getResource(op.client, namespace, 'kafkatopics', 'ext-scram512')) === undefined,
      { timeoutMs: 60_000 },
    );
    await waitFor(
      'topic ext-scram512 gone from Kafka',
      async () => !(await topicsInKafka()).includes('ext-scram512'),
      { timeoutMs: 30_000 },
    );
  }, 120_000);
});

describe('a KafkaConsumerGroup on external Kafka with credentials from Secrets', () => {
  const group = (name: string, spec: SpecInput): KafkaConsumerGroup =>
    ({
      apiVersion: 'kraftwerk.dev/v1alpha1',
      kind: 'KafkaConsumerGroup',
      metadata: { name, namespace },
      spec: {
        groupId: name,
        topics: ['ext-scram256'],
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'worker' },
        minReplicas: 1,
        maxReplicas: 4,
        pollIntervalSeconds: 1,
        ...spec,
      },
    }) as KafkaConsumerGroup;

  beforeAll(async () => {
    await op.client.request('POST', `/apis/apps/v1/namespaces/${namespace}/deployments`, {
      body: {
        metadata: { name: 'worker', namespace },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'worker' } },
          template: {
            metadata: { labels: { app: 'worker' } },
            spec: { containers: [{ name: 'c', image: 'registry.invalid/consumer:1' }] },
          },
        },
      },
    });
  });

  it.each(['scram256', 'mtls'] as const)(
    '%s: lag is read, Ready=True Polling',
    async (name) => {
      await createResource(
        op.client,
        'kafkaconsumergroups',
        group(`ext-group-${name}`, connection(name)),
      );
      const g = await waitReason<KafkaConsumerGroup>(
        'kafkaconsumergroups',
        `ext-group-${name}`,
        'Polling',
      );
      expect(readyOf(g)?.status).toBe('True');
    },
    120_000,
  );

  it('a wrong password: Ready=False AuthenticationFailed holding the replicas, one Event', async () => {
    await createResource(
      op.client,
      'kafkaconsumergroups',
      group('ext-group-wrong', {
        bootstrapServers: kafka.saslSsl,
        authentication: { type: 'scram-sha-512', secretRef: { name: 'alice-wrong' } },
        tls: { caSecretRef: { name: 'alice-wrong' } },
      }),
    );
    const g = await waitReason<KafkaConsumerGroup>(
      'kafkaconsumergroups',
      'ext-group-wrong',
      'AuthenticationFailed',
    );
    expect(readyOf(g)?.message).toMatch(
      /^holding 1 replica\(s\): SASL SCRAM-SHA-512 authentication at .* failed/,
    );
    await waitForEvent(op, 'ext-group-wrong', 'AuthenticationFailed');
  }, 120_000);
});
