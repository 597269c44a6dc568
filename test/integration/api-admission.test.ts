// The generated CRDs in a real kube-apiserver: they install, every example and valid edge case
// is accepted, and every case of the invalid corpus is refused with a message naming the field.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  loadYaml,
  type KubernetesObject,
  type V1Scale,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { crdFileName } from '../../operator/src/api/crd.ts';
import { API_GROUP, API_GROUP_VERSION, API_VERSION } from '../../operator/src/api/group-version.ts';
import type { KafkaCluster } from '../../operator/src/api/kafka-cluster.ts';
import { resourceDefinitions } from '../../operator/src/api/resources.ts';
import {
  admissionDir,
  readInvalidCases,
  readTransitionCases,
  readYamlFiles,
} from './admission/corpus.ts';

const repoRoot = join(import.meta.dirname, '..', '..');
const namespace = `api-admission-${randomBytes(3).toString('hex')}`;
const fieldManager = 'kraftwerk-api-admission-test';

let client: KubernetesObjectApi;
let kubeConfig: KubeConfig;

const name = (file: string) => basename(file);

function inNamespace<T extends KubernetesObject>(object: T): T {
  return { ...object, metadata: { ...object.metadata, namespace } };
}

/** Our resource types carry wire-shaped metadata (string timestamps); client-node's model
 *  uses Date. The JSON is the same, so hand it over as client-node's type. */
function asKube(resource: KafkaCluster): KubernetesObject {
  return resource as unknown as KubernetesObject;
}

