// RackAtATime against real Kafka: the roll planner fed with what Kafka itself reports
// (broker.rack from DescribeCluster, replicas, ISR and effective min.insync.replicas per
// partition, read through the operator's own client), and the real consequence of a batch: the
// brokers of rack a stopped together (controlled shutdown) leave every partition the planner
// judged safe writable with acks=all, while the partition it refused to batch drops below its
// min.insync.replicas. One controller and three brokers: rack a = 100, 102; rack b = 101.
// The pods are the one made-up input: this tier has no kubelet, so each node gets a stale,
// ready pod (what the StatefulSets would show at the start of a roll). Last, the apply step of
// a batch against the shared kube-apiserver: uid-preconditioned DELETEs and one Event.
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KafkaCluster } from '../../operator/src/api/kafka-cluster.ts';
import type { StepContext } from '../../operator/src/cluster/apply/kube.ts';
import { restartPod } from '../../operator/src/cluster/apply/roll.ts';
import type { ClusterPlan } from '../../operator/src/cluster/plan/cluster-plan.ts';
import { EventRecorder } from '../../operator/src/runtime/events.ts';
import { KubeClient, isNotFound } from '../../operator/src/runtime/kube-client.ts';
import { silentLogger } from '../../operator/src/runtime/logger.ts';
import { eventsFor } from '../fixtures/operator.ts';
import type { ObservedPod } from '../../operator/src/cluster/model/observed-state.ts';
import {
  partitionStates,
  quorumState,
  racks,
  registrations,
} from '../../operator/src/cluster/observe/cluster-resource.ts';
import { planRoll, type RollInput } from '../../operator/src/cluster/plan/roll-plan.ts';
import { KafkaClusterAdmin } from '../../operator/src/kafka/cluster-admin.ts';
import { KafkaFixture } from '../fixtures/kafka.ts';
import { waitFor } from '../fixtures/process.ts';

const RACKS = { 100: 'a', 101: 'b', 102: 'a' };
let fixture: KafkaFixture;
let admin: KafkaClusterAdmin;
let kafka: Kafka;

beforeAll(async () => {
  fixture = await KafkaFixture.start({
    name: 'roll-racks',
    controllers: 1,
    brokers: 3,
    racks: RACKS,
  });
  admin = new KafkaClusterAdmin({ bootstrap: fixture.bootstrapServers });
  kafka = new Kafka({
    clientId: 'roll-racks',
    brokers: fixture.bootstrapServers.split(','),
    logLevel: logLevel.NOTHING,
  });
});

afterAll(async () => {
  await admin?.close();
  await fixture?.stop();
});

function stalePod(nodeId: number): ObservedPod {
  const role = nodeId >= 100 ? 'broker' : 'controller';
  const ordinal = role === 'broker' ? nodeId - 100 : nodeId;
  return {
    name: `demo-${role}-${ordinal}`,
    role,
    ordinal,
    nodeId,
    revision: 'old',
    desiredRevision: 'new',
    phase: 'Running',
    ready: true,
    crashLooping: false,
    terminating: false,
  };
}

/** The planner's input as observe-cluster.ts builds it from Kafka's answers. */
async function observed(): Promise<RollInput> {
  const [quorum, partitions, brokers, features] = await Promise.all([
    admin.describeQuorum(),
    admin.describePartitions(),
    admin.describeBrokers(),
    admin.finalizedFeatures(),
  ]);
  // The controller is already on the new spec: this test is about the brokers.
  const pods = fixture.nodes.map((n) => ({
    ...stalePod(n.id),
    ...(n.id < 100 ? { revision: 'new' } : {}),
  }));
  return {
    pods,
    expectedPods: pods.map((p) => p.name),
    quorum: quorumState(quorum, features),
    partitions: partitionStates(partitions),
    registrations: registrations(brokers),
    racks: racks(brokers),
    strategy: 'RackAtATime',
  };
}

async function createTopics(
  topics: { topic: string; replicas: number[][]; minIsr: number }[],
): Promise<void> {
  const a = kafka.admin();
  await a.connect();
  try {
    await a.createTopics({
      // kafkajs' own wait asks metadata v0, which may answer "unknown topic" for a moment;
      // the ISR wait below covers it.
      waitForLeaders: false,
      topics: topics.map((t) => ({
        topic: t.topic,
        replicaAssignment: t.replicas.map((replicas, partition) => ({ partition, replicas })),
        configEntries: [{ name: 'min.insync.replicas', value: String(t.minIsr) }],
      })),
    });
  } finally {
    await a.disconnect();
  }
  // Every replica in sync before the planner looks (a new follower joins the ISR shortly).
  await waitFor('new topics fully in sync', async () => {
    const ps = await admin.describePartitions();
    return topics.every((t) =>
      t.replicas.every((r, i) => {
        const p = ps.find((x) => x.topic === t.topic && x.partition === i);
        return p !== undefined && p.isr.length === r.length;
      }),
    );
  });
}

