// What the e2e scenarios share: the kind cluster's API (our KubeClient), kubectl, clients that
// are not ours (kcat and Python's confluent_kafka, both librdkafka; Kafka's own CLI tools),
// in-cluster client pods, and a watch on the Kafka pods that records every restart.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { Informer } from '../../operator/src/runtime/informer.ts';
import { KubeClient, loadKubeConfig } from '../../operator/src/runtime/kube-client.ts';
import type { KubeObject } from '../../operator/src/runtime/resource.ts';
import { kafkaHome, kubernetesBinary } from '../fixtures/toolchain.ts';
import { waitFor } from '../fixtures/process.ts';

export { waitFor };
const run = promisify(execFile);

export const e2e = {
  kubeconfig: inject('e2eKubeconfig'),
  namespace: inject('e2eNamespace'),
  cluster: inject('e2eCluster'),
  kafkaImage: inject('e2eKafkaImage'),
  /** The external (NodePort) listener, mapped to the host by kind-config.yaml. */
  hostBootstrap: inject('e2eHostBootstrap'),
};
/** The in-cluster bootstrap Service of the e2e KafkaCluster. */
export const inClusterBootstrap = `${e2e.cluster}-kafka-bootstrap.${e2e.namespace}.svc:9092`;

export const kube = new KubeClient(loadKubeConfig(e2e.kubeconfig));
const env = { ...process.env, KUBECONFIG: e2e.kubeconfig };

export async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run(kubernetesBinary('kubectl'), args, {
    env,
    maxBuffer: 64 << 20,
  });
  return stdout;
}

const ns = () => `/namespaces/${e2e.namespace}`;
export const paths = {
  cluster: (name = e2e.cluster) => `/apis/kraftwerk.dev/v1alpha1${ns()}/kafkaclusters/${name}`,
  topic: (name: string) => `/apis/kraftwerk.dev/v1alpha1${ns()}/kafkatopics/${name}`,
  group: (name: string) => `/apis/kraftwerk.dev/v1alpha1${ns()}/kafkaconsumergroups/${name}`,
  deployment: (name: string) => `/apis/apps/v1${ns()}/deployments/${name}`,
  pods: () => `/api/v1${ns()}/pods`,
};

/**
 * Server-side apply as a person would (`kubectl apply --server-side`). A partial edit needs its
 * own field manager: under the manager that applied the whole object, omitted fields would be
 * removed.
 */
export async function apply(path: string, obj: object, manager = 'kraftwerk-e2e'): Promise<void> {
  await kube.request('PATCH', `${path}?fieldManager=${manager}&force=true`, {
    body: obj,
    contentType: 'application/apply-patch+yaml',
  });
}

/**
 * A person's edit of part of the suite's KafkaCluster spec, under a field manager of its own
 * (`kubectl apply --server-side --field-manager=…` of just those fields): fields it does not
 * name keep their owners and values.
 */
export async function editCluster(spec: object, manager: string): Promise<void> {
  await apply(
    paths.cluster(),
    {
      apiVersion: 'kraftwerk.dev/v1alpha1',
      kind: 'KafkaCluster',
      metadata: { name: e2e.cluster },
      spec,
    },
    manager,
  );
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
export interface Resource {
  metadata: {
    name: string;
    generation?: number;
    uid?: string;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
  status?: { observedGeneration?: number; conditions?: Condition[] } & Record<string, unknown>;
}

export async function get<T = Resource>(path: string): Promise<T> {
  return kube.request<T>('GET', path);
}

export function condition(r: Resource, type: string): Condition | undefined {
  return r.status?.conditions?.find((c) => c.type === type);
}

/** Ready=True for the resource's current generation. */
export async function waitReady(path: string, timeoutMs = 300_000): Promise<Resource> {
  try {
    return await waitFor(
      `${path} Ready for its generation`,
      async () => {
        const r = await get(path);
        const ready = condition(r, 'Ready');
        return r.status?.observedGeneration === r.metadata.generation && ready?.status === 'True'
          ? r
          : undefined;
      },
      { timeoutMs, intervalMs: 1000 },
    );
  } catch (e) {
    const last = await get(path).catch((err: unknown) => ({ error: String(err) }));
    throw new Error(`${String(e)}; last seen: ${JSON.stringify(last)}`, { cause: e });
  }
}

export async function deleteAndWait(path: string, timeoutMs = 180_000): Promise<void> {
  await kube.request('DELETE', path).catch(ignoreNotFound);
  await waitFor(
    `${path} gone`,
    async () => (await kube.request('GET', path).catch(ignoreNotFound)) === undefined,
    { timeoutMs, intervalMs: 1000 },
  );
}

export function ignoreNotFound(e: unknown): undefined {
  if ((e as { statusCode?: number }).statusCode === 404) return undefined;
  throw e;
}

/** A KafkaTopic on the e2e cluster, applied and waited Ready. */
export async function topic(
  name: string,
  spec: { partitions: number; replicationFactor?: number; config?: Record<string, string> },
): Promise<Resource> {
  await apply(paths.topic(name), {
    apiVersion: 'kraftwerk.dev/v1alpha1',
    kind: 'KafkaTopic',
    metadata: { name },
    spec: { cluster: e2e.cluster, ...spec },
  });
  return waitReady(paths.topic(name), 180_000);
}

// ---- clients that are not ours ----------------------------------------------------------

export async function kcat(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', ['-b', e2e.hostBootstrap, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`kcat ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`));
    });
    child.stdin.end(input ?? '');
  });
}

