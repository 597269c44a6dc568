// The KafkaConsumerGroup controller at the integration tier: the operator in-process, a real
// kube-apiserver + kube-controller-manager (the Deployment controller acts on our scale), and
// real Kafka with real kafkajs consumers. A backlog scales the Deployment up (to the partition
// ceiling), consumers draining it scale it down after the window, and a dead broker holds the
// size with a condition instead of reading as zero lag. Targets it must not or cannot scale (a
// KafkaCluster's StatefulSet, a kind without /scale, a missing one, one RBAC forbids) are
// refused with a reason and never written; the RBAC case runs a second operator as a
// ServiceAccount holding exactly the Role the install grants.
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { watchRules, type ScaleTarget } from '../../cdk8s/lib/operator-rules.ts';
import type { KafkaCluster } from '../../operator/src/api/kafka-cluster.ts';
import type { KafkaConsumerGroup } from '../../operator/src/api/kafka-consumer-group.ts';
import { createOperator, type Operator } from '../../operator/src/operator.ts';
import {
  KubeApiError,
  KubeClient,
  loadKubeConfig,
} from '../../operator/src/runtime/kube-client.ts';
import { createLogger } from '../../operator/src/runtime/logger.ts';
import { KafkaFixture } from '../fixtures/kafka.ts';
import {
  createResource,
  eventsFor,
  waitForEvent,
  getResource,
  startTestOperator,
  type TestOperator,
} from '../fixtures/operator.ts';
import { logRoot, waitFor } from '../fixtures/process.ts';
import { kafkaHome } from '../fixtures/toolchain.ts';

const execFileP = promisify(execFile);
const kafkaTool = async (tool: string, args: string[]): Promise<string> =>
  (await execFileP(join(kafkaHome(), 'bin', tool), args, { timeout: 60_000 })).stdout;

const namespace = `groups-${process.pid}`;
let op: TestOperator;

async function deployment(name: string, replicas: number): Promise<void> {
  await op.client.request('POST', `/apis/apps/v1/namespaces/${namespace}/deployments`, {
    body: {
      metadata: { name, namespace },
      spec: {
        replicas,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: 'c', image: 'registry.invalid/consumer:1' }] },
        },
      },
    },
  });
}
const replicasOf = async (name: string): Promise<number> =>
  (
    await op.client.request<{ spec: { replicas: number } }>(
      'GET',
      `/apis/apps/v1/namespaces/${namespace}/deployments/${name}/scale`,
    )
  ).spec.replicas;
const group = (name: string) =>
  getResource<KafkaConsumerGroup>(op.client, namespace, 'kafkaconsumergroups', name);
const condition = (g: KafkaConsumerGroup | undefined, type: string) =>
  g?.status?.conditions?.find((c) => c.type === type);

function groupResource(
  name: string,
  bootstrap: string,
  spec: Partial<KafkaConsumerGroup['spec']>,
): KafkaConsumerGroup {
  return {
    apiVersion: 'kraftwerk.dev/v1alpha1',
    kind: 'KafkaConsumerGroup',
    metadata: { name, namespace },
    spec: {
      bootstrapServers: bootstrap,
      groupId: name,
      topics: [name],
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: 1,
      maxReplicas: 10,
      allowIdleConsumers: false,
      lagThreshold: 100,
      activationLagThreshold: 0,
      pollIntervalSeconds: 1,
      scaleUp: { dwellSeconds: 2, rebalanceSeconds: 1 },
      scaleDown: { stabilizationSeconds: 5, maxStepPercent: 100 },
      offsetResetPolicy: 'earliest',
      ...spec,
    },
  };
}

async function produce(bootstrap: string, topic: string, count: number): Promise<void> {
  const kafka = new Kafka({
    clientId: 'test-producer',
    brokers: bootstrap.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true });
  await admin.disconnect();
  // Idempotent: a retried send under load must not write a batch twice (300 messages that
  // became 400 once made the group ask for 4 replicas instead of 3).
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (let i = 0; i < count; i += 100) {
    await producer.send({
      topic,
      messages: Array.from({ length: Math.min(100, count - i) }, (_, j) => ({
        key: `k${i + j}`,
        value: 'x',
      })),
    });
  }
  await producer.disconnect();
}

