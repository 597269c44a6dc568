// Scenarios: a worker node drained, then a worker node lost, on the multi-node kind cluster,
// each under an idempotent acks=all producer (librdkafka) on a topic with replication factor 3
// and min.insync.replicas 2. The e2e cluster's volumes are local (local-path): a pod evicted
// from a drained node waits, Pending, until its volume's node is back; Kubernetes' eviction
// (the PodDisruptionBudgets) never takes two of a role at once. A stopped node's pods keep
// their place; the quorum and the other brokers keep serving, the cluster's conditions name
// the lost pods and their node, and when the node returns everything rejoins on its own.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  consumeAll,
  e2e,
  kubectl,
  metadata,
  paths,
  podNames,
  PodWatch,
  RoleWatch,
  seconds,
  SteadyProducer,
  topic,
  waitFor,
  waitReady,
} from './lib.ts';
import {
  clusterConditions,
  docker,
  kafkaPods,
  roleOf,
  unmanagedPodsGone,
  workers,
} from './nodes.ts';

const replicas = { broker: 3, controller: 3 };

/** The worker a pod runs on, and the controller beside it there (spread puts one of each). */
async function workerOf(podName: string): Promise<{ node: string; controller: string }> {
  const pods = await kafkaPods();
  const node = pods.find((p) => p.metadata.name === podName)?.spec?.nodeName;
  expect(node, `${podName} is bound to a node`).toBeDefined();
  const controller = pods.find((p) => roleOf(p) === 'controller' && p.spec?.nodeName === node);
  expect(controller, `a controller shares ${node} with ${podName}`).toBeDefined();
  return { node: node!, controller: controller!.metadata.name };
}

/** Every partition of a topic back to three in-sync replicas. */
async function fullyReplicated(name: string): Promise<void> {
  await waitFor(
    `every partition of ${name} with three in-sync replicas`,
    async () => (await metadata(name)).topics[0]!.partitions.every((p) => p.isrs.length === 3),
    { timeoutMs: 5 * 60_000, intervalMs: 2000 },
  );
}

/** Degraded=True with `reason`, once its message names every one of `names`. */
async function degradedWith(reason: string, names: string[], timeoutMs: number) {
  return waitFor(
    `the cluster Degraded=True ${reason} naming ${names.join(', ')}`,
    async () =>
      (await clusterConditions()).find(
        (c) =>
          c.type === 'Degraded' &&
          c.status === 'True' &&
          c.reason === reason &&
          names.every((n) => c.message?.includes(n)),
      ),
    { timeoutMs, intervalMs: 1000 },
  );
}

/** Samples a producer's acknowledged count: its longest pause, for the log (not asserted). */
function pauses(producer: SteadyProducer): { stop: () => number } {
  let last = producer.acked();
  let since = Date.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = Date.now();
    const acked = producer.acked();
    if (acked !== last) {
      longest = Math.max(longest, now - since);
      last = acked;
      since = now;
    }
  }, 250);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(longest, Date.now() - since);
    },
  };
}

