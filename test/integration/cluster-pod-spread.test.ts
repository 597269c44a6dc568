// Pod placement with the real kube-scheduler: a control plane of its own (etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler) and Node objects this file creates. No kubelet: the
// scheduler binds pods to the nodes (spec.nodeName), which is all placement is; nothing runs.
// Each scenario pins its cluster to its own pool of nodes with a nodeSelector, so scenarios do
// not count against each other (the spread honours node affinity: other pools are not eligible).
// The operator's rack stamp (broker.rack from the node) needs only the binding, so it is here too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaCluster } from '../../operator/src/api/kafka-cluster.ts';
import { KubeClient, loadKubeConfig } from '../../operator/src/runtime/kube-client.ts';
import type { KubeObject } from '../../operator/src/runtime/resource.ts';
import { RACK_ANNOTATION } from '../../operator/src/cluster/model/labels.ts';
import { ControlPlane } from '../fixtures/control-plane.ts';
import { installCrds } from '../fixtures/crds.ts';
import {
  createResource,
  getResource,
  startTestOperator,
  waitForEvent,
  type TestOperator,
} from '../fixtures/operator.ts';
import { waitFor } from '../fixtures/process.ts';

const namespace = 'spread';
const POOL = 'test.kraftwerk.dev/pool';
const ZONE = 'topology.kubernetes.io/zone';
const RESERVED_TAINT = { key: 'test.kraftwerk.dev/reserved', value: 'other', effect: 'NoSchedule' };
let cp: ControlPlane;
let client: KubeClient;
let op: TestOperator;

