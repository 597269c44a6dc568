// Least privilege, proven. The operator runs in-process as the chart's ServiceAccount
// (system:serviceaccount:kraftwerk-system:kraftwerk, by client certificate) under exactly the
// RBAC the Helm chart renders — the cdk8s install is held to the same rules — against its own
// kube-apiserver writing an audit log. A workload walks every controller path this tier can
// reach; then the log says which (resource, verb) the operator used and where. The test fails
// if the operator was refused anything, or if a granted permission went unused and is not on
// the allow-list below with its reason. The API server also runs the
// OwnerReferencesPermissionEnforcement admission plugin (OpenShift's default), the one rule
// whose use no audit line shows.
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { installYaml } from '../../cdk8s/install.ts';
import type { KafkaCluster } from '../../operator/src/api/kafka-cluster.ts';
import type { KafkaConsumerGroup } from '../../operator/src/api/kafka-consumer-group.ts';
import type { KafkaTopic } from '../../operator/src/api/kafka-topic.ts';
import type { KafkaUser } from '../../operator/src/api/kafka-user.ts';
import { createOperator, type Operator } from '../../operator/src/operator.ts';
import { apply } from '../../operator/src/runtime/apply.ts';
import { KubeClient, loadKubeConfig } from '../../operator/src/runtime/kube-client.ts';
import { createLogger } from '../../operator/src/runtime/logger.ts';
import type { KubeObject } from '../../operator/src/runtime/resource.ts';
import { ControlPlane, type AuditEvent } from '../fixtures/control-plane.ts';
import { installCrds } from '../fixtures/crds.ts';
import { createResource, eventsFor, getResource, kraftwerkPath } from '../fixtures/operator.ts';
import { logRoot, waitFor } from '../fixtures/process.ts';
import { normalize, rulePermissions } from './packaging-normalize.ts';
import {
  TOOL_BUILD_TIMEOUT,
  helmBinary,
  helmTemplate,
  idOf,
  manifests,
  type Manifest,
} from './packaging-tools.ts';

const SYSTEM_NS = 'kraftwerk-system';
const SA = 'kraftwerk';
const USER = `system:serviceaccount:${SYSTEM_NS}:${SA}`;
const GROUPS = ['system:serviceaccounts', `system:serviceaccounts:${SYSTEM_NS}`];
const ns = `rbac-${process.pid}`;
const RBAC_KINDS = ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'];

/**
 * Granted but not sent by any request of this tier, each with why it stays. Anything else
 * granted and unused fails the test; so does an entry here that the workload did use (the
 * list must not outlive its reason).
 */
const ALLOWED_UNUSED: Record<string, string> = {
  '/persistentvolumeclaims:delete':
    'deleteClaim: true removes a cluster’s claims on scale-down and teardown (DELETE with a uid precondition); proven in cluster-controller.test.ts',
  'kraftwerk.dev/kafkatopics:get':
    'a deleting KafkaTopic whose topic id was never recorded (a create whose answer was lost) is read fresh before Kafka is touched; a lost answer cannot be produced with real Kafka',
  'kraftwerk.dev/kafkaclusters/finalizers:update':
    'no request: OwnerReferencesPermissionEnforcement admission checks it when the operator sets blockOwnerDeletion on objects a KafkaCluster owns (proven below)',
  'kraftwerk.dev/kafkausers/finalizers:update':
    'no request: OwnerReferencesPermissionEnforcement admission checks it when the operator sets blockOwnerDeletion on the Secret a KafkaUser owns (proven below)',
  '/pods:patch':
    'the rack stamp (kraftwerk.dev/rack on a broker pod) needs a pod bound to a node, and this tier runs no scheduler; cluster-pod-spread.test.ts proves it with the real kube-scheduler',
  'kraftwerk.dev/kafkausers:patch':
    'the user finalizer is added once the user’s KafkaCluster is there and removed after its credentials, ACLs and quotas are gone; no cluster of this tier ever runs Kafka (user-controller.test.ts covers it)',
};

let cp: ControlPlane;
let admin: KubeClient;
let helmRbac: Manifest[];
let operator: Operator | undefined;
let operatorKubeconfig: string;
const bootstrap = () => inject('kafkaBootstrap');

