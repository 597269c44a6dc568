// The Helm chart with the real tools: helm lint, helm template in each namespace mode through
// kubeconform -strict (Kubernetes schemas and our CRDs), values.schema.json refusing bad
// values, the render installed into the real kube-apiserver with the ServiceAccount's
// permissions checked there, and the cdk8s install manifest describing the same objects.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { installYaml } from '../../cdk8s/install.ts';
import { resourceDefinitions } from '../../operator/src/api/resources.ts';
import {
  leaseRules,
  permissions,
  nodeRules,
  storageClassRules,
  watchRules,
} from '../../cdk8s/lib/operator-rules.ts';
import { normalize, rulePermissions } from './packaging-normalize.ts';
import {
  TOOL_BUILD_TIMEOUT,
  buildTools,
  chartDir,
  helmTemplate,
  idOf,
  kubeconform,
  kubectlBinary,
  manifests,
  mustRun,
  run,
  schemasFromServer,
  type Manifest,
  type Tools,
} from './packaging-tools.ts';

let tools: Tools;
const valuesDir = mkdtempSync(join(tmpdir(), 'kraftwerk-values-'));

function valuesFile(name: string, values: unknown): string {
  const path = join(valuesDir, `${name}.json`);
  writeFileSync(path, JSON.stringify(values));
  return path;
}

const MODES = {
  all: {},
  one: { watchNamespaces: ['pkg-team-a'] },
  list: { watchNamespaces: ['pkg-team-a', 'pkg-team-b'] },
} as const;

function render(values: unknown = {}, name = 'values'): Manifest[] {
  const out = helmTemplate(tools, ['-f', valuesFile(name, values)]);
  if (out.status !== 0) throw new Error(out.stderr);
  return manifests(out.stdout);
}

beforeAll(() => {
  tools = buildTools();
}, TOOL_BUILD_TIMEOUT);

describe('helm lint', () => {
  it.each(Object.entries(MODES))('passes --strict with watch mode %s', (mode, values) => {
    const out = run(tools.helm, ['lint', '--strict', chartDir, '-f', valuesFile(mode, values)]);
    expect(out.status, out.stdout + out.stderr).toBe(0);
  });
});

describe('helm template | kubeconform -strict', () => {
  let served: string;
  beforeAll(() => {
    served = schemasFromServer(inject('kubeconfig'));
  });

  it.each(Object.entries(MODES))('validates every object with watch mode %s', (mode, values) => {
    const rendered = helmTemplate(tools, ['-f', valuesFile(mode, values)]);
    expect(rendered.status, rendered.stderr).toBe(0);
    const objects = manifests(rendered.stdout);
    // Against the schemas from the k8s.io/kubernetes module and from the live server's
    // /openapi/v2; every object checked against a schema, none skipped for lack of one.
    for (const schemas of [tools.kubernetesSchemas, served]) {
      const out = kubeconform(tools, rendered.stdout, [], schemas);
      expect(out.status, out.stdout + out.stderr).toBe(0);
      expect(out.stdout).toMatch(
        new RegExp(`${objects.length} resources found.*Valid: ${objects.length},`),
      );
    }
  });

  it('validates the cdk8s install manifest against the live server schemas too', () => {
    const out = kubeconform(tools, installYaml(), [], served);
    expect(out.status, out.stdout + out.stderr).toBe(0);
  });

  it('refuses what the API server would refuse (a typo, a wrong type)', () => {
    const rendered = helmTemplate(tools).stdout;
    const typo = rendered.replace('readOnlyRootFilesystem: true', 'readOnlyRootFileSystem: true');
    expect(kubeconform(tools, typo).status).not.toBe(0);
    const wrongType = rendered.replace(/replicas: 2/, 'replicas: two');
    expect(kubeconform(tools, wrongType).status).not.toBe(0);
    const crTypo = [
      'apiVersion: kraftwerk.dev/v1alpha1',
      'kind: KafkaTopic',
      'metadata: { name: t }',
      'spec: { cluster: demo, partitions: 3, replicationFactr: 3 }',
    ].join('\n');
    expect(kubeconform(tools, crTypo).status).not.toBe(0);
  });

  it('validates the ServiceMonitor and extra scale targets when enabled', () => {
    const values = {
      metrics: { serviceMonitor: { enabled: true, labels: { release: 'prometheus' } } },
      rbac: { extraScaleTargets: [{ group: 'argoproj.io', resource: 'rollouts' }] },
    };
    const rendered = helmTemplate(tools, ['-f', valuesFile('monitor', values)]);
    expect(rendered.status, rendered.stderr).toBe(0);
    // The Prometheus Operator's CRD is not ours to ship; its shape is asserted below instead.
    const out = kubeconform(tools, rendered.stdout, ['-skip', 'ServiceMonitor']);
    expect(out.status, out.stdout).toBe(0);
    const objects = manifests(rendered.stdout);
    const monitor = objects.find((m) => m.kind === 'ServiceMonitor')!;
    expect(monitor.spec).toMatchObject({
      endpoints: [{ port: 'http-metrics', path: '/metrics', interval: '30s' }],
      namespaceSelector: { matchNames: ['kraftwerk-system'] },
    });
    const service = objects.find((m) => m.kind === 'Service')!;
    expect((service.spec as { ports: { name: string }[] }).ports[0]!.name).toBe('http-metrics');
    expect(objects.find((m) => m.kind === 'PodMonitor')).toBeUndefined();

    const role = objects.find((m) => m.kind === 'ClusterRole' && m.metadata.name === 'kraftwerk')!;
    expect(rulePermissions(role.rules)).toContain('argoproj.io/rollouts/scale:patch');
    expect(rulePermissions(role.rules)).not.toContain('argoproj.io/rollouts/scale:update');
  });
});