beforeAll(async () => {
  op = await startTestOperator(inject('kubeconfig'), namespace);
});
afterAll(async () => {
  await op?.stop();
});

describe('KafkaConsumerGroup', () => {
  const consumers: Consumer[] = [];
  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.disconnect()));
  });

  it('scales a Deployment up to the partition ceiling for a backlog nobody consumes', async () => {
    const bootstrap = inject('kafkaBootstrap');
    await produce(bootstrap, 'backlog', 1000);
    await deployment('backlog', 1);
    await createResource(op.client, 'kafkaconsumergroups', groupResource('backlog', bootstrap, {}));

    // 1000 messages of lag at 100 per replica asks for 10; 4 partitions cap it at 4.
    await waitFor('the Deployment scaled to 4', async () => (await replicasOf('backlog')) === 4, {
      timeoutMs: 60_000,
    });
    const g = await waitFor('status with lag and the ceiling', async () => {
      const x = await group('backlog');
      return x?.status?.lag?.total === 1000 && condition(x, 'ScalingLimited')?.status === 'True'
        ? x
        : undefined;
    });
    expect(condition(g, 'ScalingLimited')!.reason).toBe('PartitionCeiling');
    expect(condition(g, 'Ready')!.status).toBe('True');
    expect(g.status?.partitions).toBe(4);
    expect(g.status?.desiredReplicas).toBe(4);
    expect(g.status?.currentReplicas).toBe(4);
    // The Deployment controller (kube-controller-manager) followed our scale.
    await waitFor('a ReplicaSet of 4', async () => {
      const rs = await op.client.request<{ items: { spec: { replicas: number } }[] }>(
        'GET',
        `/apis/apps/v1/namespaces/${namespace}/replicasets?labelSelector=app%3Dbacklog`,
      );
      return rs.items.some((r) => r.spec.replicas === 4);
    });
    // The Event follows the scale (fire-and-forget): wait for it, do not read once.
    await waitFor('a ScaledUp 1 → 4 Event', async () =>
      (await eventsFor(op.client, namespace, 'backlog')).some(
        (e) => e.reason === 'ScaledUp' && e.note?.includes('1 → 4'),
      ),
    );
  });

  it('scales back down once real consumers have drained the backlog', async () => {
    const bootstrap = inject('kafkaBootstrap');
    const kafka = new Kafka({
      clientId: 'test-consumer',
      brokers: bootstrap.split(','),
      logLevel: logLevel.NOTHING,
    });
    let consumed = 0;
    for (let i = 0; i < 2; i++) {
      const c = kafka.consumer({ groupId: 'backlog' });
      consumers.push(c);
      await c.connect();
      await c.subscribe({ topic: 'backlog', fromBeginning: true });
      await c.run({ eachMessage: async () => void consumed++ });
    }
    await waitFor(
      'the backlog consumed and committed',
      async () => {
        const g = await group('backlog');
        return consumed >= 1000 && g?.status?.lag?.total === 0;
      },
      { timeoutMs: 90_000 },
    );
    // No traffic and no lag: back to minReplicas after the 5 s stabilization window.
    await waitFor(
      'the Deployment back at minReplicas 1',
      async () => (await replicasOf('backlog')) === 1,
      { timeoutMs: 90_000 },
    );
    const g = await group('backlog');
    expect(g?.status?.health).toBe('Ok');
    await waitForEvent(op, 'backlog', 'ScaledDown');
  });

  it('holds the size and says why when Kafka goes away', async () => {
    const kafka = await KafkaFixture.start({ name: 'groups-outage-kafka' });
    try {
      await produce(kafka.bootstrapServers, 'outage', 300);
      await deployment('outage', 1);
      await createResource(
        op.client,
        'kafkaconsumergroups',
        groupResource('outage', kafka.bootstrapServers, {}),
      );
      await waitFor(
        'scaled to 3 for 300 messages',
        async () => (await replicasOf('outage')) === 3,
        { timeoutMs: 60_000 },
      );
      await kafka.killNode(kafka.brokers[0]!.id);
      const g = await waitFor(
        'Ready=False KafkaUnavailable',
        async () => {
          const x = await group('outage');
          const ready = condition(x, 'Ready');
          return ready?.status === 'False' && ready.reason === 'KafkaUnavailable' ? x : undefined;
        },
        { timeoutMs: 90_000 },
      );
      expect(condition(g, 'Ready')!.message).toContain('holding 3 replica(s)');
      // Several polls later the size has not moved: an error is never zero lag.
      await new Promise((r) => setTimeout(r, 5_000));
      expect(await replicasOf('outage')).toBe(3);
      expect(condition(g, 'ScalingLimited')?.reason).toBe('ReadError');
    } finally {
      await kafka.stop();
    }
  });

  it("reports the same lag as Kafka's own kafka-consumer-groups.sh, with every input made by other tools", async () => {
    const bootstrap = inject('kafkaBootstrap');
    // Topic by kafka-topics.sh, messages by kcat (librdkafka), committed offsets by
    // kafka-consumer-groups.sh --reset-offsets: nothing here comes from our code or kafkajs.
    await kafkaTool('kafka-topics.sh', [
      '--bootstrap-server',
      bootstrap,
      '--create',
      '--topic',
      'agree',
      '--partitions',
      '4',
    ]);
    const lines = Array.from({ length: 400 }, (_, i) => `k${i}:v${i}`).join('\n') + '\n';
    await new Promise<void>((resolve, reject) => {
      const p = execFile(
        'kcat',
        ['-b', bootstrap, '-P', '-t', 'agree', '-K', ':'],
        { timeout: 30_000 },
        (e) => (e ? reject(e) : resolve()),
      );
      p.stdin!.end(lines);
    });
    await kafkaTool('kafka-consumer-groups.sh', [
      '--bootstrap-server',
      bootstrap,
      '--group',
      'agree',
      '--topic',
      'agree',
      '--reset-offsets',
      '--to-offset',
      '30',
      '--execute',
    ]);
    const described = await kafkaTool('kafka-consumer-groups.sh', [
      '--bootstrap-server',
      bootstrap,
      '--describe',
      '--group',
      'agree',
    ]);
    // Columns: GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG ...
    const rows = described.split('\n').filter((l) => l.startsWith('agree '));
    expect(rows).toHaveLength(4);
    const kafkasLag = rows.reduce((sum, l) => sum + Number(l.trim().split(/\s+/)[5]), 0);
    expect(kafkasLag).toBeGreaterThan(0);

    await deployment('agree', 1);
    await createResource(
      op.client,
      'kafkaconsumergroups',
      groupResource('agree', bootstrap, { lagThreshold: 1000, offsetResetPolicy: 'latest' }),
    );
    const g = await waitFor('status.lag', async () => {
      const x = await group('agree');
      return x?.status?.lag?.total !== undefined ? x : undefined;
    });
    expect(g.status!.lag!.total).toBe(kafkasLag);
    expect(g.status!.partitions).toBe(4);
  });
});