interface Obj extends KubeObject {
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

const get = async (path: string): Promise<Obj | undefined> =>
  admin.request<Obj>('GET', path).catch(() => undefined);
const list = async (path: string, labelSelector?: string): Promise<Obj[]> =>
  (
    await admin.request<{ items: Obj[] }>('GET', path, {
      ...(labelSelector ? { query: { labelSelector } } : {}),
    })
  ).items;
const mergePatch = (path: string, body: unknown) =>
  admin.request('PATCH', path, { contentType: 'application/merge-patch+json', body });
const cluster = (name: string) => getResource<KafkaCluster>(admin, ns, 'kafkaclusters', name);
const condition = (o: { status?: { conditions?: { type: string }[] } } | undefined, type: string) =>
  o?.status?.conditions?.find((c) => c.type === type) as
    { type: string; status: string; reason?: string; message?: string } | undefined;

/** Whether `user` may do it, asked by the admin (the operator's own identity asks nothing). */
async function allowed(
  user: string,
  permission: string,
  namespace: string | undefined,
): Promise<boolean> {
  const [path, verb] = permission.split(':') as [string, string];
  const [group, resource, subresource] = path.split('/') as [string, string, string | undefined];
  const review = await admin.request<{ status: { allowed: boolean } }>(
    'POST',
    '/apis/authorization.k8s.io/v1/subjectaccessreviews',
    {
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user,
          groups: GROUPS,
          resourceAttributes: {
            verb,
            group,
            resource,
            ...(subresource ? { subresource } : {}),
            ...(namespace ? { namespace } : {}),
          },
        },
      },
    },
  );
  return review.status.allowed;
}

/** Every permission the chart's roles grant the ServiceAccount, with where. */
function granted(objects: Manifest[]): { permission: string; namespace: string | undefined }[] {
  const bound = (binding: Manifest) =>
    (
      (binding as { subjects?: { kind: string; name: string; namespace?: string }[] }).subjects ??
      []
    ).some((s) => s.kind === 'ServiceAccount' && s.name === SA && s.namespace === SYSTEM_NS);
  const out: { permission: string; namespace: string | undefined }[] = [];
  for (const b of objects.filter((o) => o.kind.endsWith('Binding') && bound(o))) {
    const ref = b.roleRef as { kind: string; name: string };
    const role = objects.find(
      (o) =>
        o.kind === ref.kind &&
        o.metadata.name === ref.name &&
        (ref.kind === 'ClusterRole' || o.metadata.namespace === b.metadata.namespace),
    );
    if (!role) throw new Error(`${idOf(b)} refers to a role the chart does not render`);
    for (const permission of rulePermissions((role as { rules?: unknown }).rules)) {
      out.push({ permission, namespace: b.metadata.namespace });
    }
  }
  return out;
}

beforeAll(async () => {
  cp = await ControlPlane.start({
    name: 'rbac-audit',
    auditLog: true,
    admissionPlugins: ['OwnerReferencesPermissionEnforcement'],
  });
  admin = new KubeClient(loadKubeConfig(cp.kubeconfigPath));
  await installCrds(admin);

  const rendered = helmTemplate({ helm: helmBinary() });
  if (rendered.status !== 0) throw new Error(rendered.stderr);
  const objects = manifests(rendered.stdout);
  helmRbac = objects.filter((o) => RBAC_KINDS.includes(o.kind));
  for (const name of [SYSTEM_NS, ns]) {
    await admin.request('POST', '/api/v1/namespaces', { body: { metadata: { name } } });
  }
  const serviceAccount = objects.find((o) => o.kind === 'ServiceAccount')!;
  for (const o of [serviceAccount, ...helmRbac]) await apply(admin, o as KubeObject);
  // RBAC reaches the authorizer through its informers: wait until every grant is in force.
  await waitFor('every granted permission in force', async () => {
    for (const g of granted(helmRbac)) {
      if (!(await allowed(USER, g.permission, g.namespace ?? ns))) return false;
    }
    return true;
  });

  operatorKubeconfig = cp.userKubeconfig('kraftwerk-serviceaccount', USER, GROUPS);
  const log = createWriteStream(join(logRoot, `operator-${ns}.log`), { flags: 'a' });
  operator = createOperator({
    kubeConfig: loadKubeConfig(operatorKubeconfig),
    logger: createLogger({ level: 'debug', write: (line) => log.write(line + '\n') }),
    // The chart's default: every namespace, a Lease in the release namespace.
    namespaces: [],
    leaderElection: { namespace: SYSTEM_NS, leaseName: 'kraftwerk-operator', identity: 'rbac' },
    resyncMs: 2_000,
    identity: `test-${ns}`,
  });
  await operator.start();
}, TOOL_BUILD_TIMEOUT);