describe('the Kafka PodMonitor', () => {
  it('selects the Kafka pods of every KafkaCluster on their metrics port, with cluster and role labels', () => {
    const values = { metrics: { kafkaPodMonitor: { enabled: true } } };
    const rendered = helmTemplate(tools, ['-f', valuesFile('kafka-podmonitor', values)]);
    expect(rendered.status, rendered.stderr).toBe(0);
    const out = kubeconform(tools, rendered.stdout, ['-skip', 'PodMonitor']);
    expect(out.status, out.stdout).toBe(0);
    const monitor = manifests(rendered.stdout).find((m) => m.kind === 'PodMonitor')!;
    expect(monitor.spec).toEqual({
      selector: {
        matchLabels: {
          'app.kubernetes.io/name': 'kafka',
          'app.kubernetes.io/managed-by': 'kraftwerk',
        },
        matchExpressions: [{ key: 'kraftwerk.dev/role', operator: 'Exists' }],
      },
      namespaceSelector: { any: true },
      podTargetLabels: ['kraftwerk.dev/cluster', 'kraftwerk.dev/role'],
      podMetricsEndpoints: [
        { port: 'metrics', path: '/metrics', interval: '30s', scrapeTimeout: '10s' },
      ],
    });
  });

  it('looks only in watchNamespaces when the operator is limited to them', () => {
    const values = {
      watchNamespaces: ['kafka-a', 'kafka-b'],
      metrics: { kafkaPodMonitor: { enabled: true } },
    };
    const rendered = helmTemplate(tools, ['-f', valuesFile('kafka-podmonitor-ns', values)]);
    expect(rendered.status, rendered.stderr).toBe(0);
    const monitor = manifests(rendered.stdout).find((m) => m.kind === 'PodMonitor')!;
    expect((monitor.spec as { namespaceSelector: unknown }).namespaceSelector).toEqual({
      matchNames: ['kafka-a', 'kafka-b'],
    });
  });
});

