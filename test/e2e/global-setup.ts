// What every e2e scenario shares: the kind cluster with our images, the CRDs and the operator
// installed by the Helm chart (hack/e2e/up.sh: the demo's own steps), and one KafkaCluster —
// examples/kafka-cluster-demo.yaml as a user would apply it (3 controllers, 3 brokers, an
// internal and a NodePort listener) — in namespace kraftwerk-e2e, Ready. The example's secured
// listener is left out (plaintextOnly): the scenarios written before secured clusters existed
// measure what they always measured on a plaintext cluster, and secured.test.ts brings a
// secured cluster of its own, on the same host ports as the demo's secured listener.
// Prints the numbers the kind issue asks for: apply → Ready and the
// teardown time (hack/e2e/up.sh prints the image sizes).
// KRAFTWERK_E2E_KEEP=1 keeps the KafkaCluster after the run (the next run reuses it).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import type { TestProject } from 'vitest/node';
import {
  KubeApiError,
  KubeClient,
  loadKubeConfig,
} from '../../operator/src/runtime/kube-client.ts';
import { waitFor } from '../fixtures/process.ts';
import { kafkaVersions, repoRoot } from '../fixtures/toolchain.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    e2eKubeconfig: string;
    e2eNamespace: string;
    e2eCluster: string;
    e2eKafkaImage: string;
    e2eHostBootstrap: string;
    /** The toolchain's other Kafka version, loaded into kind: the upgrade scenario's start. */
    e2eUpgradeFrom: string;
  }
}

const namespace = 'kraftwerk-e2e';
const log = (msg: string) => console.log(`[e2e ${new Date().toISOString().slice(11, 19)}] ${msg}`);

function runScript(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    // Progress lines go to stderr (shown as they come); the last stdout line is the result.
    const child = spawn('bash', args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) =>
      code === 0
        ? resolve(out.trim().split('\n').pop() ?? '')
        : reject(new Error(`bash ${args.join(' ')} exited ${code}`)),
    );
  });
}

interface Listener {
  name: string;
  tls?: boolean;
  authentication?: unknown;
}

interface Cluster {
  metadata: { name: string; generation?: number };
  spec: { version: string; brokers: { replicas: number }; listeners: Listener[] };
  status?: {
    observedGeneration?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

/** The cluster without its TLS or authenticated listeners: a plaintext cluster again. */
function plaintextOnly(c: Cluster): Cluster {
  const listeners = c.spec.listeners.filter(
    (l) => l.tls !== true && l.authentication === undefined,
  );
  return { ...c, spec: { ...c.spec, listeners } };
}

const isReady = (c: Cluster | undefined) =>
  c?.status?.observedGeneration === c?.metadata.generation &&
  c?.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') === true;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const example = plaintextOnly(
    load(readFileSync(join(repoRoot, 'examples/kafka-cluster-demo.yaml'), 'utf8')) as Cluster,
  );
  const version = example.spec.version;
  const started = Date.now();
  // The upgrade scenario starts from the other Kafka version of the toolchain.
  const kubeconfig = await runScript([
    'hack/e2e/up.sh',
    version,
    ...kafkaVersions.filter((v) => v !== version),
  ]);
  log(`kind cluster, images and operator ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);

  const kube = new KubeClient(loadKubeConfig(kubeconfig));
  const name = example.metadata.name;
  const path = `/apis/kraftwerk.dev/v1alpha1/namespaces/${namespace}/kafkaclusters/${name}`;
  if (process.env.KRAFTWERK_E2E_KEEP !== '1') {
    // A run that was interrupted (a CI job cancelled, a session cut off) never tore down: its
    // cluster may be mid-scale and its topics changed. Scenarios assume the example as applied
    // to a fresh namespace, so whatever is left goes first.
    const left = await namespaceExists(kube);
    if (left) {
      log(`namespace ${namespace} left by an interrupted run: tearing it down first`);
      const cleaning = Date.now();
      await tearDown(kube, name);
      await waitFor(`namespace ${namespace} gone`, async () => !(await namespaceExists(kube)), {
        timeoutMs: 300_000,
        intervalMs: 1000,
      });
      log(`leftover namespace gone in ${((Date.now() - cleaning) / 1000).toFixed(0)} s`);
    }
  }
  await kube.request('PATCH', `/api/v1/namespaces/${namespace}?fieldManager=kraftwerk-e2e`, {
    body: {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: namespace,
        // Everything the operator runs there must meet the restricted Pod Security Standard.
        labels: { 'pod-security.kubernetes.io/enforce': 'restricted' },
      },
    },
    contentType: 'application/apply-patch+yaml',
  });
  const existing = await kube.request<Cluster>('GET', path).catch(() => undefined);
  const applied = Date.now();
  await kube.request('PATCH', `${path}?fieldManager=kraftwerk-e2e&force=true`, {
    body: { ...example, metadata: { ...example.metadata, namespace } },
    contentType: 'application/apply-patch+yaml',
  });
  let last: Cluster | undefined;
  await waitFor(
    `KafkaCluster ${namespace}/${name} Ready`,
    async () => isReady((last = await kube.request<Cluster>('GET', path))),
    { timeoutMs: 10 * 60_000, intervalMs: 1000 },
  ).catch((e: unknown) => {
    throw new Error(`${String(e)}; status: ${JSON.stringify(last?.status)}`);
  });
  log(
    existing
      ? `KafkaCluster ${name} reused (KRAFTWERK_E2E_KEEP), Ready after ${((Date.now() - applied) / 1000).toFixed(0)} s`
      : `benchmark: kubectl apply of the demo KafkaCluster → Ready in ${((Date.now() - applied) / 1000).toFixed(0)} s (fresh volumes)`,
  );

  project.provide('e2eKubeconfig', kubeconfig);
  project.provide('e2eNamespace', namespace);
  project.provide('e2eCluster', name);
  project.provide('e2eKafkaImage', `apache/kafka:${version}`);
  project.provide('e2eHostBootstrap', 'localhost:30092');
  // The upgrade scenario needs a version to come from: without one it would "upgrade" to the
  // same image and prove nothing, so the suite refuses to start.
  const upgradeFrom = kafkaVersions.find((v) => v && v !== version);
  if (!upgradeFrom) {
    throw new Error(
      `the upgrade scenario needs a second Kafka version: KAFKA_VERSIONS is "${kafkaVersions.join(' ')}", the demo's ${version}`,
    );
  }
  project.provide('e2eUpgradeFrom', upgradeFrom);

  return async () => {
    if (process.env.KRAFTWERK_E2E_KEEP === '1') {
      log(`keeping namespace ${namespace} (KRAFTWERK_E2E_KEEP=1)`);
      return;
    }
    await tearDown(kube, name);
  };
}

