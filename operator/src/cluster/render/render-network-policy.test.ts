import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import type { ClusterRef, ClusterSpec } from '../cluster-spec.ts';
import { CLUSTER_LABEL, ROLE_LABEL } from '../model/labels.ts';
import { renderCluster } from './render-cluster.ts';
import { renderNetworkPolicy, type OperatorPods } from './render-network-policy.ts';

const cluster: ClusterRef = {
  name: 'demo',
  namespace: 'streaming',
  uid: '0f1e2d3c-aaaa-bbbb-cccc-000000000001',
};
const spec: ClusterSpec = {
  version: '4.1.1',
  controllers: { replicas: 3, storage: { type: 'ephemeral' } },
  brokers: { replicas: 3, storage: { type: 'ephemeral' } },
  listeners: [
    { name: 'internal', port: 9092, type: 'internal' },
    { name: 'external', port: 9094, type: 'nodeport', nodePortBase: 30092 },
  ],
};
const operator: OperatorPods = {
  namespace: 'kraftwerk-system',
  labels: { 'app.kubernetes.io/name': 'kraftwerk', 'app.kubernetes.io/component': 'operator' },
};

const ownPods = {
  podSelector: {
    matchLabels: { [CLUSTER_LABEL]: 'demo' },
    matchExpressions: [{ key: ROLE_LABEL, operator: 'Exists' }],
  },
};

describe('renderNetworkPolicy', () => {
  it('golden file: a dedicated cluster with an internal and a nodeport listener', async () => {
    // Not client-node's dumpYaml: its serializer knows a rule's `from` only as `_from`.
    const yaml = dump(renderNetworkPolicy(cluster, spec, operator), {
      lineWidth: -1,
      noRefs: true,
    });
    await expect(yaml).toMatchFileSnapshot('__golden__/network-policy.yaml');
  });

  it("selects the cluster's Kafka pods, ingress only, owned by the KafkaCluster", () => {
    const np = renderNetworkPolicy(cluster, spec, operator);
    expect(np.metadata?.name).toBe('demo-kafka');
    expect(np.metadata?.namespace).toBe('streaming');
    expect(np.metadata?.labels?.[CLUSTER_LABEL]).toBe('demo');
    expect(np.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'KafkaCluster', uid: cluster.uid, controller: true }),
    ]);
    expect(np.spec.podSelector).toEqual(ownPods.podSelector);
    expect(np.spec.policyTypes).toEqual(['Ingress']);
  });

  it("admits the controller port from the cluster's own pods only", () => {
    const [controller] = renderNetworkPolicy(cluster, spec, operator).spec.ingress;
    expect(controller).toEqual({ ports: [{ protocol: 'TCP', port: 9090 }], from: [ownPods] });
  });

  it("admits the replication port from the cluster's own pods and the operator's, in its namespace", () => {
    const [, replication] = renderNetworkPolicy(cluster, spec, operator).spec.ingress;
    expect(replication).toEqual({
      ports: [{ protocol: 'TCP', port: 9091 }],
      from: [
        ownPods,
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kraftwerk-system' } },
          podSelector: { matchLabels: operator.labels },
        },
      ],
    });
  });

  it('without operator pods (an operator outside the cluster), replication admits the own pods only', () => {
    const [, replication] = renderNetworkPolicy(cluster, spec).spec.ingress;
    expect(replication?.from).toEqual([ownPods]);
  });

  it('admits every declared client listener port from anywhere, and nothing else', () => {
    const rules = renderNetworkPolicy(cluster, spec, operator).spec.ingress;
    expect(rules).toHaveLength(4);
    expect(rules[2]).toEqual({
      ports: [
        { protocol: 'TCP', port: 9092 },
        { protocol: 'TCP', port: 9094 },
      ],
    });
    const ports = rules.flatMap((r) => r.ports.map((p) => p.port));
    expect(ports.sort()).toEqual([9090, 9091, 9092, 9094, 9404]);
  });

  it('admits the metrics port from any pod in any namespace, and only with metrics on', () => {
    const rules = renderNetworkPolicy(cluster, spec, operator).spec.ingress;
    expect(rules[3]).toEqual({
      ports: [{ protocol: 'TCP', port: 9404 }],
      from: [{ namespaceSelector: {} }],
    });
    const off = renderNetworkPolicy(cluster, { ...spec, metrics: { enabled: false } }, operator);
    expect(off.spec.ingress.flatMap((r) => r.ports.map((p) => p.port))).not.toContain(9404);
  });

  it('follows the listeners: one removed, another added', () => {
    const changed: ClusterSpec = {
      ...spec,
      listeners: [
        { name: 'internal', port: 9092, type: 'internal' },
        { name: 'other', port: 9095, type: 'internal' },
      ],
    };
    const [, , clients] = renderNetworkPolicy(cluster, changed, operator).spec.ingress;
    expect(clients?.ports.map((p) => p.port)).toEqual([9092, 9095]);
  });

  it('renderCluster renders one, with the operator pods it was given', () => {
    const objects = renderCluster({
      cluster,
      spec,
      clusterId: 'nLp2abcdQZ6dXtk3r1w9Qg',
      quorumFormed: false,
      operatorPods: operator,
    });
    expect(objects.networkPolicies).toEqual([renderNetworkPolicy(cluster, spec, operator)]);
  });
});