describe('RBAC per namespace mode', () => {
  const contract = permissions(watchRules());
  const storageClasses = permissions(storageClassRules);
  const storageClassRole = (objects: Manifest[]) =>
    objects.find(
      (m) => m.kind === 'ClusterRole' && m.metadata.name === 'kraftwerk-storageclasses',
    )!;
  const nodeRole = (objects: Manifest[]) =>
    objects.find((m) => m.kind === 'ClusterRole' && m.metadata.name === 'kraftwerk-nodes')!;

  it('all namespaces: one ClusterRole with exactly the contract, no wildcards', () => {
    const objects = render(MODES.all);
    const kinds = objects.map((m) => `${m.kind}/${m.metadata.namespace ?? ''}`);
    expect(kinds).toContain('ClusterRole/');
    expect(kinds).toContain('ClusterRoleBinding/');
    const role = objects.find((m) => m.kind === 'ClusterRole' && m.metadata.name === 'kraftwerk')!;
    expect(rulePermissions(role.rules)).toEqual(contract);
    expect(rulePermissions(storageClassRole(objects).rules)).toEqual(storageClasses);
    expect(rulePermissions(nodeRole(objects).rules)).toEqual(permissions(nodeRules));
    expect(JSON.stringify(objects.filter((m) => m.kind.endsWith('Role')))).not.toContain('"*"');
    const lease = objects.find((m) => m.kind === 'Role')!;
    expect(lease.metadata).toMatchObject({ namespace: 'kraftwerk-system' });
    expect(rulePermissions(lease.rules)).toEqual(permissions(leaseRules));
  });

  it.each([
    ['one', MODES.one.watchNamespaces],
    ['list', MODES.list.watchNamespaces],
  ] as const)(
    '%s: a Role and RoleBinding in each watched namespace; cluster-wide only StorageClass get and Node list/watch',
    (mode, namespaces) => {
      const objects = render(MODES[mode]);
      const clusterWide = objects.filter(
        (m) => m.kind.startsWith('Cluster') && m.kind !== 'CustomResourceDefinition',
      );
      expect(clusterWide.map(idOf).sort()).toEqual([
        'ClusterRole//kraftwerk-nodes',
        'ClusterRole//kraftwerk-storageclasses',
        'ClusterRoleBinding//kraftwerk-nodes',
        'ClusterRoleBinding//kraftwerk-storageclasses',
      ]);
      expect(rulePermissions(storageClassRole(objects).rules)).toEqual(storageClasses);
      expect(rulePermissions(nodeRole(objects).rules)).toEqual(permissions(nodeRules));
      // And none at all when the install may not create cluster-scoped RBAC.
      const strict = render({
        ...MODES[mode],
        rbac: { create: true, readStorageClasses: false, readNodes: false },
      });
      expect(
        strict.filter((m) => m.kind.startsWith('Cluster') && m.kind !== 'CustomResourceDefinition'),
      ).toEqual([]);
      for (const ns of namespaces) {
        const role = objects.find((m) => m.kind === 'Role' && m.metadata.namespace === ns)!;
        expect(rulePermissions(role.rules)).toEqual(contract);
        expect(objects.some((m) => m.kind === 'RoleBinding' && m.metadata.namespace === ns)).toBe(
          true,
        );
      }
      const deployment = objects.find((m) => m.kind === 'Deployment')!;
      expect(JSON.stringify(deployment)).toContain(
        `{"name":"KRAFTWERK_WATCH_NAMESPACES","value":"${namespaces.join(',')}"}`,
      );
    },
  );
});

describe('the operator Deployment', () => {
  it('passes the restricted Pod Security Standard and sets requests and limits', () => {
    const deployment = render().find((m) => m.kind === 'Deployment')!;
    const spec = deployment.spec as { replicas: number; template: { spec: PodSpec } };
    expect(spec.replicas).toBe(2);
    const pod = spec.template.spec;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const c = pod.containers[0]!;
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(c.resources.requests).toMatchObject({
      cpu: expect.anything(),
      memory: expect.anything(),
    });
    expect(c.resources.limits).toMatchObject({ memory: expect.anything() });
    expect(c.livenessProbe.httpGet.path).toBe('/healthz');
    expect(c.readinessProbe.httpGet.path).toBe('/readyz');
    expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(c.image).toBe('kraftwerk/operator:0.1.0');
  });
});

interface PodSpec {
  securityContext: unknown;
  containers: {
    image: string;
    securityContext: unknown;
    resources: { requests: unknown; limits: unknown };
    livenessProbe: { httpGet: { path: string } };
    readinessProbe: { httpGet: { path: string } };
    volumeMounts: unknown[];
  }[];
}