export interface KcatMetadata {
  brokers: { id: number; name: string }[];
  topics: {
    topic: string;
    partitions: {
      partition: number;
      leader: number;
      replicas: { id: number }[];
      /** The in-sync replicas: what "replicated" means; `replicas` is only the assignment. */
      isrs: { id: number }[];
    }[];
  }[];
}
export async function metadata(topicName?: string): Promise<KcatMetadata> {
  return JSON.parse(await kcat(['-L', '-J', ...(topicName ? ['-t', topicName] : [])]));
}

/** Every message value of a topic, read from the beginning to the current end (kcat). */
export async function consumeAll(topicName: string): Promise<string[]> {
  const out = await kcat(['-C', '-t', topicName, '-o', 'beginning', '-e', '-q', '-f', '%s\n']);
  return out.split('\n').filter(Boolean);
}

/** Kafka's own CLI (from the toolchain's Kafka, on the host) against the NodePort listener. */
export async function kafkaTool(tool: string, args: string[]): Promise<string> {
  const { stdout } = await run(
    join(kafkaHome(), 'bin', tool),
    ['--bootstrap-server', e2e.hostBootstrap, ...args],
    { maxBuffer: 16 << 20 },
  );
  return stdout;
}

// An idempotent acks=all producer in librdkafka (confluent_kafka) that writes sequence numbers
// at a steady rate and prints each one Kafka acknowledged: what a careful application would
// count as written.
const producerScript = `
import signal, sys, time
from confluent_kafka import Producer
import json, os
bootstrap, topic, rate = sys.argv[1], sys.argv[2], float(sys.argv[3])
# Security settings (and anything else) from the environment: a password stays off argv.
extra = json.loads(os.environ.get('KAFKA_CONFIG') or '{}')
p = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True, 'acks': 'all',
              'linger.ms': 5, 'message.timeout.ms': 300000, **extra})
stop = False
def on_term(*_):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_term)
failed = 0
def delivered(err, msg):
    global failed
    if err is None:
        sys.stdout.write(msg.value().decode() + '\\n')
    else:
        failed += 1
        sys.stderr.write('delivery failed: %s\\n' % err)
seq, interval, due = 0, 1.0 / rate, time.monotonic()
while not stop:
    seq += 1
    while True:
        try:
            p.produce(topic, str(seq).encode(), on_delivery=delivered)
            break
        except BufferError:
            p.poll(0.1)
    due += interval
    p.poll(max(0.0, due - time.monotonic()))
left = p.flush(300)
sys.stdout.flush()
sys.stderr.write('produced %d, failed %d, unflushed %d\\n' % (seq, failed, left))
`;

export class SteadyProducer {
  private readonly child: ChildProcess;
  private out = '';
  private err = '';
  private readonly exited: Promise<number | null>;