/** Only a 404 means absent: any other error fails the setup with its own words. */
async function namespaceExists(kube: KubeClient): Promise<boolean> {
  try {
    await kube.request('GET', `/api/v1/namespaces/${namespace}`);
    return true;
  } catch (e) {
    if (e instanceof KubeApiError && e.statusCode === 404) return false;
    throw e;
  }
}

/** Deletes the run's topics, groups, KafkaCluster and namespace, reporting what will not go. */
async function tearDown(kube: KubeClient, name: string): Promise<void> {
  const path = `/apis/kraftwerk.dev/v1alpha1/namespaces/${namespace}/kafkaclusters/${name}`;
  // Topics and groups first, while Kafka answers their finalizers; then the cluster. Every
  // wait is bounded and ends in a report, not a failure: a resource whose Kafka is gone for
  // good stays Terminating until it is annotated kraftwerk.dev/abandon=true
  // (docs/operations.md), and one such resource must not fail the whole run.
  const base = `/apis/kraftwerk.dev/v1alpha1/namespaces/${namespace}`;
  for (const kind of ['kafkatopics', 'kafkaconsumergroups']) {
    await kube.request('DELETE', `${base}/${kind}`);
  }
  await deletedOrReported(kube, base, ['kafkatopics', 'kafkaconsumergroups'], 180_000);
  const deleting = Date.now();
  await kube.request('DELETE', path).catch(() => undefined);
  const gone = await waitFor(
    'the KafkaCluster and its pods gone',
    async () => {
      const pods = await kube.request<{ items: unknown[] }>(
        'GET',
        `/api/v1/namespaces/${namespace}/pods?labelSelector=kraftwerk.dev/cluster=${name}`,
      );
      const cluster = await kube.request('GET', path).catch(() => undefined);
      return pods.items.length === 0 && cluster === undefined;
    },
    { timeoutMs: 300_000, intervalMs: 1000 },
  ).then(
    () => true,
    () => false,
  );
  if (gone) {
    log(
      `benchmark: KafkaCluster delete → all its pods gone in ${((Date.now() - deleting) / 1000).toFixed(0)} s`,
    );
  } else {
    await reportTerminating(kube, base, ['kafkaclusters']);
  }
  // The namespace goes on deleting in the background if something in it still waits.
  await kube.request('DELETE', `/api/v1/namespaces/${namespace}`).catch((e: unknown) => {
    log(`could not delete namespace ${namespace}: ${String(e)}`);
  });
}

interface Listed {
  items: {
    kind?: string;
    metadata: { name: string; deletionTimestamp?: string };
    status?: { conditions?: { type: string; reason?: string; message?: string }[] };
  }[];
}

/** Waits up to `timeoutMs` for `plurals` to be gone from `base`; reports what is left. */
async function deletedOrReported(
  kube: KubeClient,
  base: string,
  plurals: string[],
  timeoutMs: number,
): Promise<void> {
  const left = async () =>
    (await Promise.all(plurals.map((p) => kube.request<Listed>('GET', `${base}/${p}`)))).reduce(
      (n, l) => n + l.items.length,
      0,
    );
  const gone = await waitFor(`${plurals.join(' and ')} gone`, async () => (await left()) === 0, {
    timeoutMs,
    intervalMs: 1000,
  }).then(
    () => true,
    () => false,
  );
  if (!gone) await reportTerminating(kube, base, plurals);
}

async function reportTerminating(kube: KubeClient, base: string, plurals: string[]) {
  for (const p of plurals) {
    const list = await kube.request<Listed>('GET', `${base}/${p}`).catch(() => ({ items: [] }));
    for (const o of list.items) {
      const ready = o.status?.conditions?.find((c) => c.type === 'Ready');
      log(
        `still ${o.metadata.deletionTimestamp ? 'Terminating' : 'present'} (teardown goes on): ` +
          `${p}/${o.metadata.name}: ${ready?.reason ?? '-'}: ${ready?.message ?? '-'}`,
      );
    }
  }
  log(`to let one go without cleaning up in Kafka: annotate it kraftwerk.dev/abandon=true`);
}
