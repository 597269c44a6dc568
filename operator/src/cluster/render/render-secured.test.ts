// The renderer on a secured cluster (isSecured): what server.properties, the StatefulSet and
// the readiness probe become. Real Kafka 4.1.1 and 3.9.1 run these properties in
// test/integration/cluster-render-secured.test.ts.
import { dumpYaml } from '@kubernetes/client-node';
import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import type { ClusterRef, ClusterSpec } from '../cluster-spec.ts';
import { CONFIG_HASH_ANNOTATION } from '../model/labels.ts';
import { CERTIFICATES_HASH_ANNOTATION } from '../model/security.ts';
import { desiredObjectList, renderCluster } from './render-cluster.ts';
import type { RenderInput } from './render-cluster.ts';

const cluster: ClusterRef = {
  name: 'demo',
  namespace: 'streaming',
  uid: '0f1e2d3c-aaaa-bbbb-cccc-000000000001',
};
const clusterId = 'nLp2abcdQZ6dXtk3r1w9Qg';

const secured: ClusterSpec = {
  version: '4.1.1',
  controllers: { replicas: 3, storage: { type: 'ephemeral' } },
  brokers: { replicas: 3, storage: { type: 'persistent-claim', size: '10Gi' } },
  listeners: [
    { name: 'plain', port: 9092, type: 'internal' },
    { name: 'apps-tls', port: 9093, type: 'internal', tls: true },
    {
      name: 'mtls',
      port: 9094,
      type: 'internal',
      tls: true,
      authentication: { type: 'tls' },
    },
    {
      name: 'external',
      port: 9095,
      type: 'nodeport',
      nodePortBase: 30092,
      advertisedHost: 'localhost',
      tls: true,
      authentication: { type: 'scram-sha-512' },
    },
  ],
  authorization: { type: 'simple', superUsers: ['User:admin', 'User:kraftwerk-operator'] },
};

const hashes = { 'demo-controller': 'c0ffee00c0ffee00', 'demo-broker': 'b0b0b0b0b0b0b0b0' };

function render(spec: ClusterSpec, extra: Partial<RenderInput> = {}) {
  return renderCluster({ cluster, spec, clusterId, quorumFormed: false, ...extra });
}

function properties(spec: ClusterSpec, file: string): Record<string, string> {
  const text = render(spec).configMap.data![file]!;
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => {
        const i = l.indexOf('=');
        return [l.slice(0, i), l.slice(i + 1)];
      }),
  );
}

