// addFinalizer / removeFinalizer against the shared real kube-apiserver, with the stale cached
// copies a busy informer hands a reconcile.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  addFinalizer,
  finalizerFieldManager,
  removeFinalizer,
} from '../../operator/src/runtime/finalizers.ts';
import { KubeApiError, KubeClient } from '../../operator/src/runtime/kube-client.ts';
import { builtinResources, resourcePath } from '../../operator/src/runtime/resource.ts';
import type { KubeObject } from '../../operator/src/runtime/resource.ts';

type Managed = KubeObject & {
  metadata: { managedFields?: { manager: string; fieldsV1?: unknown }[] };
};

let client: KubeClient;
const ns = `runtime-finalizers-${process.pid}`;
const cm = builtinResources.ConfigMap;
const ours = 'kraftwerk.dev/test';
const theirs = 'example.dev/keep';

const create = (name: string, finalizers: string[] = []) =>
  client.create<KubeObject>(cm, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: ns, ...(finalizers.length ? { finalizers } : {}) },
  });
const read = async (name: string) => (await client.get<Managed>(cm, ns, name))!;
const touch = (name: string) =>
  client.mergePatch<KubeObject>(cm, ns, name, { metadata: { labels: { touched: 'yes' } } });

beforeAll(async () => {
  client = KubeClient.fromKubeconfig(inject('kubeconfig'));
  await client.create(builtinResources.Namespace, { metadata: { name: ns } });
});

afterAll(async () => {
  // Finalizers left behind would hold the namespace in Terminating.
  const list = await client.list<KubeObject>(cm, ns);
  for (const o of list.items) {
    if (o.metadata?.finalizers?.length) {
      await client.mergePatch(cm, ns, o.metadata.name!, { metadata: { finalizers: null } });
    }
  }
  await client.delete(builtinResources.Namespace, undefined, ns);
});

describe('addFinalizer', () => {
  it("adds to a stale cached copy, next to another manager's finalizer, and once only", async () => {
    const cached = await create('stale', [theirs]);
    await touch('stale'); // the cached copy is now an older resourceVersion
    await addFinalizer(client, cached, ours);
    const after = await read('stale');
    expect(after.metadata.finalizers).toEqual([theirs, ours]);
    expect(after.metadata.resourceVersion).not.toBe(cached.metadata?.resourceVersion);

    // The same stale copy again (a second reconcile before the watch caught up): a no-op
    // that does not even bump the resourceVersion.
    await addFinalizer(client, cached, ours);
    const again = await read('stale');
    expect(again.metadata.finalizers).toEqual([theirs, ours]);
    expect(again.metadata.resourceVersion).toBe(after.metadata.resourceVersion);
    expect(again.metadata.managedFields?.map((m) => m.manager)).toContain(
      finalizerFieldManager(ours),
    );
  });

  it('can be removed after the add, leaving the other finalizer, and added again', async () => {
    const created = await create('cycle', [theirs]);
    await addFinalizer(client, created, ours);
    await removeFinalizer(client, await read('cycle'), ours);
    const removed = await read('cycle');
    expect(removed.metadata.finalizers).toEqual([theirs]);
    // The removal ended the applier's ownership, so no manager would put it back.
    expect(removed.metadata.managedFields?.map((m) => m.manager)).not.toContain(
      finalizerFieldManager(ours),
    );
    await addFinalizer(client, removed, ours);
    expect((await read('cycle')).metadata.finalizers).toEqual([theirs, ours]);
  });

  it('removal is guarded: a stale index fails instead of removing the wrong entry', async () => {
    const created = await create('guarded', [theirs]);
    await addFinalizer(client, created, ours);
    const cached = await read('guarded'); // [theirs, ours]
    await client.mergePatch(cm, ns, 'guarded', { metadata: { finalizers: [ours] } });
    const err = await removeFinalizer(client, cached, ours).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).statusCode).toBe(422);
    expect(String(err)).toContain('a test op failed');
    expect((await read('guarded')).metadata.finalizers).toEqual([ours]);
  });

  it('never gives a deleting object a new finalizer', async () => {
    await create('deleting', [theirs]);
    const stale = await read('deleting');
    await client.delete(cm, ns, 'deleting');
    const deleting = await read('deleting');
    expect(deleting.metadata.deletionTimestamp).toBeDefined();

    // The cache knows: nothing is sent.
    await addFinalizer(client, deleting, ours);
    // The cache is behind: the API server refuses, and says why.
    const err = await addFinalizer(client, stale, ours).catch((e: unknown) => e);
    expect((err as KubeApiError).statusCode).toBe(422);
    expect(String(err)).toContain('no new finalizers can be added if the object is being deleted');
    const now = await read('deleting');
    expect(now.metadata.finalizers).toEqual([theirs]);
    expect(now.metadata.resourceVersion).toBe(deleting.metadata.resourceVersion);
  });

  it('does not create an object deleted since it was cached, nor touch its successor', async () => {
    const gone = await create('gone');
    await client.delete(cm, ns, 'gone');
    const err = await addFinalizer(client, gone, ours).catch((e: unknown) => e);
    expect((err as KubeApiError).statusCode).toBe(409);
    expect(await client.get(cm, ns, 'gone')).toBeUndefined();

    const old = await create('reborn');
    await client.delete(cm, ns, 'reborn');
    await create('reborn');
    const refused = await addFinalizer(client, old, ours).catch((e: unknown) => e);
    expect((refused as KubeApiError).statusCode).toBe(422);
    expect(String(refused)).toContain('metadata.uid');
    expect((await read('reborn')).metadata.finalizers).toBeUndefined();
  });
});

describe('why adding a finalizer and reporting status are two writes', () => {
  it('a KafkaTopic takes status only through /status, and metadata only through itself', async () => {
    const apiVersion = 'kraftwerk.dev/v1alpha1';
    const info = await client.resource(apiVersion, 'KafkaTopic');
    const metadata = { name: 'two-writes', namespace: ns };
    await client.create(info, {
      apiVersion,
      kind: 'KafkaTopic',
      metadata,
      spec: { bootstrapServers: 'localhost:9092', partitions: 1 },
    });
    type Topic = KubeObject & { status?: { topicName?: string } };
    const applyBoth = (subresource: string | undefined, topicName: string) =>
      client.request<Topic>('PATCH', resourcePath(info, ns, metadata.name, subresource), {
        contentType: 'application/apply-patch+yaml',
        query: { fieldManager: 'probe', force: 'true' },
        body: {
          apiVersion,
          kind: 'KafkaTopic',
          metadata: { ...metadata, finalizers: [ours] },
          status: { topicName },
        },
      });
    const viaStatus = await applyBoth('status', 'first');
    expect(viaStatus.status?.topicName).toBe('first');
    expect(viaStatus.metadata?.finalizers).toBeUndefined();
    const viaObject = await applyBoth(undefined, 'second');
    expect(viaObject.metadata?.finalizers).toEqual([ours]);
    expect(viaObject.status?.topicName).toBe('first');
    await removeFinalizer(client, viaObject, ours);
  });
});