  /**
   * `opts.config`: librdkafka settings beside the defaults (security.protocol, SASL, CA);
   * `opts.python`: an interpreter with another confluent_kafka (SCRAM against Kafka 4 needs
   * the toolchain's venv, confluentKafkaPython()). Default: Debian's, on the plaintext listener.
   */
  constructor(
    topicName: string,
    ratePerSecond = 100,
    opts: { bootstrap?: string; config?: Record<string, string>; python?: string } = {},
  ) {
    this.child = spawn(
      opts.python ?? '/usr/bin/python3',
      ['-c', producerScript, opts.bootstrap ?? e2e.hostBootstrap, topicName, String(ratePerSecond)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, KAFKA_CONFIG: JSON.stringify(opts.config ?? {}) },
      },
    );
    this.child.stdout!.on('data', (d: Buffer) => (this.out += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.err += d.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  acked(): number {
    return this.out.split('\n').filter(Boolean).length;
  }

  /** Stops producing, waits for every outstanding send, returns the acknowledged values. */
  async stop(): Promise<{ acked: string[]; summary: string }> {
    this.child.kill('SIGTERM');
    const code = await this.exited;
    if (code !== 0) throw new Error(`producer exited ${code}: ${this.err.slice(-2000)}`);
    const summary = this.err.trim().split('\n').pop() ?? '';
    // A message the producer gave up on (after message.timeout.ms) or never flushed is one an
    // application would have lost: that fails the scenario, whatever was acknowledged.
    const m = /^produced (\d+), failed (\d+), unflushed (\d+)$/.exec(summary);
    if (!m) throw new Error(`producer printed no summary: ${this.err.slice(-2000)}`);
    if (m[2] !== '0' || m[3] !== '0') {
      throw new Error(`producer lost messages (${summary}): ${this.err.slice(-2000)}`);
    }
    return { acked: this.out.split('\n').filter(Boolean), summary };
  }
}

// ---- pods ---------------------------------------------------------------------------------

export interface Pod {
  metadata: {
    name: string;
    uid: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
  };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

export async function listPods(selector: string): Promise<Pod[]> {
  const list = await get<{ items: Pod[] }>(
    `${paths.pods()}?labelSelector=${encodeURIComponent(selector)}`,
  );
  return list.items;
}

/** Ready, and not on its way out. */
export const podReady = (p: Pod) =>
  !p.metadata.deletionTimestamp &&
  p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

/**
 * Records, per pod of one role, each span in which it was not Ready (or absent): the safety of
 * a roll is "never two at once". Fed by a PodWatch, so every role is judged on the same
 * snapshots and "controllers before brokers" can be compared exactly.
 */
export class RoleWatch {
  private readonly down = new Map<string, number>();
  readonly outages: { pod: string; from: number; to: number; ms: number }[] = [];
  maxDownAtOnce = 0;
  /** Every pod UID seen per pod name: a restart (a new pod) adds one. */
  readonly uids = new Map<string, Set<string>>();
  private polls = 0;

  readonly role: 'broker' | 'controller' | 'combined';
  private readonly expected: () => string[];

  constructor(role: 'broker' | 'controller' | 'combined', expected: () => string[]) {
    this.role = role;
    this.expected = expected;
  }

  observe(all: Pod[], now: number): void {
    const pods = all.filter((p) => p.metadata.labels?.['kraftwerk.dev/role'] === this.role);
    for (const p of pods) {
      const seen = this.uids.get(p.metadata.name) ?? new Set<string>();
      this.uids.set(p.metadata.name, seen.add(p.metadata.uid));
    }
    const ready = new Set(pods.filter(podReady).map((p) => p.metadata.name));
    for (const name of this.expected()) {
      if (!ready.has(name) && !this.down.has(name)) this.down.set(name, now);
      if (ready.has(name) && this.down.has(name)) {
        const from = this.down.get(name)!;
        this.outages.push({ pod: name, from, to: now, ms: now - from });
        this.down.delete(name);
      }
    }
    this.maxDownAtOnce = Math.max(this.maxDownAtOnce, this.down.size);
    this.polls++;
  }

  /** Every expected pod Ready at the last poll. */
  allReady(): boolean {
    return this.polls > 0 && this.down.size === 0;
  }

  /** Pods replaced since the watch started (new UIDs). */
  restarts(): number {
    return [...this.uids.values()].reduce((n, s) => n + s.size - 1, 0);
  }
}

/**
 * Follows the cluster's Kafka pods with a watch (our informer) and hands each change, as a
 * snapshot of all of them, to every RoleWatch: every transition is seen, in order, which a
 * poll cannot promise (a pod down and back between two polls would go unseen). Watch errors
 * are counted, not hidden: a scenario that judges "never two down" asserts `errors` is 0.
 */
export class PodWatch {
  private readonly roles: RoleWatch[];
  private readonly informer: Informer<Pod & KubeObject>;

  /** `namespace`/`selector`: the pods to watch; default the e2e KafkaCluster's. */
  constructor(roles: RoleWatch[], opts: { namespace?: string; selector?: string } = {}) {
    this.roles = roles;
    this.informer = new Informer<Pod & KubeObject>({
      client: kube,
      resource: { apiVersion: 'v1', kind: 'Pod' },
      namespaces: [opts.namespace ?? e2e.namespace],
      labelSelector: opts.selector ?? `kraftwerk.dev/cluster=${e2e.cluster}`,
    });
    const see = () => {
      const pods = this.informer.list();
      const now = Date.now();
      for (const r of this.roles) r.observe(pods, now);
    };
    this.informer.on({ add: see, update: see, delete: see });
  }

  /** Starts the watch and waits for its first list, so every RoleWatch has a starting point. */
  async start(): Promise<this> {
    this.informer.start();
    await this.informer.waitForSync(60_000);
    const pods = this.informer.list();
    const now = Date.now();
    for (const r of this.roles) r.observe(pods, now);
    return this;
  }

  /** List or watch requests that failed (each followed by a relist, so nothing is missed). */
  get errors(): number {
    return this.informer.stats.errors;
  }

  async stop(): Promise<void> {
    await this.informer.stop();
  }
}

/** The pod names of a role for N replicas (StatefulSet naming). */
export function podNames(role: 'broker' | 'controller', replicas: number): string[] {
  return Array.from({ length: replicas }, (_, i) => `${e2e.cluster}-${role}-${i}`);
}

/**
 * Runs a bash script in a pod on the Kafka image (Kafka's CLI tools in /opt/kafka/bin) and
 * returns its log: a client inside the cluster. Hardened for the restricted Pod Security
 * Standard the e2e namespace enforces.
 */
export async function runInCluster(
  name: string,
  script: string,
  timeoutMs = 180_000,
): Promise<string> {
  const path = `${paths.pods()}/${name}`;
  await kube.request('DELETE', `${path}?gracePeriodSeconds=0`).catch(ignoreNotFound);
  await waitFor(
    `old pod ${name} gone`,
    async () => (await get(path).catch(ignoreNotFound)) === undefined,
  );
  await kube.request('POST', paths.pods(), {
    body: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name },
      spec: {
        restartPolicy: 'Never',
        securityContext: {
          runAsNonRoot: true,
          runAsUser: 1000,
          seccompProfile: { type: 'RuntimeDefault' },
        },
        containers: [
          {
            name: 'client',
            image: e2e.kafkaImage,
            imagePullPolicy: 'IfNotPresent',
            command: ['bash', '-euo', 'pipefail', '-c', script],
            env: [
              { name: 'KAFKA_HEAP_OPTS', value: '-Xmx128m' },
              { name: 'LOG_DIR', value: '/tmp' },
            ],
            securityContext: {
              allowPrivilegeEscalation: false,
              capabilities: { drop: ['ALL'] },
            },
          },
        ],
      },
    },
  });
  const phase = await waitFor(
    `client pod ${name} finished`,
    async () => {
      const p = await get<Pod>(path);
      return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed'
        ? p.status.phase
        : undefined;
    },
    { timeoutMs, intervalMs: 1000 },
  );
  const log = await kubectl('-n', e2e.namespace, 'logs', name);
  await kube.request('DELETE', path).catch(ignoreNotFound);
  if (phase !== 'Succeeded') throw new Error(`client pod ${name} failed:\n${log}`);
  return log;
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** A one-node combined-mode KafkaCluster, internal listener only, with the replication
 *  settings one node can meet: the small clusters scenarios bring of their own. */
export function oneNodeCluster(name: string, version: string, storage: object) {
  return {
    apiVersion: 'kraftwerk.dev/v1alpha1',
    kind: 'KafkaCluster',
    metadata: { name },
    spec: {
      version,
      brokers: {
        replicas: 1,
        storage,
        resources: { requests: { cpu: '50m', memory: '512Mi' } },
        jvm: { heap: '256m' },
      },
      listeners: [{ name: 'internal', port: 9092, type: 'internal' }],
      config: {
        'offsets.topic.replication.factor': '1',
        'transaction.state.log.replication.factor': '1',
        'transaction.state.log.min.isr': '1',
        'default.replication.factor': '1',
        'min.insync.replicas': '1',
      },
    },
  };
}
