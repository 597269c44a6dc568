import { describe, expect, it } from 'vitest';
import type { ClusterRef, ClusterSpec } from '../cluster-spec.ts';
import { CONFIG_HASH_ANNOTATION } from '../model/labels.ts';
import { KAFKA_METRICS_CONFIG } from './kafka-metrics-config.ts';
import { desiredObjectList, renderCluster } from './render-cluster.ts';
import { METRICS_AGENT_ENV } from './render-metrics.ts';

const cluster: ClusterRef = { name: 'demo', namespace: 'streaming', uid: 'uid-1' };
const spec: ClusterSpec = {
  version: '4.1.1',
  controllers: { replicas: 3, storage: { type: 'ephemeral' } },
  brokers: { replicas: 3, storage: { type: 'ephemeral' } },
  listeners: [{ name: 'internal', port: 9092, type: 'internal' }],
};
const render = (s: ClusterSpec) =>
  renderCluster({ cluster, spec: s, clusterId: 'nLp2abcdQZ6dXtk3r1w9Qg', quorumFormed: true });
const own: ClusterSpec = {
  ...spec,
  metrics: {
    enabled: true,
    exporter: { configMapKeyRef: { name: 'my-rules', key: 'kafka.yaml' } },
  },
};
const off: ClusterSpec = { ...spec, metrics: { enabled: false } };

describe('spec.metrics', () => {
  it("is on without a metrics field: kraftwerk's rules in <cluster>-metrics, applied before the pods", () => {
    const objects = render(spec);
    expect(objects.metricsConfigMap?.metadata?.name).toBe('demo-metrics');
    expect(objects.metricsConfigMap?.data).toEqual({ 'config.yaml': KAFKA_METRICS_CONFIG });
    const order = desiredObjectList(objects).map((o) => `${o.kind}/${o.metadata?.name}`);
    expect(order.indexOf('ConfigMap/demo-metrics')).toBeLessThan(
      order.indexOf('StatefulSet/demo-broker'),
    );
  });

  it('gives both roles the agent, its port, its rules and the scrape annotations', () => {
    for (const sts of render(spec).statefulSets) {
      const pod = sts.spec!.template;
      const c = pod.spec!.containers[0]!;
      expect(c.env).toContainEqual({
        name: METRICS_AGENT_ENV,
        value:
          '-javaagent:/opt/jmx-exporter/jmx_prometheus_javaagent.jar=9404:/etc/kraftwerk-metrics/config.yaml',
      });
      expect(c.ports).toContainEqual({ name: 'metrics', containerPort: 9404 });
      expect(c.volumeMounts).toContainEqual({
        name: 'metrics-config',
        mountPath: '/etc/kraftwerk-metrics',
        readOnly: true,
      });
      expect(pod.spec!.volumes).toContainEqual({
        name: 'metrics-config',
        configMap: { name: 'demo-metrics' },
      });
      expect(pod.metadata!.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '9404',
        'prometheus.io/path': '/metrics',
      });
    }
  });

  it('lists the metrics port on the headless Services, not on the bootstrap Service', () => {
    const services = render(spec).services;
    const metricsPort = { name: 'metrics', port: 9404, targetPort: 'metrics', protocol: 'TCP' };
    expect(services.find((s) => s.metadata!.name === 'demo-broker')!.spec!.ports).toContainEqual(
      metricsPort,
    );
    expect(
      services.find((s) => s.metadata!.name === 'demo-controller')!.spec!.ports,
    ).toContainEqual(metricsPort);
    expect(
      services.find((s) => s.metadata!.name === 'demo-kafka-bootstrap')!.spec!.ports,
    ).not.toContainEqual(metricsPort);
  });

  it("mounts the user's own ConfigMap key instead of rendering kraftwerk's rules", () => {
    const objects = render(own);
    expect(objects.metricsConfigMap).toBeUndefined();
    for (const sts of objects.statefulSets) {
      expect(sts.spec!.template.spec!.volumes).toContainEqual({
        name: 'metrics-config',
        configMap: { name: 'my-rules', items: [{ key: 'kafka.yaml', path: 'config.yaml' }] },
      });
    }
  });

  it('enabled: false leaves no trace of the agent in the pods, Services or NetworkPolicy', () => {
    const objects = render(off);
    expect(objects.metricsConfigMap).toBeUndefined();
    // The start script (in the config ConfigMap) knows the variable; nothing sets it.
    const text = JSON.stringify([
      ...objects.statefulSets,
      ...objects.services,
      ...objects.networkPolicies,
    ]);
    expect(text).not.toContain('9404');
    expect(text).not.toContain('prometheus.io');
    expect(text).not.toContain(METRICS_AGENT_ENV);
  });

  it("rolls the pods when metrics are switched or point at other rules: the pod template's config hash changes", () => {
    const hashes = (s: ClusterSpec) =>
      render(s).statefulSets.map(
        (sts) => sts.spec!.template.metadata!.annotations![CONFIG_HASH_ANNOTATION],
      );
    const on = hashes(spec);
    expect(hashes({ ...spec, metrics: { enabled: true } })).toEqual(on);
    for (const other of [hashes(off), hashes(own)]) {
      expect(other[0]).not.toBe(on[0]);
      expect(other[1]).not.toBe(on[1]);
    }
  });

  it('lets the pod template override the scrape annotations', () => {
    const sts = render({
      ...spec,
      template: { pod: { annotations: { 'prometheus.io/scrape': 'false' } } },
    }).statefulSets[0]!;
    expect(sts.spec!.template.metadata!.annotations!['prometheus.io/scrape']).toBe('false');
  });
});
