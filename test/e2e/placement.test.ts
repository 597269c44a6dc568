// Scenario: where the pods of a KafkaCluster land on a multi-node cluster (kind: one control
// plane, three workers in zones zone-a/b/c), and who may reach them. By default each role is
// spread one pod per node; with rack.topologyKey (the e2e cluster sets the zone label) each
// broker's broker.rack is its node's zone, so Kafka places a topic's replicas in three zones.
// The cluster's NetworkPolicy is enforced (kube-router): a pod that is not the cluster's
// reaches the client listeners but neither the controller nor the replication port.
import { describe, expect, it } from 'vitest';
import { brokerRacks, kafkaPods, roleOf, workers } from './nodes.ts';
import { e2e, kubectl, metadata, runInCluster, topic } from './lib.ts';

describe('placement across nodes and zones', () => {
  it('spreads each role one pod per worker, and replicas across the zones', async () => {
    const nodes = await workers();
    expect(nodes.length, 'the e2e kind cluster has three workers').toBeGreaterThanOrEqual(3);
    const zoneOf = new Map(nodes.map((n) => [n.name, n.zone]));
    const pods = await kafkaPods();
    for (const role of ['controller', 'broker']) {
      const placed = pods.filter((p) => roleOf(p) === role).map((p) => p.spec?.nodeName);
      expect(placed, `${role}s all bound`).not.toContain(undefined);
      expect(new Set(placed).size, `${role}s on ${placed.join(', ')}`).toBe(placed.length);
    }

    // Kafka's own view: every broker registered with its node's zone as rack.
    const racks = await brokerRacks();
    const brokers = pods.filter((p) => roleOf(p) === 'broker');
    expect(racks.size).toBe(brokers.length);
    for (const b of brokers) {
      const id = 100 + Number(/-(\d+)$/.exec(b.metadata.name)![1]);
      expect(racks.get(id), `broker ${id} on ${b.spec!.nodeName}`).toBe(
        zoneOf.get(b.spec!.nodeName!),
      );
    }

    // Rack-aware assignment: each partition's three replicas in three different zones.
    await topic('e2e-racks', { partitions: 6, replicationFactor: 3 });
    const t = (await metadata('e2e-racks')).topics[0]!;
    for (const p of t.partitions) {
      const zones = new Set(p.replicas.map((r) => racks.get(r.id)));
      expect(zones.size, `partition ${p.partition}: replicas ${p.replicas.map((r) => r.id)}`).toBe(
        3,
      );
    }
    console.log(
      `placement: ${pods.map((p) => `${p.metadata.name}→${p.spec?.nodeName}`).join(', ')}; ` +
        `racks ${[...racks].map(([id, r]) => `${id}:${r}`).join(', ')}`,
    );
  });

  it('NetworkPolicy: a stranger pod reaches the client listeners, not the quorum or replication ports', async () => {
    const ns = e2e.namespace;
    const controller = `${e2e.cluster}-controller-0.${e2e.cluster}-controller.${ns}.svc`;
    const broker = `${e2e.cluster}-broker-0.${e2e.cluster}-broker.${ns}.svc`;
    // Control: the ports are open to the cluster's own pods (a closed port would make the
    // stranger's "closed" prove nothing).
    const inside = await kubectl(
      '-n',
      ns,
      'exec',
      `${e2e.cluster}-broker-1`,
      '-c',
      'kafka',
      '--',
      'bash',
      '-c',
      `for t in ${controller}/9090 ${broker}/9091; do timeout 5 bash -c "exec 3<>/dev/tcp/$t" && echo "$t open"; done`,
    );
    expect(inside).toContain(`${controller}/9090 open`);
    expect(inside).toContain(`${broker}/9091 open`);

    // A new pod's policy reaches kube-router a few seconds after the pod starts: wait until an
    // allowed port answers before judging the denied ones.
    const out = await runInCluster(
      'e2e-stranger',
      `probe() { if timeout 5 bash -c "exec 3<>/dev/tcp/$1" 2>/dev/null; then echo "$1 open"; else echo "$1 closed"; fi; }
       for i in $(seq 1 30); do timeout 2 bash -c "exec 3<>/dev/tcp/${broker}/9092" 2>/dev/null && break; sleep 1; done
       probe ${broker}/9092; probe ${broker}/9094; probe ${controller}/9090; probe ${broker}/9091`,
    );
    expect(out).toContain(`${broker}/9092 open`);
    expect(out).toContain(`${broker}/9094 open`);
    expect(out).toContain(`${controller}/9090 closed`);
    expect(out).toContain(`${broker}/9091 closed`);
    console.log(`network policy, from a stranger pod:\n${out.trim()}`);
  });
});