afterAll(async () => {
  await operator?.stop();
  await cp?.stop();
});

describe('the RBAC the operator runs under', () => {
  it('is the same in the Helm chart and the cdk8s install', () => {
    const cdk8s = manifests(installYaml()).filter((o) => RBAC_KINDS.includes(o.kind));
    const view = (list: Manifest[]) => Object.fromEntries(normalize(list));
    expect(view(cdk8s)).toEqual(view(helmRbac));
  });
});

describe('a workload through every controller path of this tier', () => {
  it('KafkaCluster: created, claims grown, scaled, a listener removed, rolled, refused, deleted', async () => {
    const expandable = `rbac-expandable-${process.pid}`;
    await admin.request('POST', '/apis/storage.k8s.io/v1/storageclasses', {
      body: {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: expandable },
        provisioner: 'kraftwerk.dev/none',
        allowVolumeExpansion: true,
        volumeBindingMode: 'Immediate',
      },
    });
    const kc: KafkaCluster = {
      apiVersion: 'kraftwerk.dev/v1alpha1',
      kind: 'KafkaCluster',
      metadata: { name: 'kc', namespace: ns },
      spec: {
        version: '4.1.1',
        controllers: { replicas: 3, storage: { type: 'persistent-claim', size: '1Gi' } },
        brokers: {
          replicas: 3,
          storage: { type: 'persistent-claim', size: '1Gi', storageClassName: expandable },
        },
        listeners: [
          { name: 'internal', port: 9092, type: 'internal' },
          {
            name: 'external',
            port: 9094,
            type: 'nodeport',
            nodePortBase: 31192,
            advertisedHost: 'localhost',
          },
        ],
        config: { 'default.replication.factor': '3', 'min.insync.replicas': '1' },
      } as KafkaCluster['spec'],
    };
    await createResource(admin, 'kafkaclusters', kc);
    const sts = (name: string) => get(`/apis/apps/v1/namespaces/${ns}/statefulsets/${name}`);
    await waitFor('both StatefulSets, the ConfigMap, the PDBs and the NetworkPolicy', async () => {
      const all = await Promise.all([
        sts('kc-broker'),
        sts('kc-controller'),
        get(`/api/v1/namespaces/${ns}/configmaps/kc-kafka-config`),
        get(`/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/kc-broker`),
        get(`/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/kc-kafka`),
        get(`/api/v1/namespaces/${ns}/services/kc-broker-0-external`),
      ]);
      return all.every((o) => o !== undefined);
    });
    await waitFor('the cluster id', async () => (await cluster('kc'))?.status?.clusterId);

    // Storage growth: standing in for the PV binder (not run here), bind one broker claim.
    const claim = 'data-kc-broker-0';
    const pvcPath = `/api/v1/namespaces/${ns}/persistentvolumeclaims/${claim}`;
    const pvc = await waitFor(`claim ${claim}`, () => get(pvcPath));
    await admin.request('POST', '/api/v1/persistentvolumes', {
      body: {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: `${ns}-${claim}` },
        spec: {
          capacity: { storage: '1Gi' },
          accessModes: ['ReadWriteOnce'],
          storageClassName: expandable,
          hostPath: { path: `/tmp/${ns}-${claim}` },
          claimRef: { namespace: ns, name: claim, uid: pvc.metadata?.uid },
        },
      },
    });
    await mergePatch(pvcPath, { spec: { volumeName: `${ns}-${claim}` } });
    await mergePatch(`${pvcPath}/status`, {
      status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } },
    });
    await mergePatch(kraftwerkPath(ns, 'kafkaclusters', 'kc'), {
      spec: { brokers: { storage: { size: '2Gi' } } },
    });
    await waitFor('the claim grown to 2Gi', async () => {
      const c = await get(pvcPath);
      const spec = c?.spec as { resources?: { requests?: { storage?: string } } } | undefined;
      return spec?.resources?.requests?.storage === '2Gi';
    });

    // Scale up, and drop the external listener: its Services are deleted.
    await mergePatch(kraftwerkPath(ns, 'kafkaclusters', 'kc'), {
      spec: {
        brokers: { replicas: 4 },
        listeners: [{ name: 'internal', port: 9092, type: 'internal' }],
      },
    });
    await waitFor('4 brokers and no external Services', async () => {
      const [b, ext] = await Promise.all([
        sts('kc-broker'),
        get(`/api/v1/namespaces/${ns}/services/kc-broker-0-external`),
      ]);
      return b?.spec?.['replicas'] === 4 && ext === undefined;
    });

    // A restart-relevant change: the Pending pods (no kubelet here) are stale and stuck, so
    // the roller deletes them.
    const pods = () => list(`/api/v1/namespaces/${ns}/pods`, 'kraftwerk.dev/cluster=kc');
    await waitFor('the StatefulSet controller to create the pods', async () =>
      (await pods()).length >= 7 ? true : undefined,
    );
    const before = new Set((await pods()).map((p) => p.metadata?.uid));
    await mergePatch(kraftwerkPath(ns, 'kafkaclusters', 'kc'), {
      spec: { config: { 'log.retention.hours': '96' } },
    });
    await waitFor('a pod restarted by the roller', async () =>
      (await eventsFor(admin, ns, 'kc')).some((e) => e.reason === 'StuckOnStaleSpec')
        ? (await pods()).some((p) => !before.has(p.metadata?.uid))
        : undefined,
    );

    // A spec only the operator can judge: the same Warning on every reconcile becomes one
    // Event whose series is patched.
    await mergePatch(kraftwerkPath(ns, 'kafkaclusters', 'kc'), {
      spec: { config: { 'default.replication.factor': '5' } },
    });
    await waitFor(
      'a repeated InvalidSpec Event',
      async () => {
        const list = await admin.request<{
          items: { reason?: string; regarding?: { name?: string }; series?: { count: number } }[];
        }>('GET', `/apis/events.k8s.io/v1/namespaces/${ns}/events`);
        return list.items.some(
          (e) =>
            e.regarding?.name === 'kc' && e.reason === 'InvalidSpec' && (e.series?.count ?? 0) > 1,
        );
      },
      { timeoutMs: 60_000 },
    );
    await mergePatch(kraftwerkPath(ns, 'kafkaclusters', 'kc'), {
      spec: { config: { 'default.replication.factor': '3' } },
    });

    // Teardown: brokers, then controllers, then the finalizer goes.
    await admin.request('DELETE', kraftwerkPath(ns, 'kafkaclusters', 'kc'));
    await waitFor('the KafkaCluster gone', async () => !(await cluster('kc')), {
      timeoutMs: 90_000,
    });
    await admin
      .request('DELETE', `/apis/storage.k8s.io/v1/storageclasses/${expandable}`)
      .catch(() => undefined);
  });

  it('secured KafkaCluster: certificate Secrets read and created, leaves renewed, deleted', async () => {
    await createResource(admin, 'kafkaclusters', {
      apiVersion: 'kraftwerk.dev/v1alpha1',
      kind: 'KafkaCluster',
      metadata: { name: 'sec', namespace: ns },
      spec: {
        version: '4.1.1',
        brokers: { replicas: 1, storage: { type: 'ephemeral' } },
        listeners: [{ name: 'internal', port: 9092, type: 'internal', tls: true }],
        config: { 'default.replication.factor': '1', 'min.insync.replicas': '1' },
      },
    } as KafkaCluster);
    const leaf = async () =>
      (
        (await get(`/api/v1/namespaces/${ns}/secrets/sec-kafka-certs`)) as
          { data?: Record<string, string> } | undefined
      )?.data?.['tls.crt'];
    const first = await waitFor('the node certificate Secret', leaf);
    // Renewal patches the Secret the step created (secrets:patch).
    const RENEW = 'kraftwerk.dev/renew-certificates';
    await mergePatch(kraftwerkPath(ns, 'kafkaclusters', 'sec'), {
      metadata: { annotations: { [RENEW]: 'leaves' } },
    });
    await waitFor('the annotation removed', async () => {
      const kc = await cluster('sec');
      return kc !== undefined && kc.metadata.annotations?.[RENEW] === undefined;
    });
    expect(await leaf()).not.toBe(first);
    await admin.request('DELETE', kraftwerkPath(ns, 'kafkaclusters', 'sec'));
    await waitFor('the secured KafkaCluster gone', async () => !(await cluster('sec')), {
      timeoutMs: 90_000,
    });
  });

  it('KafkaTopic: created, changed and deleted in the real Kafka', async () => {
    const name = `rbac-orders-${process.pid}`;
    const topic: KafkaTopic = {
      apiVersion: 'kraftwerk.dev/v1alpha1',
      kind: 'KafkaTopic',
      metadata: { name, namespace: ns },
      spec: {
        bootstrapServers: bootstrap(),
        partitions: 2,
        replicationFactor: 1,
        deletionPolicy: 'Delete',
        config: { 'retention.ms': '3600000' },
      },
    };
    await createResource(admin, 'kafkatopics', topic);
    const ready = (generation: number, partitions: number) => async () => {
      const t = await getResource<KafkaTopic>(admin, ns, 'kafkatopics', name);
      const c = condition(t, 'Ready') as
        { status: string; observedGeneration?: number } | undefined;
      const done = c?.status === 'True' && (c.observedGeneration ?? 0) >= generation;
      return done && t?.status?.partitions === partitions ? t : undefined;
    };
    const created = await waitFor('the topic Ready with 2 partitions', ready(1, 2));
    expect(created.status?.topicId).toBeTruthy();
    await mergePatch(kraftwerkPath(ns, 'kafkatopics', name), {
      spec: { partitions: 4, config: { 'retention.ms': '7200000' } },
    });
    await waitFor('the topic Ready with 4 partitions', ready(2, 4));
    await admin.request('DELETE', kraftwerkPath(ns, 'kafkatopics', name));
    await waitFor(
      'the KafkaTopic gone (topic deleted, finalizer removed)',
      async () => !(await getResource<KafkaTopic>(admin, ns, 'kafkatopics', name)),
    );
  });

  it('KafkaConsumerGroup: scales a Deployment and a StatefulSet for a backlog', async () => {
    const topic = `rbac-backlog-${process.pid}`;
    const kafka = new Kafka({
      clientId: 'rbac-test',
      brokers: bootstrap().split(','),
      logLevel: logLevel.NOTHING,
    });
    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    await kafkaAdmin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await kafkaAdmin.disconnect();
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({
      topic,
      messages: Array.from({ length: 600 }, (_, i) => ({ key: `k${i}`, value: 'x' })),
    });
    await producer.disconnect();

    const workload = (kind: 'Deployment' | 'StatefulSet', name: string) => ({
      apiVersion: 'apps/v1',
      kind,
      metadata: { name, namespace: ns },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        ...(kind === 'StatefulSet' ? { serviceName: name } : {}),
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: 'c', image: 'registry.invalid/consumer:1' }] },
        },
      },
    });
    const targets = [
      { kind: 'Deployment' as const, plural: 'deployments', name: 'consumer-deploy' },
      { kind: 'StatefulSet' as const, plural: 'statefulsets', name: 'consumer-sts' },
    ];
    for (const t of targets) {
      await admin.request('POST', `/apis/apps/v1/namespaces/${ns}/${t.plural}`, {
        body: workload(t.kind, t.name),
      });
      const group: KafkaConsumerGroup = {
        apiVersion: 'kraftwerk.dev/v1alpha1',
        kind: 'KafkaConsumerGroup',
        metadata: { name: t.name, namespace: ns },
        spec: {
          bootstrapServers: bootstrap(),
          groupId: `${topic}-${t.name}`,
          topics: [topic],
          scaleTargetRef: { apiVersion: 'apps/v1', kind: t.kind, name: t.name },
          minReplicas: 1,
          maxReplicas: 10,
          allowIdleConsumers: false,
          lagThreshold: 100,
          activationLagThreshold: 0,
          pollIntervalSeconds: 1,
          scaleUp: { dwellSeconds: 2, rebalanceSeconds: 1 },
          scaleDown: { stabilizationSeconds: 5, maxStepPercent: 100 },
          offsetResetPolicy: 'earliest',
        },
      };
      await createResource(admin, 'kafkaconsumergroups', group);
    }
    for (const t of targets) {
      // 600 messages at 100 per replica, capped by the 3 partitions.
      await waitFor(`${t.kind} ${t.name} scaled to 3`, async () => {
        const scale = await admin.request<{ spec: { replicas: number } }>(
          'GET',
          `/apis/apps/v1/namespaces/${ns}/${t.plural}/${t.name}/scale`,
        );
        return scale.spec.replicas === 3;
      });
    }
    for (const t of targets) {
      await admin.request('DELETE', kraftwerkPath(ns, 'kafkaconsumergroups', t.name));
    }
  });

  it('KafkaUser: waits for a cluster that is not there, then deleted', async () => {
    // The most of a user this tier can show: no KafkaCluster here ever runs Kafka, so the
    // user's Secret, its finalizer and Kafka's side stay untouched (user-controller.test.ts).
    const user: KafkaUser = {
      apiVersion: 'kraftwerk.dev/v1alpha1',
      kind: 'KafkaUser',
      metadata: { name: 'rbac-user', namespace: ns },
      spec: { cluster: 'absent', authentication: { type: 'scram-sha-512' } },
    };
    await createResource(admin, 'kafkausers', user);
    await waitFor('the KafkaUser Ready=False ClusterNotFound, with an Event', async () => {
      const u = await getResource<KafkaUser>(admin, ns, 'kafkausers', 'rbac-user');
      const ready = condition(u, 'Ready');
      if (ready?.status !== 'False' || ready.reason !== 'ClusterNotFound') return false;
      return (await eventsFor(admin, ns, 'rbac-user')).some((e) => e.reason === 'ClusterNotFound');
    });
    await admin.request('DELETE', kraftwerkPath(ns, 'kafkausers', 'rbac-user'));
    await waitFor(
      'the KafkaUser gone',
      async () => !(await getResource<KafkaUser>(admin, ns, 'kafkausers', 'rbac-user')),
    );
  });
});