const readyOf = (g: KafkaConsumerGroup | undefined) => condition(g, 'Ready');
/** The group once its Ready condition has this reason. */
const groupWithReady = (
  client: KubeClient,
  ns: string,
  name: string,
  status: 'True' | 'False',
  reason: string,
  timeoutMs = 60_000,
) =>
  waitFor(
    `${name}: Ready=${status} ${reason}`,
    async () => {
      const g = await getResource<KafkaConsumerGroup>(client, ns, 'kafkaconsumergroups', name);
      const ready = readyOf(g);
      return ready?.status === status && ready.reason === reason ? g : undefined;
    },
    { timeoutMs },
  );
const appsReplicas = async (
  client: KubeClient,
  ns: string,
  plural: string,
  name: string,
): Promise<number> =>
  (
    await client.request<{ spec: { replicas: number } }>(
      'GET',
      `/apis/apps/v1/namespaces/${ns}/${plural}/${name}`,
    )
  ).spec.replicas;
const warnings = async (client: KubeClient, ns: string, name: string, reason: string) =>
  (await eventsFor(client, ns, name)).filter((e) => e.reason === reason);

async function statefulSet(name: string, replicas: number, labels: Record<string, string>) {
  await op.client.request('POST', `/apis/apps/v1/namespaces/${namespace}/statefulsets`, {
    body: {
      metadata: { name, namespace, labels },
      spec: {
        replicas,
        serviceName: name,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: 'c', image: 'registry.invalid/consumer:1' }] },
        },
      },
    },
  });
}

