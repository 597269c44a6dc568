// The informer, events and server-side apply against the shared real kube-apiserver.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitFor } from '../fixtures/process.ts';
import { apply, applyStatus } from '../../operator/src/runtime/apply.ts';
import { setCondition } from '../../operator/src/runtime/conditions.ts';
import type { Condition } from '../../operator/src/runtime/conditions.ts';
import { EventRecorder } from '../../operator/src/runtime/events.ts';
import { Informer } from '../../operator/src/runtime/informer.ts';
import { KubeClient, isConflict, KubeApiError } from '../../operator/src/runtime/kube-client.ts';
import { builtinResources } from '../../operator/src/runtime/resource.ts';
import type { KubeObject } from '../../operator/src/runtime/resource.ts';

type ConfigMap = KubeObject & { data?: Record<string, string> };

let client: KubeClient;
const ns = `runtime-${process.pid}`;
const cm = builtinResources.ConfigMap;

beforeAll(async () => {
  client = KubeClient.fromKubeconfig(inject('kubeconfig'));
  await client.create(builtinResources.Namespace, { metadata: { name: ns } });
});

afterAll(async () => {
  await client.delete(builtinResources.Namespace, undefined, ns);
});

describe('Informer against a real API server', () => {
  it('sees create, update and delete, in order, with kind filled in', async () => {
    const informer = new Informer<ConfigMap>({ client, resource: cm, namespaces: [ns] });
    const seen: string[] = [];
    informer.on({
      add: (o) => seen.push(`add ${o.metadata?.name} ${JSON.stringify(o.data ?? {})}`),
      update: (_a, o) => seen.push(`update ${o.metadata?.name} ${JSON.stringify(o.data ?? {})}`),
      delete: (o) => seen.push(`delete ${o.metadata?.name}`),
    });
    await client.create(cm, { metadata: { name: 'before', namespace: ns }, data: { v: '0' } });
    informer.start();
    await informer.waitForSync(30_000);
    expect(informer.get(`${ns}/before`)?.kind).toBe('ConfigMap');

    await client.create(cm, { metadata: { name: 'x', namespace: ns }, data: { v: '1' } });
    await client.mergePatch(cm, ns, 'x', { data: { v: '2' } });
    await client.delete(cm, ns, 'x');
    await waitFor('the delete of x', async () => seen.includes('delete x'), { timeoutMs: 10_000 });
    expect(seen.filter((s) => !s.includes('kube-root-ca'))).toEqual([
      'add before {"v":"0"}',
      'add x {"v":"1"}',
      'update x {"v":"2"}',
      'delete x',
    ]);
    expect(informer.get(`${ns}/x`)).toBeUndefined();
    expect(informer.stats.errors).toBe(0);
    await informer.stop();
  });

  it('honours label selectors and resolves a kind by discovery', async () => {
    const informer = new Informer<ConfigMap>({
      client,
      resource: { apiVersion: 'v1', kind: 'ConfigMap' },
      namespaces: [ns],
      labelSelector: 'app=kraftwerk-test',
    });
    informer.start();
    await informer.waitForSync(30_000);
    await client.create(cm, {
      metadata: { name: 'labelled', namespace: ns, labels: { app: 'kraftwerk-test' } },
    });
    await client.create(cm, { metadata: { name: 'plain', namespace: ns } });
    await waitFor('labelled', async () => informer.get(`${ns}/labelled`));
    await new Promise((r) => setTimeout(r, 300));
    expect(informer.keys()).toEqual([`${ns}/labelled`]);
    await informer.stop();
  });
});