describe('a secured cluster', () => {
  it('renders the golden file', async () => {
    const text = desiredObjectList(render(secured, { certificateHashes: hashes }))
      .map((o) =>
        o.kind === 'NetworkPolicy'
          ? dump(o, { lineWidth: -1, noRefs: true })
          : dumpYaml(o, { lineWidth: -1, noRefs: true }),
      )
      .join('---\n');
    await expect(text).toMatchFileSnapshot('__golden__/secured.yaml');
  });

  it('runs the quorum and replication over mutual TLS with the cluster CA, from the mounted Secret', () => {
    const controller = properties(secured, 'controller.properties');
    expect(controller).toMatchObject({
      listeners: 'CONTROLLER://:9090',
      'listener.security.protocol.map': 'CONTROLLER:SSL',
      'listener.name.controller.ssl.client.auth': 'required',
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': '/etc/kafka/tls/keystore.pem',
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': '/etc/kafka/tls/ca.crt',
      'ssl.principal.mapping.rules': 'RULE:^CN=([^,]+)(,.*)?$/$1/,DEFAULT',
    });
    expect(controller).not.toHaveProperty('ssl.client.auth');
    expect(controller).not.toHaveProperty('ssl.endpoint.identification.algorithm');
    const broker = properties(secured, 'broker.properties');
    expect(broker['listener.security.protocol.map']).toBe(
      'REPLICATION:SSL,PLAIN:PLAINTEXT,APPS_TLS:SSL,MTLS:SSL,EXTERNAL:SASL_SSL,CONTROLLER:SSL,PROBE:PLAINTEXT',
    );
    expect(broker['listener.name.replication.ssl.client.auth']).toBe('required');
    expect(broker['ssl.keystore.location']).toBe('/etc/kafka/tls/keystore.pem');
    expect(broker).not.toHaveProperty('ssl.client.auth');
  });

  it('asks mTLS clients for a clients-CA certificate and SCRAM clients for SCRAM-SHA-512, per listener', () => {
    const broker = properties(secured, 'broker.properties');
    expect(broker).toMatchObject({
      'listener.name.mtls.ssl.client.auth': 'required',
      'listener.name.mtls.ssl.truststore.type': 'PEM',
      'listener.name.mtls.ssl.truststore.location': '/etc/kafka/tls/clients-ca.crt',
      'listener.name.external.sasl.enabled.mechanisms': 'SCRAM-SHA-512',
      'listener.name.external.scram-sha-512.sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    });
    // TLS without authentication: no client certificate asked for.
    expect(Object.keys(broker).filter((k) => k.startsWith('listener.name.apps_tls.'))).toEqual([]);
    expect(Object.keys(broker).filter((k) => k.startsWith('listener.name.plain.'))).toEqual([]);
  });

  it('runs the StandardAuthorizer on every role with the nodes, the operator and the spec as super-users, never ANONYMOUS', () => {
    for (const file of ['controller.properties', 'broker.properties']) {
      const p = properties(secured, file);
      expect(p['authorizer.class.name']).toBe(
        'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      );
      expect(p['super.users']).toBe(
        'User:admin;User:demo-broker;User:demo-controller;User:kraftwerk-operator',
      );
    }
    const { authorization: _, ...open } = secured;
    expect(properties(open, 'broker.properties')).not.toHaveProperty('authorizer.class.name');
    expect(properties(open, 'broker.properties')).not.toHaveProperty('super.users');
    const combined: ClusterSpec = { ...secured, controllers: undefined };
    expect(properties(combined, 'combined.properties')['super.users']).toBe(
      'User:admin;User:demo-kafka;User:kraftwerk-operator',
    );
  });

  it('gives broker roles a loopback PROBE listener that is never advertised, exposed or a container port', () => {
    const broker = properties(secured, 'broker.properties');
    expect(broker['listeners']).toBe(
      'REPLICATION://:9091,PLAIN://:9092,APPS_TLS://:9093,MTLS://:9094,EXTERNAL://:9095,PROBE://127.0.0.1:9089',
    );
    expect(properties(secured, 'controller.properties')['listeners']).not.toContain('PROBE');
    const objects = render(secured);
    expect(objects.configMap.data!['broker.listeners']).not.toContain('PROBE');
    expect(objects.configMap.data!['controller.listeners']).not.toContain('PROBE');
    for (const s of objects.services) {
      expect(s.spec!.ports!.map((p) => p.port)).not.toContain(9089);
    }
    for (const sts of objects.statefulSets) {
      const ports = sts.spec!.template.spec!.containers[0]!.ports!.map((p) => p.containerPort);
      expect(ports).not.toContain(9089);
    }
    const combined = properties({ ...secured, controllers: undefined }, 'combined.properties');
    expect(combined['listeners']).toMatch(/^CONTROLLER:\/\/:9090,.*,PROBE:\/\/127\.0\.0\.1:9089$/);
  });

  it('probes broker readiness on PROBE (no certificate needed), controllers keep the TCP check', () => {
    const [controller, broker] = render(secured).statefulSets.map(
      (s) => s.spec!.template.spec!.containers[0]!,
    );
    expect(broker!.readinessProbe!.exec!.command!.at(-1)).toBe('9089');
    expect(controller!.readinessProbe!.tcpSocket).toEqual({ port: 'controller' });
    // Plaintext clusters keep probing REPLICATION.
    const { authorization: _, ...rest } = secured;
    const plaintext: ClusterSpec = {
      ...rest,
      listeners: [{ name: 'plain', port: 9092, type: 'internal' }],
    };
    const plainBroker = render(plaintext).statefulSets[1]!.spec!.template.spec!.containers[0]!;
    expect(plainBroker.readinessProbe!.exec!.command!.at(-1)).toBe('9091');
  });

  it("mounts the role's node certificate Secret read-only, readable by the kafka group only", () => {
    for (const sts of render(secured).statefulSets) {
      const pod = sts.spec!.template.spec!;
      const name = sts.metadata!.name!;
      expect(pod.volumes).toContainEqual({
        name: 'tls',
        secret: { secretName: `${name}-certs`, defaultMode: 0o440 },
      });
      expect(pod.containers[0]!.volumeMounts).toContainEqual({
        name: 'tls',
        mountPath: '/etc/kafka/tls',
        readOnly: true,
      });
      // 0440 root:<fsGroup>: the kafka user (uid = gid = fsGroup 1000) reads through its group.
      expect(pod.securityContext).toMatchObject({ runAsGroup: 1000, fsGroup: 1000 });
    }
  });

  it('stamps the certificate hash on the pod template, and a new hash rolls only that role', () => {
    const annotations = (extra: Partial<RenderInput>) =>
      render(secured, extra).statefulSets.map((s) => s.spec!.template.metadata!.annotations!);
    expect(annotations({}).map((a) => a[CERTIFICATES_HASH_ANNOTATION] ?? null)).toEqual([
      null,
      null,
    ]);
    const before = annotations({ certificateHashes: hashes });
    expect(before.map((a) => a[CERTIFICATES_HASH_ANNOTATION])).toEqual([
      'c0ffee00c0ffee00',
      'b0b0b0b0b0b0b0b0',
    ]);
    const after = render(secured, {
      certificateHashes: { ...hashes, 'demo-broker': 'feedfeedfeedfeed' },
    }).statefulSets.map((s) => s.spec!.template);
    const beforeTemplates = render(secured, { certificateHashes: hashes }).statefulSets.map(
      (s) => s.spec!.template,
    );
    expect(after[0]).toEqual(beforeTemplates[0]);
    expect(after[1]).not.toEqual(beforeTemplates[1]);
    // The config hash is not what changes: certificates are not configuration.
    expect(after[1]!.metadata!.annotations![CONFIG_HASH_ANNOTATION]).toBe(
      before[1]![CONFIG_HASH_ANNOTATION],
    );
  });

  it('leaves plaintext clusters without TLS volume, hash annotation or security lines', () => {
    const plaintext: ClusterSpec = {
      version: '4.1.1',
      brokers: { replicas: 1, storage: { type: 'ephemeral' } },
      listeners: [{ name: 'plain', port: 9092, type: 'internal' }],
    };
    const objects = render(plaintext, { certificateHashes: { 'demo-kafka': 'abc' } });
    const pod = objects.statefulSets[0]!.spec!.template;
    expect(pod.spec!.volumes!.map((v) => v.name)).not.toContain('tls');
    expect(pod.metadata!.annotations).not.toHaveProperty(CERTIFICATES_HASH_ANNOTATION);
    expect(objects.configMap.data!['combined.properties']).not.toMatch(/ssl|sasl|PROBE|super/);
  });
});