describe('KafkaConsumerGroup scale targets it must not or cannot scale', () => {
  it("refuses a KafkaCluster's broker StatefulSet and never scales it", async () => {
    // The reported failure: maxReplicas 1 against demo-broker scaled three brokers to one.
    const kc: KafkaCluster = {
      apiVersion: 'kraftwerk.dev/v1alpha1',
      kind: 'KafkaCluster',
      metadata: { name: 'demo', namespace },
      spec: {
        version: '4.1.1',
        controllers: { replicas: 3, storage: { type: 'ephemeral' } },
        brokers: { replicas: 3, storage: { type: 'ephemeral' } },
        listeners: [{ name: 'internal', port: 9092, type: 'internal' }],
      } as KafkaCluster['spec'],
    };
    await createResource(op.client, 'kafkaclusters', kc);
    // The topic exists, so nothing but the refusal stands between the group and a scale write.
    await produce(inject('kafkaBootstrap'), 'demo-broker', 0);
    await waitFor(
      'the KafkaCluster to create demo-broker with 3 replicas',
      async () => (await appsReplicas(op.client, namespace, 'statefulsets', 'demo-broker')) === 3,
    );
    await createResource(
      op.client,
      'kafkaconsumergroups',
      groupResource('demo-broker', inject('kafkaBootstrap'), {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'demo-broker' },
        minReplicas: 0,
        maxReplicas: 1,
      }),
    );
    const g = await groupWithReady(
      op.client,
      namespace,
      'demo-broker',
      'False',
      'ScaleTargetForbidden',
    );
    expect(readyOf(g)!.message).toContain('KafkaCluster demo');
    expect(condition(g, 'Stalled')?.status).toBe('True');
    expect(await appsReplicas(op.client, namespace, 'statefulsets', 'demo-broker')).toBe(3);
    await waitFor(
      'one Warning Event',
      async () =>
        (await warnings(op.client, namespace, 'demo-broker', 'ScaleTargetForbidden')).length === 1,
    );
  });

  it('refuses a StatefulSet carrying the cluster label, whatever its name', async () => {
    await produce(inject('kafkaBootstrap'), 'labelled', 0);
    await statefulSet('labelled', 2, { 'kraftwerk.dev/cluster': 'elsewhere' });
    await createResource(
      op.client,
      'kafkaconsumergroups',
      groupResource('labelled', inject('kafkaBootstrap'), {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'labelled' },
        minReplicas: 0,
        maxReplicas: 1,
      }),
    );
    const g = await groupWithReady(
      op.client,
      namespace,
      'labelled',
      'False',
      'ScaleTargetForbidden',
    );
    expect(readyOf(g)!.message).toContain('kraftwerk.dev/cluster=elsewhere');
    expect(await appsReplicas(op.client, namespace, 'statefulsets', 'labelled')).toBe(2);
  });

  it('a kind without a scale subresource, or one not served, is a reason, not a retry loop', async () => {
    // A ConfigMap (the reported case) is refused at admission: core kinds are known statically.
    const configMap = groupResource('configmap', inject('kafkaBootstrap'), {
      scaleTargetRef: { apiVersion: 'v1', kind: 'ConfigMap', name: 'configmap' },
    });
    const refused = await createResource(op.client, 'kafkaconsumergroups', configMap).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(KubeApiError);
    expect((refused as KubeApiError).statusCode).toBe(422);
    expect(String(refused)).toContain('only ReplicationController has a scale subresource');

    // A Job is in a group admission does not judge; discovery says it has no /scale.
    await createResource(
      op.client,
      'kafkaconsumergroups',
      groupResource('job', inject('kafkaBootstrap'), {
        scaleTargetRef: { apiVersion: 'batch/v1', kind: 'Job', name: 'job' },
      }),
    );
    const job = await groupWithReady(op.client, namespace, 'job', 'False', 'NoScaleSubresource');
    expect(readyOf(job)!.message).toContain('Job has no scale subresource');
    expect(await warnings(op.client, namespace, 'job', 'NoScaleSubresource')).not.toHaveLength(0);

    await createResource(
      op.client,
      'kafkaconsumergroups',
      groupResource('widget', inject('kafkaBootstrap'), {
        scaleTargetRef: { apiVersion: 'example.com/v1', kind: 'Widget', name: 'widget' },
      }),
    );
    const widget = await groupWithReady(op.client, namespace, 'widget', 'False', 'KindNotFound');
    expect(readyOf(widget)!.message).toContain('serves no example.com/v1');
  });

  it('a Deployment that does not exist yet: TargetNotFound, then Ready once it is created', async () => {
    const bootstrap = inject('kafkaBootstrap');
    await produce(bootstrap, 'late', 0);
    await createResource(op.client, 'kafkaconsumergroups', groupResource('late', bootstrap, {}));
    const g = await groupWithReady(op.client, namespace, 'late', 'False', 'TargetNotFound');
    expect(readyOf(g)!.message).toBe(
      `Deployment ${namespace}/late (apps/v1) does not exist; waiting for it`,
    );
    await waitFor(
      'a TargetNotFound Warning',
      async () => (await warnings(op.client, namespace, 'late', 'TargetNotFound')).length === 1,
    );
    await deployment('late', 2);
    // Retries back off to 30 s at most; nothing watches Deployments for it.
    await groupWithReady(op.client, namespace, 'late', 'True', 'Polling', 90_000);
    // No lag: minReplicas 1.
    await waitFor('scaled to 1', async () => (await replicasOf('late')) === 1);
  });
});