/** The API server's Status message of a refused request, or a description of what happened. */
function refusal(error: unknown): string {
  if (!(error instanceof ApiException)) throw error;
  const body: unknown = error.body;
  const status: unknown = typeof body === 'string' ? safeJson(body) : body;
  if (typeof status === 'object' && status !== null && 'message' in status) {
    return `HTTP ${error.code}: ${String(status.message)}`;
  }
  return `HTTP ${error.code}: ${String(body)}`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function expectRefused(request: Promise<unknown>, messages: string[]): Promise<void> {
  let message: string | undefined;
  try {
    await request;
  } catch (error) {
    message = refusal(error);
  }
  expect(message, 'the API server accepted it').toBeDefined();
  expect(message).toMatch(/^HTTP 422: /);
  for (const m of messages) expect(message).toContain(m);
}

async function until<T>(what: string, attempt: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

beforeAll(async () => {
  kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(inject('kubeconfig'));
  client = KubernetesObjectApi.makeApiClient(kubeConfig);

  // The committed manifests, as `kubectl apply --server-side -f crds/` would install them.
  // loadYaml yields client-node's CRD model, which is what the client serializes correctly.
  for (const def of resourceDefinitions) {
    const crd = loadYaml<KubernetesObject>(
      readFileSync(join(repoRoot, 'crds', crdFileName(def)), 'utf8'),
    );
    await client.patch(
      crd,
      undefined,
      undefined,
      fieldManager,
      true,
      PatchStrategy.ServerSideApply,
    );
  }
  for (const def of resourceDefinitions) {
    await until(`CRD ${def.plural} to be Established`, async () => {
      const crd = (await client.read({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: `${def.plural}.${API_GROUP}` },
      })) as KubernetesObject & { status?: { conditions?: { type: string; status: string }[] } };
      const established = crd.status?.conditions?.some(
        (c) => c.type === 'Established' && c.status === 'True',
      );
      if (!established) throw new Error('not yet');
    });
  }
  await kubeConfig
    .makeApiClient(CoreV1Api)
    .createNamespace({ body: { metadata: { name: namespace } } });
  // Discovery lags behind Established; the object client resolves kinds through it.
  for (const def of resourceDefinitions) {
    await until(`${def.kind} to be served`, () =>
      client.list(`${API_GROUP}/${API_VERSION}`, def.kind, namespace),
    );
  }
});

afterAll(async () => {
  // Best effort: without a namespace controller the namespace only gets marked Terminating.
  await kubeConfig
    ?.makeApiClient(CoreV1Api)
    .deleteNamespace({ name: namespace })
    .catch(() => undefined);
});

describe('examples/ apply cleanly', () => {
  const files = readYamlFiles(join(repoRoot, 'examples'));
  it('has examples of every kind', () => {
    const kinds = new Set(files.flatMap((f) => f.objects.map((o) => o.kind)));
    expect([...kinds].sort()).toEqual(resourceDefinitions.map((d) => d.kind).sort());
  });
  it.each(files.map((f) => [name(f.file), f] as const))('%s', async (_, { objects }) => {
    for (const object of objects) await client.create(inNamespace(object));
  });
});

describe('valid edge cases are accepted', () => {
  const files = readYamlFiles(join(admissionDir, 'valid'));
  it.each(files.map((f) => [name(f.file), f] as const))('%s', async (_, { objects }) => {
    for (const object of objects) await client.create(inNamespace(object), undefined, 'All');
  });
});

describe('invalid resources are refused at admission', () => {
  const cases = readInvalidCases();
  it('has a corpus of at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });
  it.each(cases.map((c) => [name(c.file), c] as const))('%s', async (_, c) => {
    await expectRefused(client.create(inNamespace(c.object), undefined, 'All'), c.expect);
  });
});

describe('updates are judged against the previous object', () => {
  const cases = readTransitionCases();
  it.each(cases.map((c) => [name(c.file), c] as const))('%s', async (_, c) => {
    const before = await client.create(inNamespace(c.before));
    const after = inNamespace({
      ...c.after,
      metadata: { ...c.after.metadata, resourceVersion: before.metadata?.resourceVersion },
    });
    const update = client.replace(after, undefined, 'All');
    if (c.expect.length === 0) await update;
    else await expectRefused(update, c.expect);
  });
});

describe('KafkaCluster scale subresource', () => {
  it('scaling a KafkaCluster sets spec.brokers.replicas', async () => {
    const cluster = inNamespace(
      asKube({
        apiVersion: API_GROUP_VERSION,
        kind: 'KafkaCluster',
        metadata: { name: 'scale-me' },
        spec: {
          version: '4.1.1',
          brokers: { replicas: 3, storage: { type: 'ephemeral' } },
          listeners: [{ name: 'internal', port: 9092, type: 'internal' }],
        },
      } as KafkaCluster),
    );
    await client.create(cluster);
    const custom = kubeConfig.makeApiClient(CustomObjectsApi);
    const target = {
      group: API_GROUP,
      version: API_VERSION,
      namespace,
      plural: 'kafkaclusters',
      name: 'scale-me',
    };
    const scale = (await custom.getNamespacedCustomObjectScale(target)) as V1Scale;
    expect(scale.spec?.replicas).toBe(3);
    await custom.replaceNamespacedCustomObjectScale({
      ...target,
      body: { ...scale, spec: { replicas: 5 } },
    });
    const scaled = (await client.read({
      apiVersion: API_GROUP_VERSION,
      kind: 'KafkaCluster',
      metadata: { name: 'scale-me', namespace },
    })) as unknown as KafkaCluster;
    expect(scaled.spec.brokers.replicas).toBe(5);
  });
});

describe('KafkaCluster status', () => {
  it('takes metav1.Condition conditions and never lets clusterId change', async () => {
    const custom = kubeConfig.makeApiClient(CustomObjectsApi);
    const cluster = inNamespace(
      asKube({
        apiVersion: API_GROUP_VERSION,
        kind: 'KafkaCluster',
        metadata: { name: 'status-check' },
        spec: {
          version: '4.1.1',
          brokers: { replicas: 1, storage: { type: 'ephemeral' } },
          listeners: [{ name: 'internal', port: 9092, type: 'internal' }],
        },
      } as KafkaCluster),
    );
    const created = await client.create(cluster);
    const target = {
      group: API_GROUP,
      version: API_VERSION,
      namespace,
      plural: 'kafkaclusters',
      name: 'status-check',
    };
    const status: KafkaCluster['status'] = {
      observedGeneration: 1,
      clusterId: 'nLp2Vq0yQyWk3b6h7Zq0yw',
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'ClusterNotReady',
          message: 'waiting for brokers',
          observedGeneration: 1,
          lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        },
      ],
    };
    const written = (await custom.replaceNamespacedCustomObjectStatus({
      ...target,
      body: { ...created, status },
    })) as unknown as KafkaCluster;
    expect(written.status?.conditions?.[0]?.reason).toBe('ClusterNotReady');
    await expectRefused(
      custom.replaceNamespacedCustomObjectStatus({
        ...target,
        body: { ...written, status: { ...status, clusterId: 'another' } },
      }),
      ['status.clusterId', 'never changes'],
    );
  });
});
