import { dumpYaml } from '@kubernetes/client-node';
import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import type { ClusterRef, ClusterSpec } from '../cluster-spec.ts';
import { CONFIG_HASH_ANNOTATION } from '../model/labels.ts';
import { desiredObjectList, renderCluster } from './render-cluster.ts';
import type { RenderInput } from './render-cluster.ts';

const cluster: ClusterRef = {
  name: 'demo',
  namespace: 'streaming',
  uid: '0f1e2d3c-aaaa-bbbb-cccc-000000000001',
};
const clusterId = 'nLp2abcdQZ6dXtk3r1w9Qg';

const dedicated: ClusterSpec = {
  version: '4.1.1',
  controllers: {
    replicas: 3,
    storage: {
      type: 'persistent-claim',
      size: '1Gi',
      storageClassName: 'standard',
      deleteClaim: false,
    },
    resources: { requests: { cpu: '100m', memory: '512Mi' } },
    jvm: { heap: '256m' },
  },
  brokers: {
    replicas: 3,
    storage: { type: 'persistent-claim', size: '10Gi', deleteClaim: true },
    resources: { requests: { cpu: '200m', memory: '1Gi' } },
    jvm: { heap: '512m' },
  },
  listeners: [
    { name: 'internal', port: 9092, type: 'internal' },
    {
      name: 'external',
      port: 9094,
      type: 'nodeport',
      nodePortBase: 30092,
      advertisedHost: 'localhost',
    },
  ],
  config: {
    'default.replication.factor': '3',
    'min.insync.replicas': '2',
    'log.retention.ms': 604800000,
  },
  rack: { topologyKey: 'topology.kubernetes.io/zone' },
  template: { podDisruptionBudget: { maxUnavailable: 1 } },
};

const combined: ClusterSpec = {
  version: '4.1.1',
  brokers: { replicas: 1, storage: { type: 'ephemeral', sizeLimit: '2Gi' } },
  listeners: [{ name: 'plain', port: 9092, type: 'internal' }],
};

function render(spec: ClusterSpec, extra: Partial<RenderInput> = {}) {
  return renderCluster({ cluster, spec, clusterId, quorumFormed: false, ...extra });
}

function golden(spec: ClusterSpec, extra: Partial<RenderInput> = {}): string {
  return (
    desiredObjectList(render(spec, extra))
      // client-node's serializer knows a NetworkPolicy rule's `from` only as `_from`: it would
      // drop ours, so that object is written as it is.
      .map((o) =>
        o.kind === 'NetworkPolicy'
          ? dump(o, { lineWidth: -1, noRefs: true })
          : dumpYaml(o, { lineWidth: -1, noRefs: true }),
      )
      .join('---\n')
  );
}

describe('renderCluster golden files', () => {
  it('dedicated controllers and brokers, internal + nodeport listeners, persistent storage, rack', async () => {
    await expect(golden(dedicated)).toMatchFileSnapshot('__golden__/dedicated.yaml');
  });

  it('combined mode with ephemeral storage', async () => {
    await expect(golden(combined)).toMatchFileSnapshot('__golden__/combined.yaml');
  });

  it('combined mode with three nodes after the quorum formed, image override, no heap', async () => {
    const spec: ClusterSpec = {
      ...combined,
      image: 'registry.local/kafka:4.1.1-custom',
      brokers: {
        replicas: 3,
        storage: { type: 'persistent-claim', size: '5Gi' },
        resources: { requests: { memory: '2Gi', cpu: 1 } },
      },
      template: {
        pod: {
          labels: { team: 'streaming', 'kraftwerk.dev/role': 'overridden?' },
          annotations: { 'example.com/owner': 'data-platform' },
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          tolerations: [
            { key: 'dedicated', operator: 'Equal', value: 'kafka', effect: 'NoSchedule' },
          ],
          priorityClassName: 'kafka',
        },
        podDisruptionBudget: { maxUnavailable: 0 },
      },
    };
    await expect(golden(spec, { quorumFormed: true })).toMatchFileSnapshot(
      '__golden__/combined-3-formed.yaml',
    );
  });
  it('dedicated with ephemeral storage and several listeners, nodeport without advertisedHost', async () => {
    const spec: ClusterSpec = {
      version: '3.9.1',
      controllers: { replicas: 1, storage: { type: 'ephemeral' } },
      brokers: {
        replicas: 2,
        storage: { type: 'ephemeral', sizeLimit: '500Mi' },
        jvm: { heap: '1g' },
      },
      listeners: [
        { name: 'plain', port: 9092, type: 'internal' },
        { name: 'apps', port: 9093, type: 'internal' },
        { name: 'lan', port: 9094, type: 'nodeport', nodePortBase: 31000 },
        {
          name: 'kind',
          port: 9095,
          type: 'nodeport',
          nodePortBase: 30092,
          advertisedHost: 'localhost',
        },
      ],
    };
    await expect(golden(spec)).toMatchFileSnapshot('__golden__/dedicated-ephemeral-listeners.yaml');
  });
});