describe('what the audit log shows', () => {
  let events: AuditEvent[] = [];
  const used = new Map<string, Set<string>>();

  beforeAll(async () => {
    // Leases are renewed every 2 s: let one renewal happen if none has yet, then stop, so the
    // log holds everything the operator sent.
    await new Promise((r) => setTimeout(r, 3_000));
    await operator?.stop();
    operator = undefined;
    const byId = new Map<string, AuditEvent>();
    for (const e of cp.auditEvents()) if (e.user.username === USER) byId.set(e.auditID, e);
    events = [...byId.values()];
    for (const e of events) {
      const r = e.objectRef;
      if (!r?.resource) continue; // discovery (non-resource URLs), granted to everyone
      const path = `${r.apiGroup ?? ''}/${r.resource}${r.subresource ? `/${r.subresource}` : ''}`;
      const where = r.namespace ?? '(cluster)';
      const note = (verb: string) => {
        const key = `${path}:${verb}`;
        if (!used.has(key)) used.set(key, new Set());
        used
          .get(key)!
          .add(where === ns || where === SYSTEM_NS || where === '(cluster)' ? where : '(other)');
      };
      note(e.verb);
      // A server-side apply that creates the object is authorized as create too (201).
      if (e.verb === 'patch' && e.responseStatus?.code === 201) note('create');
    }
    const table = [...used.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, w]) => `${k} @ ${[...w].sort().join(',')}`);
    console.log(`[rbac] ${events.length} requests as ${USER}:\n  ${table.join('\n  ')}`);
  });

  it('has the operator refused nothing', () => {
    expect(events.length).toBeGreaterThan(100);
    const refused = events
      .filter(
        (e) =>
          e.responseStatus?.code === 403 ||
          e.annotations?.['authorization.k8s.io/decision'] === 'forbid',
      )
      .map((e) => `${e.verb} ${e.requestURI}: ${e.responseStatus?.code}`);
    expect(refused).toEqual([]);
  });

  it('used every granted permission, except the allow-listed ones', () => {
    const grants = [...new Set(granted(helmRbac).map((g) => g.permission))].sort();
    const unused = grants.filter((p) => !used.has(p));
    expect(unused.filter((p) => !(p in ALLOWED_UNUSED))).toEqual([]);
    // An allow-list entry the workload did use, or that grants nothing, is stale.
    expect(Object.keys(ALLOWED_UNUSED).sort()).toEqual(unused);
  });

  it('used cluster-wide only list/watch of what it watches, StorageClass get, Node list/watch and nothing else', () => {
    const clusterWide = [...used.entries()]
      .filter(([, where]) => where.has('(cluster)'))
      .map(([k]) => k)
      .sort();
    expect(clusterWide).toEqual(
      [
        ...[
          'kraftwerk.dev/kafkaclusters',
          'kraftwerk.dev/kafkatopics',
          'kraftwerk.dev/kafkaconsumergroups',
          'kraftwerk.dev/kafkausers',
        ].flatMap((r) => [`${r}:list`, `${r}:watch`]),
        ...[
          'apps/statefulsets',
          '/pods',
          '/services',
          '/configmaps',
          'policy/poddisruptionbudgets',
          'networking.k8s.io/networkpolicies',
          '/nodes',
        ].flatMap((r) => [`${r}:list`, `${r}:watch`]),
        'storage.k8s.io/storageclasses:get',
      ].sort(),
    );
    expect([...(used.get('coordination.k8s.io/leases:update') ?? [])]).toEqual([SYSTEM_NS]);
  });
});