/**
 * The operator as a ServiceAccount bound to exactly the install's Role (watchRules), as in a
 * cluster: the admin test operator may do anything, so it cannot show a 403.
 */
async function operatorAs(
  admin: KubeClient,
  ns: string,
  extraScaleTargets: readonly ScaleTarget[],
): Promise<{ operator: Operator; grant: (extra: readonly ScaleTarget[]) => Promise<void> }> {
  await admin.request('POST', '/api/v1/namespaces', { body: { metadata: { name: ns } } });
  await admin.request('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, {
    body: { metadata: { name: 'kraftwerk' } },
  });
  const role = (extra: readonly ScaleTarget[]) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'kraftwerk', namespace: ns },
    rules: watchRules(extra).map((r) => ({
      apiGroups: [...r.groups],
      resources: [...r.resources],
      verbs: [...r.verbs],
    })),
  });
  const rolePath = `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`;
  await admin.request('POST', rolePath, { body: role(extraScaleTargets) });
  await admin.request('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
    body: {
      metadata: { name: 'kraftwerk' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'kraftwerk' },
      subjects: [{ kind: 'ServiceAccount', name: 'kraftwerk', namespace: ns }],
    },
  });
  const { status } = await admin.request<{ status: { token: string } }>(
    'POST',
    `/api/v1/namespaces/${ns}/serviceaccounts/kraftwerk/token`,
    { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} } },
  );
  const adminConnection = loadKubeConfig(inject('kubeconfig'));
  const { cert: _cert, key: _key, ...tls } = adminConnection;
  const log = createWriteStream(join(logRoot, `operator-${ns}.log`), { flags: 'a' });
  const operator = createOperator({
    kubeConfig: {
      ...tls,
      source: `serviceaccount ${ns}/kraftwerk`,
      credentials: async () => ({ authorization: `Bearer ${status.token}` }),
    },
    logger: createLogger({ level: 'debug', write: (line) => log.write(line + '\n') }),
    namespaces: [ns],
    resyncMs: 3_000,
    identity: `test-${ns}`,
    // Nodes are cluster-scoped (the chart grants them by a ClusterRole of their own); this
    // identity has the namespaced Role only, and no KafkaCluster here needs a rack.
    readNodes: false,
  });
  await operator.start();
  return {
    operator,
    grant: async (extra) => {
      await admin.request('PUT', `${rolePath}/kraftwerk`, { body: role(extra) });
    },
  };
}