interface Pod extends KubeObject {
  spec?: { nodeName?: string; topologySpreadConstraints?: unknown[] };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

interface NodeOptions {
  pool?: string;
  zone?: string;
  cpu?: string;
  taint?: boolean;
}

/** A Node as a kubelet would register it: capacity, Ready. Status is accepted on create. */
async function createNode(name: string, o: NodeOptions = {}): Promise<void> {
  const capacity = { cpu: o.cpu ?? '8', memory: '32Gi', pods: '110' };
  await client.request('POST', '/api/v1/nodes', {
    body: {
      metadata: {
        name,
        labels: {
          'kubernetes.io/hostname': name,
          ...(o.pool ? { [POOL]: o.pool } : {}),
          ...(o.zone ? { [ZONE]: o.zone } : {}),
        },
      },
      status: {
        capacity,
        allocatable: capacity,
        conditions: [
          { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'stand-in' },
        ],
      },
    },
  });
  // The TaintNodesByCondition admission taints a new node not-ready until the node lifecycle
  // controller (not run here) sees it Ready: set the taints as a registered node has them.
  await client.request('PATCH', `/api/v1/nodes/${name}`, {
    contentType: 'application/merge-patch+json',
    body: { spec: { taints: o.taint ? [RESERVED_TAINT] : null } },
  });
}

function kafkaCluster(
  name: string,
  o: { controllers?: number; brokers: number; pool?: string; rack?: boolean; spread?: string },
): KafkaCluster {
  return {
    apiVersion: 'kraftwerk.dev/v1alpha1',
    kind: 'KafkaCluster',
    metadata: { name, namespace },
    spec: {
      version: '4.1.1',
      ...(o.controllers
        ? { controllers: { replicas: o.controllers, storage: { type: 'ephemeral' } } }
        : {}),
      brokers: { replicas: o.brokers, storage: { type: 'ephemeral' } },
      listeners: [{ name: 'internal', port: 9092, type: 'internal' }],
      ...(o.rack ? { rack: { topologyKey: ZONE } } : {}),
      ...(o.pool || o.spread
        ? {
            template: {
              pod: {
                ...(o.pool ? { nodeSelector: { [POOL]: o.pool } } : {}),
                ...(o.spread ? { spread: o.spread } : {}),
              },
            },
          }
        : {}),
    } as KafkaCluster['spec'],
  };
}

async function pods(cluster: string, role: string): Promise<Pod[]> {
  const list = await client.request<{ items: Pod[] }>(
    'GET',
    `/api/v1/namespaces/${namespace}/pods`,
    { query: { labelSelector: `kraftwerk.dev/cluster=${cluster},kraftwerk.dev/role=${role}` } },
  );
  return list.items;
}

/** Waits until the role has `count` pods, each bound or found unschedulable by the scheduler. */
async function placed(cluster: string, role: string, count: number): Promise<Pod[]> {
  return waitFor(`${count} ${cluster} ${role} pods bound or unschedulable`, async () => {
    const all = await pods(cluster, role);
    const decided = all.filter((p) => p.spec?.nodeName || unschedulable(p));
    return all.length === count && decided.length === count ? all : undefined;
  });
}

function unschedulable(p: Pod) {
  return p.status?.conditions?.find(
    (c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable',
  );
}

/** Pods per node name (unbound pods not counted). */
function perNode(list: Pod[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const p of list) {
    const n = p.spec?.nodeName;
    if (n) counts[n] = (counts[n] ?? 0) + 1;
  }
  return counts;
}

beforeAll(async () => {
  cp = await ControlPlane.start({ name: 'spread-control-plane', scheduler: true });
  client = new KubeClient(loadKubeConfig(cp.kubeconfigPath));
  await installCrds(client);
  op = await startTestOperator(cp.kubeconfigPath, namespace);
});

afterAll(async () => {
  await op?.stop();
  await cp?.stop();
});

describe('pod spread with the real kube-scheduler', () => {
  it('on a one-node cluster, required spread still schedules every pod on that node', async () => {
    // The only node, and the only one of its pool: skew is counted over eligible nodes, so a
    // one-node cluster (kind) is never short of nodes.
    await createNode('solo', { pool: 'solo' });
    await createResource(
      client,
      'kafkaclusters',
      kafkaCluster('solo', { controllers: 3, brokers: 3, pool: 'solo' }),
    );
    for (const role of ['controller', 'broker']) {
      expect(perNode(await placed('solo', role, 3)), role).toEqual({ solo: 3 });
    }
  });

  it('places one pod per node per role, and never on a node the pods do not tolerate', async () => {
    for (const n of ['wide-a', 'wide-b', 'wide-c']) await createNode(n, { pool: 'wide' });
    // Tainted: not eligible, and (nodeTaintsPolicy Honor) not counted with zero pods either.
    await createNode('wide-tainted', { pool: 'wide', taint: true });
    await createResource(
      client,
      'kafkaclusters',
      kafkaCluster('wide', { controllers: 3, brokers: 3, pool: 'wide' }),
    );
    for (const role of ['controller', 'broker']) {
      expect(perNode(await placed('wide', role, 3)), role).toEqual({
        'wide-a': 1,
        'wide-b': 1,
        'wide-c': 1,
      });
    }
  });

  it('with rack.topologyKey, spreads over zones too: 4 brokers on 3 nodes in 2 zones go 2/2', async () => {
    await createNode('rack-a1', { pool: 'rack', zone: 'zone-a' });
    await createNode('rack-a2', { pool: 'rack', zone: 'zone-a' });
    await createNode('rack-b1', { pool: 'rack', zone: 'zone-b' });
    await createNode('rack-c1', { pool: 'rack', zone: 'zone-c', taint: true });
    await createResource(
      client,
      'kafkaclusters',
      kafkaCluster('rack', { brokers: 4, pool: 'rack', rack: true }),
    );
    // Combined nodes (no controllers): one StatefulSet, role "combined".
    const counts = perNode(await placed('rack', 'combined', 4));
    // Zone skew 1 over the eligible zones a and b: two each, so rack-b1 holds two and the
    // hostname spread puts one on each node of zone-a.
    expect(counts).toEqual({ 'rack-a1': 1, 'rack-a2': 1, 'rack-b1': 2 });
  });

  it("stamps each broker with its node's zone (broker.rack), on Kubernetes 1.34 too", async () => {
    const zoneOf: Record<string, string> = {
      'rack-a1': 'zone-a',
      'rack-a2': 'zone-a',
      'rack-b1': 'zone-b',
    };
    const stamped = await waitFor('every rack pod stamped', async () => {
      const list = await pods('rack', 'combined');
      return list.every((p) => p.metadata?.annotations?.[RACK_ANNOTATION]) ? list : undefined;
    });
    for (const p of stamped) {
      expect(p.metadata?.annotations?.[RACK_ANNOTATION], p.metadata?.name).toBe(
        zoneOf[p.spec!.nodeName!],
      );
    }
    const kc = await waitFor('RackKnown=True', async () => {
      const c = await getResource<KafkaCluster>(client, namespace, 'kafkaclusters', 'rack');
      return c?.status?.conditions?.find((x) => x.type === 'RackKnown' && x.status === 'True');
    });
    expect(kc.reason).toBe('FromNodeLabel');
  });

  it('a node without the rack label: RackKnown=False and an Event naming node and key; labelled, the pod is stamped', async () => {
    await createNode('unlabelled', { pool: 'unlabelled' });
    // preferred: a required zone spread never binds a pod to a node without the zone label
    // (the scheduler finds it ineligible, "missing required label"); preferred, or a label
    // removed later, is how a broker gets there.
    await createResource(
      client,
      'kafkaclusters',
      kafkaCluster('unlabelled', {
        brokers: 1,
        pool: 'unlabelled',
        rack: true,
        spread: 'preferred',
      }),
    );
    const cond = await waitFor('RackKnown=False', async () => {
      const c = await getResource<KafkaCluster>(client, namespace, 'kafkaclusters', 'unlabelled');
      return c?.status?.conditions?.find((x) => x.type === 'RackKnown' && x.status === 'False');
    });
    expect(cond.reason).toBe('NodeLabelMissing');
    expect(cond.message).toContain(`node unlabelled has no label ${ZONE}`);
    const event = await waitForEvent(op, 'unlabelled', 'NodeLabelMissing');
    expect(event.note).toContain(`node unlabelled has no label ${ZONE}`);

    await client.request('PATCH', '/api/v1/nodes/unlabelled', {
      contentType: 'application/merge-patch+json',
      body: { metadata: { labels: { [ZONE]: 'zone-late' } } },
    });
    // The label change alone reconciles the cluster (the node cache watches labels).
    const [pod] = await waitFor('the unlabelled pod stamped', async () => {
      const list = await pods('unlabelled', 'combined');
      return list[0]?.metadata?.annotations?.[RACK_ANNOTATION] ? list : undefined;
    });
    expect(pod!.metadata?.annotations?.[RACK_ANNOTATION]).toBe('zone-late');
    await waitFor('RackKnown=True', async () => {
      const c = await getResource<KafkaCluster>(client, namespace, 'kafkaclusters', 'unlabelled');
      return c?.status?.conditions?.some((x) => x.type === 'RackKnown' && x.status === 'True');
    });
  });

  it('required leaves a pod Pending with the scheduler reason when nodes are short; preferred packs', async () => {
    // short-small fits no broker (250m CPU requested): it stays eligible (it matches the
    // selector and has no taint), so required spread will not stack a second broker elsewhere.
    for (const pool of ['short', 'packed']) {
      await createNode(`${pool}-a`, { pool });
      await createNode(`${pool}-b`, { pool });
      await createNode(`${pool}-small`, { pool, cpu: '100m' });
    }
    await createResource(
      client,
      'kafkaclusters',
      kafkaCluster('short', { brokers: 3, pool: 'short' }),
    );
    await createResource(
      client,
      'kafkaclusters',
      kafkaCluster('packed', { brokers: 3, pool: 'packed', spread: 'preferred' }),
    );

    const short = await placed('short', 'combined', 3);
    expect(perNode(short)).toEqual({ 'short-a': 1, 'short-b': 1 });
    const pending = short.map(unschedulable).filter((c) => c !== undefined);
    expect(pending).toHaveLength(1);
    expect(pending[0]!.message).toMatch(/didn't match pod topology spread constraints/);
    expect(pending[0]!.message).toMatch(/Insufficient cpu/);

    const packed = perNode(await placed('packed', 'combined', 3));
    expect(Object.values(packed).sort()).toEqual([1, 2]);
    expect(packed['packed-small']).toBeUndefined();
  });

  it('none renders no constraint of ours', async () => {
    await createResource(
      client,
      'kafkaclusters',
      kafkaCluster('none', { brokers: 1, spread: 'none' }),
    );
    const [pod] = await waitFor('the none pod', async () => {
      const list = await pods('none', 'combined');
      return list.length === 1 ? list : undefined;
    });
    expect(pod!.spec?.topologySpreadConstraints).toBeUndefined();
  });
});
