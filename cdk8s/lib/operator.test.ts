import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chart, Testing } from 'cdk8s';
import { loadAllYaml } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { KraftwerkOperator, type KraftwerkOperatorProps } from './operator.ts';
import {
  leaseRules,
  nodeRules,
  permissions,
  storageClassRules,
  watchRules,
} from './operator-rules.ts';
import { installYaml } from '../install.ts';

type Obj = {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
};

function synth(props: Partial<KraftwerkOperatorProps> = {}): Obj[] {
  const chart: Chart = Testing.chart();
  new KraftwerkOperator(chart, 'op', { version: '1.2.3', ...props });
  return Testing.synth(chart) as Obj[];
}

const rulesOf = (o: Obj) =>
  permissions(
    (o.rules ?? []).map((r) => ({ groups: r.apiGroups, resources: r.resources, verbs: r.verbs })),
  );

describe('KraftwerkOperator', () => {
  it('watches every namespace with one ClusterRole holding exactly the contract', () => {
    const objects = synth();
    const role = objects.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'kraftwerk')!;
    expect(role.metadata.namespace).toBeUndefined();
    expect(rulesOf(role)).toEqual(permissions(watchRules()));
    expect(JSON.stringify(objects)).not.toMatch(/"\*"/);
    const lease = objects.find((o) => o.kind === 'Role')!;
    expect(lease.metadata).toEqual(expect.objectContaining({ namespace: 'kraftwerk-system' }));
    expect(rulesOf(lease)).toEqual(permissions(leaseRules));
  });

  it('grants nothing the operator does not send (the audit-log test proves the rest)', () => {
    const all = synth()
      .filter((o) => o.kind.endsWith('Role'))
      .flatMap((o) => rulesOf(o));
    // Secrets only by name (the certificate step): no list or watch; Deployments only through /scale; PUT only for the Lease and the one
    // rule admission (not a request) checks; `get` only where no informer caches the object, or
    // where a cached copy may lag: a StatefulSet scale target, a deleting topic with no id.
    expect([...new Set(all.filter((p) => p.includes('secrets')))].sort()).toEqual([
      '/secrets:create',
      '/secrets:get',
      '/secrets:patch',
    ]);
    expect(all.filter((p) => p.startsWith('apps/deployments'))).toEqual([
      'apps/deployments/scale:get',
      'apps/deployments/scale:patch',
    ]);
    expect(all.filter((p) => p.endsWith(':update')).sort()).toEqual([
      'coordination.k8s.io/leases:update',
      'kraftwerk.dev/kafkaclusters/finalizers:update',
      'kraftwerk.dev/kafkausers/finalizers:update',
    ]);
    expect(all.filter((p) => p.endsWith(':get')).sort()).toEqual([
      '/secrets:get',
      'apps/deployments/scale:get',
      'apps/statefulsets/scale:get',
      'apps/statefulsets:get',
      'coordination.k8s.io/leases:get',
      'kraftwerk.dev/kafkaclusters:get',
      'kraftwerk.dev/kafkatopics:get',
      'storage.k8s.io/storageclasses:get',
    ]);
  });

  it('watches a list of namespaces with a Role and RoleBinding in each', () => {
    const objects = synth({ watchNamespaces: ['a', 'b'] });
    // Cluster-wide only what no Role can grant: get on StorageClasses.
    const clusterWide = objects.filter((o) => o.kind.startsWith('Cluster'));
    expect(clusterWide.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ClusterRole/kraftwerk-nodes',
      'ClusterRole/kraftwerk-storageclasses',
      'ClusterRoleBinding/kraftwerk-nodes',
      'ClusterRoleBinding/kraftwerk-storageclasses',
    ]);
    const clusterRole = (name: string) =>
      clusterWide.find((o) => o.kind === 'ClusterRole' && o.metadata.name === name)!;
    expect(rulesOf(clusterRole('kraftwerk-storageclasses'))).toEqual(
      permissions(storageClassRules),
    );
    expect(rulesOf(clusterRole('kraftwerk-nodes'))).toEqual(permissions(nodeRules));
    expect(
      synth({ watchNamespaces: ['a'], readStorageClasses: false, readNodes: false }).filter((o) =>
        o.kind.startsWith('Cluster'),
      ),
    ).toEqual([]);
    for (const ns of ['a', 'b']) {
      const role = objects.find((o) => o.kind === 'Role' && o.metadata.namespace === ns)!;
      expect(rulesOf(role)).toEqual(permissions(watchRules()));
      expect(objects.some((o) => o.kind === 'RoleBinding' && o.metadata.namespace === ns)).toBe(
        true,
      );
    }
  });

  it('adds /scale rules for extra scale targets', () => {
    const role = synth({
      extraScaleTargets: [{ group: 'argoproj.io', resource: 'rollouts' }],
    }).find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'kraftwerk')!;
    expect(rulesOf(role)).toContain('argoproj.io/rollouts/scale:patch');
  });

  it('refuses several replicas without leader election', () => {
    expect(() => synth({ leaderElection: false })).toThrow(/leader election/);
    expect(synth({ leaderElection: false, replicas: 1 }).some((o) => o.kind === 'Role')).toBe(
      false,
    );
  });

  it('synthesizes dist/install.yaml: namespace first, then the committed CRDs unchanged', () => {
    const objects = loadAllYaml(installYaml()) as Obj[];
    expect(objects[0]!.kind).toBe('Namespace');
    const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition');
    expect(crds.map((c) => c.metadata.name)).toEqual([
      'kafkaclusters.kraftwerk.dev',
      'kafkaconsumergroups.kraftwerk.dev',
      'kafkatopics.kraftwerk.dev',
      'kafkausers.kraftwerk.dev',
    ]);
    const root = join(import.meta.dirname, '..', '..');
    for (const crd of crds) {
      const file = readFileSync(join(root, 'crds', `${crd.metadata.name}.yaml`), 'utf8');
      expect(crd).toEqual(loadAllYaml(file)[0]);
    }
  });
});