describe('KafkaConsumerGroup scale targets the operator may not scale (RBAC)', () => {
  const ns = `groups-rbac-${process.pid}`;
  let limited: Awaited<ReturnType<typeof operatorAs>> | undefined;
  beforeAll(async () => {
    limited = await operatorAs(op.client, ns, []);
  });
  afterAll(async () => {
    await limited?.operator.stop();
  });

  it('a ReplicaSet beyond the granted kinds: ScaleAccessDenied naming the value to set, then scaled once granted', async () => {
    const bootstrap = inject('kafkaBootstrap');
    await produce(bootstrap, 'rbac', 0);
    await op.client.request('POST', `/apis/apps/v1/namespaces/${ns}/replicasets`, {
      body: {
        metadata: { name: 'rbac', namespace: ns },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'rbac' } },
          template: {
            metadata: { labels: { app: 'rbac' } },
            spec: { containers: [{ name: 'c', image: 'registry.invalid/consumer:1' }] },
          },
        },
      },
    });
    const spec = groupResource('rbac', bootstrap, {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rbac' },
    });
    await createResource(op.client, 'kafkaconsumergroups', {
      ...spec,
      metadata: { ...spec.metadata, namespace: ns },
    });
    const g = await groupWithReady(op.client, ns, 'rbac', 'False', 'ScaleAccessDenied');
    const message = readyOf(g)!.message;
    expect(message).toContain('may not get replicasets/scale in API group apps');
    expect(message).toContain('rbac.extraScaleTargets (- { group: apps, resource: replicasets })');
    expect(message).toContain(`system:serviceaccount:${ns}:kraftwerk`);
    expect(await appsReplicas(op.client, ns, 'replicasets', 'rbac')).toBe(2);
    await waitFor(
      'one ScaleAccessDenied Warning',
      async () => (await warnings(op.client, ns, 'rbac', 'ScaleAccessDenied')).length === 1,
    );

    // What the message says to do is enough.
    await limited!.grant([{ group: 'apps', resource: 'replicasets' }]);
    await groupWithReady(op.client, ns, 'rbac', 'True', 'Polling', 90_000);
    await waitFor(
      'scaled to minReplicas 1',
      async () => (await appsReplicas(op.client, ns, 'replicasets', 'rbac')) === 1,
    );
  });

  it('a forbidden kind without a scale subresource says so, not "forbidden"', async () => {
    // RBAC answers 403 before the API server finds there is no /scale: the reported ConfigMap
    // case, with a Job since admission now refuses ConfigMaps.
    const spec = groupResource('job', inject('kafkaBootstrap'), {
      scaleTargetRef: { apiVersion: 'batch/v1', kind: 'Job', name: 'job' },
    });
    await createResource(op.client, 'kafkaconsumergroups', {
      ...spec,
      metadata: { ...spec.metadata, namespace: ns },
    });
    await groupWithReady(op.client, ns, 'job', 'False', 'NoScaleSubresource');
  });
});