describe('server-side apply', () => {
  it('two field managers own different fields and do not fight', async () => {
    const base = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'shared', namespace: ns },
    };
    await apply(client, { ...base, data: { ours: '1' } });
    // Someone else (a person with kubectl, another controller) adds their own key.
    await apply(
      client,
      { ...base, data: { theirs: 'x' } },
      { fieldManager: 'someone-else', force: false },
    );
    // Our next apply states only what we own: their key stays.
    const after = await apply<ConfigMap>(client, { ...base, data: { ours: '2' } });
    expect(after.data).toEqual({ ours: '2', theirs: 'x' });
    // They cannot take our field without force: the API server reports the conflict.
    const err = await apply(
      client,
      { ...base, data: { theirs: 'x', ours: 'mine-now' } },
      { fieldManager: 'someone-else', force: false },
    ).catch((e: unknown) => e);
    expect(isConflict(err)).toBe(true);
    expect((err as KubeApiError).message).toMatch(/conflict/i);
    // Applying the same desired state again is a no-op: resourceVersion does not move.
    const again = await apply<ConfigMap>(client, { ...base, data: { ours: '2' } });
    expect(again.metadata?.resourceVersion).toBe(after.metadata?.resourceVersion);
    const managers = (
      again.metadata as { managedFields?: { manager: string }[] }
    ).managedFields?.map((f) => f.manager);
    expect(managers?.sort()).toEqual(['kraftwerk', 'someone-else']);
  });

  it('writes status through the status subresource only', async () => {
    const group = 'runtime-test.kraftwerk.dev';
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `widgets.${group}` },
      spec: {
        group,
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            subresources: { status: {} },
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: { type: 'object', properties: { size: { type: 'integer' } } },
                  status: {
                    type: 'object',
                    properties: {
                      observedGeneration: { type: 'integer' },
                      conditions: {
                        type: 'array',
                        'x-kubernetes-list-type': 'map',
                        'x-kubernetes-list-map-keys': ['type'],
                        items: {
                          type: 'object',
                          required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'],
                          properties: {
                            type: { type: 'string' },
                            status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
                            reason: { type: 'string' },
                            message: { type: 'string' },
                            observedGeneration: { type: 'integer' },
                            lastTransitionTime: { type: 'string', format: 'date-time' },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        ],
      },
    };
    await apply(client, crd);
    await waitFor(
      'the Widget CRD to be served',
      async () => (await client.resource(`${group}/v1`, 'Widget').catch(() => undefined)) ?? false,
      { timeoutMs: 30_000 },
    );
    type Widget = KubeObject & {
      spec?: { size?: number };
      status?: { observedGeneration?: number; conditions?: Condition[] };
    };
    const w = await apply<Widget>(client, {
      apiVersion: `${group}/v1`,
      kind: 'Widget',
      metadata: { name: 'w', namespace: ns },
      spec: { size: 3 },
    });
    const conditions = setCondition(
      [],
      { type: 'Ready', status: 'True', reason: 'Done', observedGeneration: w.metadata?.generation },
      new Date(),
    );
    // The whole cached object goes in; only identity and status are sent.
    const updated = await applyStatus(
      client,
      { ...w, spec: { size: 99 } },
      {
        observedGeneration: w.metadata?.generation,
        conditions,
      },
    );
    expect(updated.status.conditions?.[0]).toMatchObject({ type: 'Ready', status: 'True' });
    const fresh = await client.get<Widget>(await client.resource(`${group}/v1`, 'Widget'), ns, 'w');
    expect(fresh?.spec?.size).toBe(3);
    expect(fresh?.status?.observedGeneration).toBe(1);
    await client.delete(await client.resourceOf(crd), undefined, crd.metadata.name);
  });
});

describe('EventRecorder', () => {
  it('records an event and folds repeats into a series', async () => {
    const target = await client.create<ConfigMap>(cm, {
      metadata: { name: 'evented', namespace: ns },
    });
    const recorder = new EventRecorder({ client, reportingInstance: 'test-0' });
    await recorder.normal(target, 'Synced', 'Reconcile', 'all good');
    await recorder.normal(target, 'Synced', 'Reconcile', 'all good');
    await recorder.normal(target, 'Synced', 'Reconcile', 'all good');
    await recorder.warning(target, 'Failed', 'Reconcile', 'something else');
    const list = await client.list<KubeObject & { reason?: string; series?: { count: number } }>(
      builtinResources.Event,
      ns,
    );
    const mine = list.items.filter(
      (e) => (e as { regarding?: { name?: string } }).regarding?.name === 'evented',
    );
    expect(mine.map((e) => [e.reason, e.series?.count]).sort()).toEqual([
      ['Failed', undefined],
      ['Synced', 3],
    ]);
    // Visible through core/v1 too, which is what `kubectl describe` reads.
    const core = await client.request<{ items: { reason: string; count?: number }[] }>(
      'GET',
      `/api/v1/namespaces/${ns}/events`,
    );
    expect(core.items.some((e) => e.reason === 'Synced')).toBe(true);
  });
});