describe('RackAtATime on real Kafka metadata', () => {
  it('reads each broker rack from Kafka', async () => {
    const input = await observed();
    expect(input.racks).toEqual(RACKS);
  });

  it('batches rack a when every partition keeps min.insync.replicas outside it', async () => {
    // One replica per rack; min ISR 1: rack b's broker keeps every partition writable.
    await createTopics([
      {
        topic: 'spread',
        replicas: [
          [100, 101],
          [101, 102],
          [102, 101],
        ],
        minIsr: 1,
      },
    ]);
    const d = planRoll(await observed());
    expect(d).toMatchObject({
      action: 'restart-rack',
      rack: 'a',
      pods: [{ nodeId: 100 }, { nodeId: 102 }],
    });
  });

  it('falls back to one at a time when rack a holds too many replicas of a partition', async () => {
    await createTopics([{ topic: 'crowded', replicas: [[100, 102, 101]], minIsr: 2 }]);
    const d = planRoll(await observed());
    expect(d).toMatchObject({ action: 'restart', nodeId: 100, reason: 'SpecChanged' });
    expect(d.action === 'restart' && d.message).toContain(
      'rack a goes one broker at a time: crowded-0 has 2 of its 3 replicas in it',
    );
  });

  it('the verdict holds in Kafka: with rack a down, spread takes acks=all writes, crowded is below min ISR', async () => {
    const rackA = [100, 102].map((id) => fixture.node(id).process);
    await Promise.all(rackA.map((p) => p.stop(30_000)));
    try {
      const after = await waitFor('rack a out of every ISR', async () => {
        const ps = await admin.describePartitions();
        const ours = ps.filter((p) => p.topic === 'spread' || p.topic === 'crowded');
        return ours.every((p) => !p.isr.includes(100) && !p.isr.includes(102)) && ours;
      });
      for (const p of after.filter((x) => x.topic === 'spread')) {
        expect(p.isr).toEqual([101]);
        expect(p.isr.length).toBeGreaterThanOrEqual(p.minIsr);
      }
      const crowded = after.find((x) => x.topic === 'crowded')!;
      expect(crowded.isr.length).toBeLessThan(crowded.minIsr);

      const producer = kafka.producer({ allowAutoTopicCreation: false });
      await producer.connect();
      try {
        const acked = await producer.send({
          topic: 'spread',
          acks: -1,
          messages: [0, 1, 2].map((partition) => ({ partition, value: `while rack a is down` })),
        });
        expect(acked.map((r) => r.errorCode)).toEqual([0, 0, 0]);
      } finally {
        await producer.disconnect();
      }
    } finally {
      for (const p of rackA) p.start();
      await fixture.waitForBrokers(3);
    }
  });
});

describe('a rack batch applied to the real API server', () => {
  it('deletes every pod of the batch with its uid; one replaced meanwhile stays; one Event', async () => {
    const client = KubeClient.fromKubeconfig(inject('kubeconfig'));
    const ns = `roll-racks-${randomBytes(3).toString('hex')}`;
    await client.request('POST', '/api/v1/namespaces', { body: { metadata: { name: ns } } });
    // No kubelet here: the pods stay unscheduled, and such a pod goes at once when deleted.
    const createPod = async (name: string) =>
      (
        await client.request<{ metadata: { uid: string } }>(
          'POST',
          `/api/v1/namespaces/${ns}/pods`,
          {
            body: {
              metadata: { name },
              spec: {
                // Never scheduled, even where a node exists: deleted at once, no kubelet needed.
                nodeSelector: { 'kraftwerk.dev/test': 'nowhere' },
                containers: [{ name: 'kafka', image: 'registry.k8s.io/pause:3.10' }],
              },
            },
          },
        )
      ).metadata.uid;
    const uids = {
      p0: await createPod('p0'),
      p1: await createPod('p1'),
      p2: await createPod('p2'),
    };
    // p1 is replaced after the plan saw it: its DELETE must not take the new pod.
    await client.request('DELETE', `/api/v1/namespaces/${ns}/pods/p1`);
    await waitFor('p1 gone', async () =>
      client.request('GET', `/api/v1/namespaces/${ns}/pods/p1`).then(
        () => false,
        (e: unknown) => isNotFound(e),
      ),
    );
    const newP1 = await createPod('p1');

    const kc = {
      apiVersion: 'kraftwerk.dev/v1alpha1',
      kind: 'KafkaCluster',
      metadata: { name: 'demo', namespace: ns, uid: '00000000-0000-0000-0000-00000000cafe' },
    } as KafkaCluster;
    const events = new EventRecorder({ client, reportingInstance: 'roll-racks-test' });
    // Only what restartPod reads: the client, the recorder, the cluster, its namespace.
    const ctx = { deps: { client, events }, kc, namespace: ns, log: silentLogger };
    const plan: Pick<ClusterPlan, 'roll' | 'restartUids'> = {
      roll: {
        action: 'restart-rack',
        rack: 'a',
        pods: ['p0', 'p1', 'p2'].map((pod, i) => ({
          pod,
          nodeId: 100 + i,
          reason: 'SpecChanged' as const,
        })),
        message: 'restarting the 3 outdated brokers of rack a together',
      },
      restartUids: uids,
    };
    await restartPod(ctx as unknown as StepContext, plan as ClusterPlan);
    await events.flush();

    const names = (
      await client.request<{ items: { metadata: { name: string; uid: string } }[] }>(
        'GET',
        `/api/v1/namespaces/${ns}/pods`,
      )
    ).items.map((p) => `${p.metadata.name}:${p.metadata.uid}`);
    expect(names).toEqual([`p1:${newP1}`]);
    const recorded = (await eventsFor(client, ns, 'demo')).filter(
      (e) => e.reason === 'RackRestart',
    );
    expect(recorded).toHaveLength(1);
    expect(recorded[0]!.note).toBe(
      'restarting the 3 outdated brokers of rack a together; deleted: p0, p2',
    );
    await client.request('DELETE', `/api/v1/namespaces/${ns}`);
  });
});
