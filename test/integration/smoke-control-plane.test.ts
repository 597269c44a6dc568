// Proves the control plane fixture is the real thing: the scale subresource drives the real
// Deployment controller, and the real garbage collector deletes dependents of a deleted owner.
import { AppsV1Api, CoreV1Api, KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { waitFor } from '../fixtures/process.ts';

const kc = new KubeConfig();
let apps: AppsV1Api;
let core: CoreV1Api;
const namespace = `smoke-${process.pid}`;

beforeAll(async () => {
  kc.loadFromFile(inject('kubeconfig'));
  apps = kc.makeApiClient(AppsV1Api);
  core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
});

describe('control plane', () => {
  it('authenticates with client certificates and enforces RBAC', async () => {
    const anonymous = new KubeConfig();
    anonymous.loadFromOptions({
      clusters: [
        {
          name: 'c',
          server: kc.getCurrentCluster()!.server,
          caData: kc.getCurrentCluster()!.caData,
        },
      ],
      users: [{ name: 'nobody' }],
      contexts: [{ name: 'c', cluster: 'c', user: 'nobody' }],
      currentContext: 'c',
    });
    const err = await anonymous
      .makeApiClient(CoreV1Api)
      .listNamespace()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(String(err)).toMatch(/401|403|Unauthorized|Forbidden/);
  });

  it('scales a Deployment through its scale subresource and the Deployment controller follows', async () => {
    const deployment: V1Deployment = {
      metadata: { name: 'web', namespace },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'registry.invalid/web:1' }] },
        },
      },
    };
    await apps.createNamespacedDeployment({ namespace, body: deployment });
    const scale = await apps.readNamespacedDeploymentScale({ name: 'web', namespace });
    expect(scale.spec?.replicas).toBe(1);
    // Without a resourceVersion, as `kubectl scale` does: the Deployment controller keeps
    // writing status, so a read-modify-write would race it.
    await apps.replaceNamespacedDeploymentScale({
      name: 'web',
      namespace,
      body: { metadata: { name: 'web', namespace }, spec: { replicas: 4 } },
    });
    // The ReplicaSet comes from kube-controller-manager, not from us: proof it is running.
    const rs = await waitFor('a ReplicaSet with 4 replicas', async () => {
      const list = await apps.listNamespacedReplicaSet({ namespace, labelSelector: 'app=web' });
      return list.items.find((r) => r.spec?.replicas === 4);
    });
    expect(rs.metadata?.ownerReferences?.[0]?.name).toBe('web');
    const pods = await waitFor('4 pods created by the ReplicaSet controller', async () => {
      const list = await core.listNamespacedPod({ namespace, labelSelector: 'app=web' });
      return list.items.length === 4 ? list.items : undefined;
    });
    expect(pods).toHaveLength(4);
  });

  it('garbage-collects a dependent when its owner is deleted', async () => {
    const owner = await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'owner' }, data: { a: '1' } },
    });
    await core.createNamespacedConfigMap({
      namespace,
      body: {
        metadata: {
          name: 'dependent',
          ownerReferences: [
            { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid! },
          ],
        },
      },
    });
    await core.deleteNamespacedConfigMap({
      name: 'owner',
      namespace,
      propagationPolicy: 'Background',
    });
    await waitFor('the garbage collector to delete the dependent', async () => {
      const list = await core.listNamespacedConfigMap({ namespace });
      return !list.items.some((c) => c.metadata?.name === 'dependent');
    });
  });
});