describe('renderCluster properties', () => {
  it('gives every object an owner reference to the KafkaCluster', () => {
    for (const o of desiredObjectList(render(dedicated))) {
      expect(o.metadata?.ownerReferences).toEqual([
        expect.objectContaining({
          kind: 'KafkaCluster',
          name: 'demo',
          uid: cluster.uid,
          controller: true,
        }),
      ]);
    }
  });

  it('runs pods under the restricted Pod Security Standard', () => {
    for (const sts of render(dedicated).statefulSets) {
      const pod = sts.spec!.template.spec!;
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      for (const c of pod.containers) {
        expect(c.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        });
      }
      expect(pod.volumes?.some((v) => v.hostPath)).toBe(false);
    }
  });

  it('uses OnDelete so only the roller restarts pods', () => {
    for (const sts of render(dedicated).statefulSets)
      expect(sts.spec!.updateStrategy).toEqual({ type: 'OnDelete' });
  });

  it('renders one NodePort Service per broker with nodePortBase + ordinal', () => {
    const nodePorts = render(dedicated).services.filter((s) => s.spec?.type === 'NodePort');
    expect(nodePorts.map((s) => [s.metadata!.name, s.spec!.ports![0]!.nodePort])).toEqual([
      ['demo-broker-0-external', 30092],
      ['demo-broker-1-external', 30093],
      ['demo-broker-2-external', 30094],
    ]);
  });

  it('lets no StatefulSet delete a claim, deleteClaim or not: the operator does it after the drain', () => {
    // dedicated: controllers deleteClaim false, brokers deleteClaim true.
    for (const sts of render(dedicated).statefulSets) {
      expect(sts.spec!.persistentVolumeClaimRetentionPolicy).toEqual({
        whenDeleted: 'Retain',
        whenScaled: 'Retain',
      });
    }
  });

  it('hardens the Kafka pod: read-only root, no API token, a termination message from the logs', () => {
    for (const spec of [dedicated, combined]) {
      for (const sts of render(spec).statefulSets) {
        const pod = sts.spec!.template.spec!;
        const kafka = pod.containers[0]!;
        expect(pod.automountServiceAccountToken).toBe(false);
        expect(kafka.securityContext?.readOnlyRootFilesystem).toBe(true);
        expect(kafka.terminationMessagePolicy).toBe('FallbackToLogsOnError');
        // Everything the start script and Kafka write is on a mounted volume.
        const mounts = kafka.volumeMounts!.map((m) => m.mountPath);
        const env = Object.fromEntries(kafka.env!.map((e) => [e.name, e.value]));
        for (const written of [
          env['KRAFTWERK_WORK_DIR']!,
          env['LOG_DIR']!,
          '/var/lib/kafka/data',
        ]) {
          expect(
            mounts.some((m) => written === m || written.startsWith(`${m}/`)),
            written,
          ).toBe(true);
        }
        expect(kafka.volumeMounts!.find((m) => m.mountPath === '/etc/kraftwerk')?.readOnly).toBe(
          true,
        );
      }
    }
  });

  it('gives the pods 120 s to stop unless spec.template.pod says otherwise', () => {
    const grace = (spec: ClusterSpec) =>
      render(spec).statefulSets.map((s) => s.spec!.template.spec!.terminationGracePeriodSeconds);
    expect(grace(dedicated)).toEqual([120, 120]);
    expect(
      grace({ ...combined, template: { pod: { terminationGracePeriodSeconds: 300 } } }),
    ).toEqual([300]);
  });

  it('requests cpu and memory by default, per resource the spec names neither a request nor a limit for', () => {
    const resources = (spec: ClusterSpec) =>
      render(spec).statefulSets.map((s) => s.spec!.template.spec!.containers[0]!.resources);
    const bare: ClusterSpec = {
      ...dedicated,
      controllers: { replicas: 3, storage: { type: 'ephemeral' } },
      brokers: { replicas: 3, storage: { type: 'ephemeral' } },
    };
    expect(resources(bare)).toEqual([
      { requests: { cpu: '100m', memory: '512Mi' } },
      { requests: { cpu: '250m', memory: '1Gi' } },
    ]);
    // A memory limit alone: the default memory request would exceed it, so only cpu is added.
    const limited: ClusterSpec = {
      ...combined,
      brokers: { ...combined.brokers, resources: { limits: { memory: '768Mi' } } },
    };
    expect(resources(limited)).toEqual([
      { requests: { cpu: '250m' }, limits: { memory: '768Mi' } },
    ]);
    expect(resources(dedicated)[1]).toEqual({ requests: { cpu: '200m', memory: '1Gi' } });
  });

  it('never lets a node drain take the quorum majority (PodDisruptionBudget maxUnavailable)', () => {
    const pdbs = (spec: ClusterSpec) =>
      Object.fromEntries(
        render(spec).podDisruptionBudgets.map((p) => [p.metadata!.name, p.spec!.maxUnavailable]),
      );
    const wide = (spec: ClusterSpec, maxUnavailable: number): ClusterSpec => ({
      ...spec,
      template: { podDisruptionBudget: { maxUnavailable } },
    });
    // 3 controllers keep a majority with 1 away; brokers get the spec's value.
    expect(pdbs(dedicated)).toEqual({ 'demo-controller': 1, 'demo-broker': 1 });
    expect(pdbs(wide(dedicated, 2))).toEqual({ 'demo-controller': 1, 'demo-broker': 2 });
    const five = { ...dedicated, controllers: { ...dedicated.controllers!, replicas: 5 } };
    expect(pdbs(wide(five, 3))).toEqual({ 'demo-controller': 2, 'demo-broker': 3 });
    // A single voter (one controller, or one combined node): a drain must wait for it.
    const one = { ...dedicated, controllers: { ...dedicated.controllers!, replicas: 1 } };
    expect(pdbs(one)).toEqual({ 'demo-controller': 0, 'demo-broker': 1 });
    expect(pdbs(combined)).toEqual({ 'demo-kafka': 0 });
    const combined3 = { ...combined, brokers: { ...combined.brokers, replicas: 3 } };
    expect(pdbs(wide(combined3, 2))).toEqual({ 'demo-kafka': 1 });
  });

  it('keeps the claim size of an existing StatefulSet (claim templates are immutable)', () => {
    const sts = render(dedicated, { existingClaimSize: { broker: '5Gi' } }).statefulSets[1]!;
    expect(sts.spec!.volumeClaimTemplates![0]!.spec!.resources!.requests).toEqual({
      storage: '5Gi',
    });
  });

  it('leaves dynamic keys out of the files and the hash, so changing them does not roll', () => {
    const hashes = (spec: ClusterSpec) =>
      render(spec).statefulSets.map(
        (s) => s.spec!.template.metadata!.annotations![CONFIG_HASH_ANNOTATION],
      );
    const before = hashes(dedicated);
    expect(
      hashes({ ...dedicated, config: { ...dedicated.config, 'log.retention.ms': '1000' } }),
    ).toEqual(before);
    expect(
      hashes({ ...dedicated, config: { ...dedicated.config, 'num.partitions': '6' } }),
    ).not.toEqual(before);
    expect(render(dedicated).configMap.data!['broker.properties']).not.toContain(
      'log.retention.ms',
    );
    expect(render(dedicated).configMap.data!['broker.properties']).toContain(
      'default.replication.factor=3',
    );
  });

  it('does not roll anything when only the controller count changes', () => {
    const hashes = (spec: ClusterSpec) =>
      render(spec).statefulSets.map(
        (s) => s.spec!.template.metadata!.annotations![CONFIG_HASH_ANNOTATION],
      );
    expect(
      hashes({ ...dedicated, controllers: { ...dedicated.controllers!, replicas: 5 } }),
    ).toEqual(hashes(dedicated));
  });

  it('withdraws the initial controller list once the quorum has formed', () => {
    expect(render(dedicated).configMap.data!['initial-controllers']).toMatch(
      /^0@demo-controller-0\.demo-controller\.streaming\.svc:9090:[\w-]{22},1@.*,2@.*$/,
    );
    expect(render(dedicated, { quorumFormed: true }).configMap.data!['initial-controllers']).toBe(
      '',
    );
  });

  it('derives the heap from the memory request when jvm.heap is not given', () => {
    const spec: ClusterSpec = {
      ...combined,
      brokers: { ...combined.brokers, resources: { requests: { memory: '2Gi' } } },
    };
    const env = render(spec).statefulSets[0]!.spec!.template.spec!.containers[0]!.env!;
    expect(env.find((e) => e.name === 'KAFKA_HEAP_OPTS')?.value).toBe('-Xms1024m -Xmx1024m');
    // No memory given: half the default request.
    const noMemory = render(combined).statefulSets[0]!.spec!.template.spec!.containers[0]!.env!;
    expect(noMemory.find((e) => e.name === 'KAFKA_HEAP_OPTS')?.value).toBe('-Xms512m -Xmx512m');
  });

  it('lets operator-owned pod labels win over the template', () => {
    const spec: ClusterSpec = {
      ...combined,
      template: { pod: { labels: { 'kraftwerk.dev/role': 'x', team: 't' } } },
    };
    const labels = render(spec).statefulSets[0]!.spec!.template.metadata!.labels!;
    expect(labels).toMatchObject({ 'kraftwerk.dev/role': 'combined', team: 't' });
  });

  it('ignores operator-owned keys in spec.config', () => {
    const spec = { ...combined, config: { 'node.id': '7', 'log.dirs': '/elsewhere' } };
    const props = render(spec).configMap.data!['combined.properties']!;
    expect(props).not.toContain('node.id');
    expect(props).toContain('log.dirs=/var/lib/kafka/data/kafka-log');
  });

  it('gives brokers 5 minutes to register (a new quorum may take longer than 60 s), unless spec.config says otherwise', () => {
    const props = (spec: ClusterSpec, file: string) =>
      render(spec).configMap.data![file]!.split('\n');
    expect(props(dedicated, 'broker.properties')).toContain(
      'initial.broker.registration.timeout.ms=300000',
    );
    expect(props(combined, 'combined.properties')).toContain(
      'initial.broker.registration.timeout.ms=300000',
    );
    expect(props(dedicated, 'controller.properties').join('\n')).not.toContain(
      'initial.broker.registration.timeout.ms',
    );
    const own = { ...dedicated, config: { 'initial.broker.registration.timeout.ms': '90000' } };
    expect(props(own, 'broker.properties')).toContain(
      'initial.broker.registration.timeout.ms=90000',
    );
  });

  it('renders the replicas the scale planner asks for instead of the spec', () => {
    const objects = render(dedicated, { replicas: { broker: 4, controller: 2 } });
    expect(objects.statefulSets.map((s) => s.spec!.replicas)).toEqual([2, 4]);
    expect(objects.services.filter((s) => s.spec?.type === 'NodePort')).toHaveLength(4);
  });
});

describe('renderCluster with certificate hashes', () => {
  it('puts the hash of each role on its pod template, and nothing without one', () => {
    const input: RenderInput = { cluster, spec: dedicated, clusterId, quorumFormed: false };
    const annotations = (i: RenderInput) =>
      renderCluster(i).statefulSets.map(
        (s) => s.spec?.template.metadata?.annotations?.['kraftwerk.dev/certificates-hash'],
      );
    expect(annotations(input)).toEqual([undefined, undefined]);
    expect(
      annotations({ ...input, certificateHashes: { 'demo-broker': '0123456789abcdef' } }),
    ).toEqual([undefined, '0123456789abcdef']);
  });
});