describe('node drain and node loss', () => {
  let producer: SteadyProducer | undefined;
  const stopped: string[] = [];
  // Whatever failed, the next test (and file) gets every node back, schedulable, and the
  // cluster Ready: the node loss must never start on a cluster a failed drain left short. Before
  // each test rather than after, so a failure's evidence (taken after afterEach hooks) shows
  // the cluster as the failure left it.
  const restore = async () => {
    await producer?.stop().catch(() => undefined); // its failure was the scenario's to report
    producer = undefined;
    for (const n of stopped.splice(0)) await docker('start', n);
    for (const n of await workers()) {
      if (n.unschedulable) await kubectl('uncordon', n.name);
    }
    await waitReady(paths.cluster(), 10 * 60_000);
  };
  beforeEach(restore);
  afterAll(restore);

  it('a drain under load: PDBs hold, pods wait for their volumes, nothing acknowledged is lost', async () => {
    const name = 'e2e-drain';
    await topic(name, {
      partitions: 6,
      replicationFactor: 3,
      config: { 'min.insync.replicas': '2' },
    });
    const target = await workerOf(`${e2e.cluster}-broker-1`);
    const brokers = new RoleWatch('broker', () => podNames('broker', replicas.broker));
    const controllers = new RoleWatch('controller', () =>
      podNames('controller', replicas.controller),
    );
    const watch = await new PodWatch([brokers, controllers]).start();
    const writer = new SteadyProducer(name, 100);
    producer = writer;
    await waitFor('200 messages acknowledged', async () => writer.acked() >= 200, {
      timeoutMs: 60_000,
    });

    const waited = await unmanagedPodsGone(target.node);
    if (waited.length) console.log(`before the drain, waited for ${waited.join(', ')}`);
    const started = Date.now();
    await kubectl(
      'drain',
      target.node,
      '--ignore-daemonsets',
      '--delete-emptydir-data',
      '--timeout=300s',
    );
    const drainMs = Date.now() - started;
    // Local volumes: the evicted pods are recreated and wait for the cordoned node.
    const pending = await degradedWith(
      'PodUnschedulable',
      [`${e2e.cluster}-broker-1`, target.controller],
      120_000,
    );

    // With one broker and one controller down, the PDBs allow no further eviction of either:
    // a second drain must stop at them (only the Kafka pods, so nothing else is disturbed).
    const other = (await workers()).find((n) => n.name !== target.node && !n.unschedulable)!;
    const refused = await kubectl(
      'drain',
      other.name,
      `--pod-selector=kraftwerk.dev/cluster=${e2e.cluster}`,
      '--ignore-daemonsets',
      '--delete-emptydir-data',
      '--timeout=20s',
    ).then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(refused, 'a second drain is refused while one of each role is down').toMatch(
      /disruption budget/,
    );
    await kubectl('uncordon', other.name);

    const before = writer.acked();
    await waitFor(
      'the producer keeps writing during the drain',
      async () => writer.acked() > before + 300,
      {
        timeoutMs: 60_000,
      },
    );
    await kubectl('uncordon', target.node);
    const back = Date.now();
    await waitReady(paths.cluster(), 10 * 60_000);
    await fullyReplicated(name);
    const backMs = Date.now() - back;

    const { acked, summary } = await writer.stop();
    producer = undefined;
    await watch.stop();
    const consumed = new Set(await consumeAll(name));
    expect(acked.filter((v) => !consumed.has(v))).toEqual([]);
    expect(watch.errors).toBe(0);
    expect(brokers.maxDownAtOnce).toBe(1);
    expect(controllers.maxDownAtOnce).toBe(1);
    // They came back on the drained node: their volumes live there.
    const pods = await kafkaPods();
    for (const p of [`${e2e.cluster}-broker-1`, target.controller]) {
      expect(pods.find((x) => x.metadata.name === p)?.spec?.nodeName).toBe(target.node);
    }
    console.log(
      `drain of ${target.node} (${e2e.cluster}-broker-1, ${target.controller}): kubectl drain ${seconds(drainMs)}; ` +
        `scheduler said: ${pending.message}; uncordon → Ready and 3 ISR ${seconds(backMs)}; ` +
        `second drain refused: ${refused!.split('\n').find((l) => /disruption budget/.test(l))}; producer: ${summary}`,
    );
  });

  it('a stopped node: the rest keeps serving, the status names the lost pods, all rejoin', async () => {
    const name = 'e2e-node-loss';
    await topic(name, {
      partitions: 6,
      replicationFactor: 3,
      config: { 'min.insync.replicas': '2' },
    });
    const lostBroker = `${e2e.cluster}-broker-2`;
    const target = await workerOf(lostBroker);
    const writer = new SteadyProducer(name, 100);
    producer = writer;
    await waitFor('200 messages acknowledged', async () => writer.acked() >= 200, {
      timeoutMs: 60_000,
    });
    const sampler = pauses(writer);

    const started = Date.now();
    await docker('stop', target.node);
    stopped.push(target.node);
    await waitFor(
      `node ${target.node} NotReady`,
      async () => (await workers()).find((n) => n.name === target.node)?.ready === false,
      { timeoutMs: 180_000, intervalMs: 1000 },
    );
    const notReadyMs = Date.now() - started;
    const lost = await degradedWith(
      'NodeNotReady',
      [lostBroker, target.controller, target.node],
      120_000,
    );
    const namedMs = Date.now() - started;

    // The other two brokers lead every partition and take acks=all writes (min ISR 2): a new
    // idempotent producer writes 300 more while the node is away. (The steady producer had
    // requests in flight to the lost broker, which never answers: librdkafka waits for them to
    // time out before it goes on, so its pause is printed, not judged.)
    const meanwhile = new SteadyProducer(name, 100);
    await waitFor(
      '300 messages acknowledged without the node',
      async () => meanwhile.acked() >= 300,
      {
        timeoutMs: 120_000,
      },
    );
    const duringOutage = await meanwhile.stop();
    const t = (await metadata(name)).topics[0]!;
    for (const p of t.partitions) {
      expect(p.leader).not.toBe(102);
      expect(p.isrs.length).toBeGreaterThanOrEqual(2);
    }

    // Back before the pods' 300 s unreachable toleration would have them evicted.
    const restarted = Date.now();
    await docker('start', target.node);
    stopped.splice(stopped.indexOf(target.node), 1);
    await waitFor(
      `node ${target.node} Ready again`,
      async () => (await workers()).find((n) => n.name === target.node)?.ready === true,
      { timeoutMs: 300_000, intervalMs: 2000 },
    );
    const nodeBackMs = Date.now() - restarted;
    await waitReady(paths.cluster(), 10 * 60_000);
    await fullyReplicated(name);
    const rejoinedMs = Date.now() - restarted;

    const longestPauseMs = sampler.stop();
    const { acked, summary } = await writer.stop();
    producer = undefined;
    const consumed = await consumeAll(name);
    // Both producers write sequence numbers: count each value as often as it was acknowledged.
    const left = new Map<string, number>();
    for (const v of consumed) left.set(v, (left.get(v) ?? 0) + 1);
    const missing = [...acked, ...duringOutage.acked].filter((v) => {
      const n = left.get(v) ?? 0;
      left.set(v, n - 1);
      return n <= 0;
    });
    expect(missing).toEqual([]);
    // Other topics' followers may still be catching up when this one is in sync: Degraded
    // clears when the last one is (the operator looks again every few seconds until then).
    let degraded: Awaited<ReturnType<typeof clusterConditions>>[number] | undefined;
    await waitFor(
      'Degraded=False after the node rejoined',
      async () => {
        degraded = (await clusterConditions()).find((c) => c.type === 'Degraded');
        return degraded?.status === 'False';
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    ).catch((e: Error) => {
      throw new Error(`${e.message}; Degraded: ${degraded?.reason}: ${degraded?.message}`);
    });
    const healthyMs = Date.now() - restarted;
    console.log(
      `node loss of ${target.node}: NotReady after ${seconds(notReadyMs)}, status named it after ${seconds(namedMs)} ` +
        `("${lost.message}"); node Ready ${seconds(nodeBackMs)} after docker start, cluster Ready with 3 ISR after ` +
        `${seconds(rejoinedMs)}, Degraded=False after ${seconds(healthyMs)}; a new producer during the outage: ${duringOutage.summary}; the steady producer's ` +
        `longest pause ${seconds(longestPauseMs)}, ${summary}`,
    );
  });
});