describe('values.schema.json', () => {
  it.each([
    ['a negative replica count', ['--set', 'replicaCount=-1']],
    ['an unknown log level', ['--set', 'logLevel=verbose']],
    ['an unknown top-level key', ['--set', 'replicas=3']],
    ['a namespace that is not a DNS label', ['--set', 'watchNamespaces[0]=Team_A']],
    [
      'a wildcard scale target',
      ['--set', 'rbac.extraScaleTargets[0].group=apps,rbac.extraScaleTargets[0].resource=*'],
    ],
    ['two replicas without leader election', ['--set', 'leaderElection.enabled=false']],
    ['limits without memory', ['--set', 'resources.limits.memory=null']],
    ['a pull policy typo', ['--set', 'image.pullPolicy=Sometimes']],
  ])('refuses %s', (_what, args) => {
    const out = helmTemplate(tools, args);
    expect(out.status).not.toBe(0);
    expect(out.stderr).toMatch(/values don't meet the specifications of the schema|fight|Error/);
  });

  it('accepts one replica without leader election', () => {
    const out = helmTemplate(tools, ['--set', 'leaderElection.enabled=false,replicaCount=1']);
    expect(out.status, out.stderr).toBe(0);
    expect(manifests(out.stdout).some((m) => m.metadata.name.endsWith('leader-election'))).toBe(
      false,
    );
  });
});

describe('the cdk8s install manifest (dist/install.yaml)', () => {
  it('describes the same objects as the default Helm render', () => {
    const helm = normalize(render());
    const cdk8sObjects = manifests(installYaml());
    // Helm leaves the namespace to `--create-namespace`; the one-file install creates it.
    expect(cdk8sObjects.filter((m) => m.kind === 'Namespace').map(idOf)).toEqual([
      'Namespace//kraftwerk-system',
    ]);
    const cdk8s = normalize(cdk8sObjects.filter((m) => m.kind !== 'Namespace'));
    expect([...cdk8s.keys()].sort()).toEqual([...helm.keys()].sort());
    for (const [id, object] of helm) expect(cdk8s.get(id), id).toEqual(object);
  });

  it('passes kubeconform -strict', () => {
    const out = kubeconform(tools, installYaml());
    expect(out.status, out.stdout + out.stderr).toBe(0);
  });
});

describe('in a real kube-apiserver', () => {
  const kubectl = (args: readonly string[], input?: string) =>
    run(kubectlBinary(), ['--kubeconfig', inject('kubeconfig'), ...args], input);
  const sa = 'system:serviceaccount:kraftwerk-system:kraftwerk';
  // `kind/name` in can-i is an object's name, not a subresource: that needs --subresource.
  const can = (verb: string, resource: string, namespace: string, subresource?: string) =>
    kubectl([
      'auth',
      'can-i',
      verb,
      resource,
      '-n',
      namespace,
      '--as',
      sa,
      ...(subresource ? ['--subresource', subresource] : []),
    ]).stdout.trim();

  beforeAll(() => {
    for (const ns of ['kraftwerk-system', 'pkg-team-a', 'pkg-team-b', 'pkg-elsewhere']) {
      kubectl(['create', 'namespace', ns]);
    }
  });

  it.each(Object.entries(MODES))(
    'accepts the %s-namespaces render (server-side dry run)',
    (mode, values) => {
      const rendered = helmTemplate(tools, ['-f', valuesFile(`dry-${mode}`, values)]).stdout;
      const crds = manifests(rendered).filter((m) => m.kind === 'CustomResourceDefinition');
      expect(crds).toHaveLength(resourceDefinitions.length);
      // CRDs for real (identical to what other suites install), then everything else dry.
      mustRun(kubectlBinary(), [
        '--kubeconfig',
        inject('kubeconfig'),
        'apply',
        '--server-side',
        '--field-manager=kraftwerk-packaging-test',
        '-f',
        join(chartDir, 'crds'),
      ]);
      const out = kubectl(
        ['apply', '--dry-run=server', '-f', '-'],
        helmTemplate(tools, ['-f', valuesFile(`dry-${mode}`, values), '--skip-crds']).stdout,
      );
      expect(out.status, out.stderr).toBe(0);
    },
  );

  it('runs pods the restricted Pod Security Standard admits (PodSecurity admission decides)', () => {
    const ns = 'pkg-restricted';
    kubectl(['create', 'namespace', ns]);
    mustRun(kubectlBinary(), [
      '--kubeconfig',
      inject('kubeconfig'),
      'label',
      '--overwrite',
      'namespace',
      ns,
      'pod-security.kubernetes.io/enforce=restricted',
    ]);
    const deployment = render().find((m) => m.kind === 'Deployment')!;
    const template = (
      deployment.spec as {
        template: { metadata: object; spec: { containers: { securityContext?: object }[] } };
      }
    ).template;
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { ...template.metadata, name: 'operator-pss-probe', namespace: ns },
      spec: { ...template.spec, serviceAccountName: 'default' },
    };
    const out = kubectl(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(pod));
    expect(out.status, out.stderr).toBe(0);
    // The same pod without the chart's hardening is refused: the check has teeth.
    const spec = pod.spec;
    const weakened = {
      ...pod,
      spec: { ...spec, containers: spec.containers.map((c) => ({ ...c, securityContext: {} })) },
    };
    const refused = kubectl(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(weakened));
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/violates PodSecurity "restricted/);
  });

  it('gives the ServiceAccount the contract in watched namespaces and nothing elsewhere', () => {
    // Without CRDs: helmTemplate passes --include-crds, and the cleanup below must never
    // delete the CRDs every other suite on this API server shares.
    const rendered = helmTemplate(tools, ['-f', valuesFile('real-list', MODES.list)])
      .stdout.split(/^---$/m)
      .filter((doc) => !/^kind: CustomResourceDefinition$/m.test(doc))
      .join('---');
    const out = kubectl(
      ['apply', '--server-side', '--field-manager=kraftwerk-packaging-test', '-f', '-'],
      rendered,
    );
    expect(out.status, out.stderr).toBe(0);
    for (const ns of MODES.list.watchNamespaces) {
      expect(can('delete', 'pods', ns)).toBe('yes');
      expect(can('patch', 'kafkatopics.kraftwerk.dev', ns, 'status')).toBe('yes');
      expect(can('update', 'kafkatopics.kraftwerk.dev', ns, 'status')).toBe('no');
      expect(can('patch', 'deployments.apps', ns, 'scale')).toBe('yes');
      expect(can('update', 'deployments.apps', ns, 'scale')).toBe('no');
      expect(can('create', 'events.events.k8s.io', ns)).toBe('yes');
      // What the audit test showed the operator never sends is not granted.
      expect(can('list', 'secrets', ns)).toBe('no');
      expect(can('get', 'secrets', ns)).toBe('yes');
      expect(can('get', 'deployments.apps', ns)).toBe('no');
      expect(can('update', 'statefulsets.apps', ns)).toBe('no');
      expect(can('update', 'kafkatopics.kraftwerk.dev', ns, 'finalizers')).toBe('no');
      expect(can('update', 'kafkaclusters.kraftwerk.dev', ns, 'finalizers')).toBe('yes');
      expect(can('update', 'kafkausers.kraftwerk.dev', ns, 'finalizers')).toBe('yes');
      expect(can('patch', 'kafkausers.kraftwerk.dev', ns, 'status')).toBe('yes');
      expect(can('get', 'kafkausers.kraftwerk.dev', ns)).toBe('no');
      expect(can('delete', 'kafkausers.kraftwerk.dev', ns)).toBe('no');
      expect(can('delete', 'kafkatopics.kraftwerk.dev', ns)).toBe('no');
    }
    expect(can('list', 'kafkatopics.kraftwerk.dev', 'pkg-elsewhere')).toBe('no');
    // Cluster-scoped: exactly what the reconciler sends (GET one StorageClass), nothing more.
    expect(can('get', 'storageclasses.storage.k8s.io', 'pkg-elsewhere')).toBe('yes');
    expect(can('list', 'storageclasses.storage.k8s.io', 'pkg-elsewhere')).toBe('no');
    expect(can('patch', 'storageclasses.storage.k8s.io', 'pkg-elsewhere')).toBe('no');
    expect(can('watch', 'nodes', 'pkg-elsewhere')).toBe('yes');
    expect(can('get', 'nodes', 'pkg-elsewhere')).toBe('no');
    expect(can('patch', 'nodes', 'pkg-elsewhere')).toBe('no');
    expect(can('update', 'leases.coordination.k8s.io', 'kraftwerk-system')).toBe('yes');
    expect(can('update', 'leases.coordination.k8s.io', 'pkg-team-a')).toBe('no');
    kubectl(['delete', '-f', '-', '--wait=false'], rendered);
  });
});