describe('<kind>/finalizers under OwnerReferencesPermissionEnforcement', () => {
  // What each owner owns: a KafkaCluster its ConfigMaps (and more), a KafkaUser its Secret.
  const owners = [
    {
      plural: 'kafkaclusters',
      owned: { plural: 'configmaps', kind: 'ConfigMap' },
      owner: {
        apiVersion: 'kraftwerk.dev/v1alpha1',
        kind: 'KafkaCluster',
        metadata: { name: 'owner', namespace: ns },
        spec: {
          version: '4.1.1',
          brokers: { replicas: 1, storage: { type: 'ephemeral' } },
          listeners: [{ name: 'internal', port: 9092, type: 'internal' }],
          config: { 'default.replication.factor': '1' },
        },
      } as KafkaCluster as KubeObject,
    },
    {
      plural: 'kafkausers',
      owned: { plural: 'secrets', kind: 'Secret' },
      owner: {
        apiVersion: 'kraftwerk.dev/v1alpha1',
        kind: 'KafkaUser',
        metadata: { name: 'owner', namespace: ns },
        spec: { cluster: 'absent', authentication: { type: 'tls' } },
      } as KafkaUser as KubeObject,
    },
  ];

  it.each(owners)(
    '$plural/finalizers is what lets an owner reference block the owner’s deletion',
    async ({ plural, owned, owner }) => {
      // A probe identity that may create the owned kind, with and without the finalizers rule.
      const probeName = `probe-${plural}`;
      const user = `system:serviceaccount:${SYSTEM_NS}:${probeName}`;
      const probe = new KubeClient(loadKubeConfig(cp.userKubeconfig(probeName, user, GROUPS)));
      const created = await createResource(admin, plural, owner);
      const rules = (name: string, rules: unknown[]) => [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name },
          rules,
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
          subjects: [{ kind: 'ServiceAccount', name: probeName, namespace: SYSTEM_NS }],
        },
      ];
      for (const o of rules(`${probeName}-create`, [
        { apiGroups: [''], resources: [owned.plural], verbs: ['create'] },
      ]))
        await apply(admin, o as KubeObject);
      await waitFor(`the probe may create ${owned.plural}`, () =>
        allowed(user, `/${owned.plural}:create`, ns),
      );
      const object = {
        apiVersion: 'v1',
        kind: owned.kind,
        metadata: {
          name: 'owned',
          namespace: ns,
          ownerReferences: [
            {
              apiVersion: 'kraftwerk.dev/v1alpha1',
              kind: owner.kind,
              name: 'owner',
              uid: created.metadata?.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
      };
      const create = () =>
        probe.request('POST', `/api/v1/namespaces/${ns}/${owned.plural}`, {
          body: object,
          query: { dryRun: 'All' },
        });
      await expect(create()).rejects.toThrow(/cannot set blockOwnerDeletion/);
      for (const o of rules(`${probeName}-finalizers`, [
        { apiGroups: ['kraftwerk.dev'], resources: [`${plural}/finalizers`], verbs: ['update'] },
      ]))
        await apply(admin, o as KubeObject);
      await waitFor(`the probe may update ${plural}/finalizers`, () =>
        allowed(user, `kraftwerk.dev/${plural}/finalizers:update`, ns),
      );
      await expect(create()).resolves.toBeDefined();
    },
  );
});
