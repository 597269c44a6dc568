// Adding and removing one finalizer.
//
// Adding is a server-side apply of just `metadata.finalizers: [f]` under a field manager of its
// own. ObjectMeta.finalizers is a set, so the apply merges with other owners' entries, needs no
// resourceVersion (a stale cache cannot make it fail) and, when the entry is already there, is
// a no-op that does not bump resourceVersion. The body carries the uid: an object deleted (or
// deleted and recreated) since the cache saw it answers 409 (or 422) instead of being created
// by the apply. One manager per finalizer: a manager that applied [f1] and later applies [f2]
// would drop f1.
//
// Removing is a JSON Patch with a `test` on the entry's index, so a concurrent change by another
// controller fails (and is retried) instead of removing the wrong finalizer; merge patch would
// replace the whole list. The removal also ends the applier's ownership of the entry.
import type { KubeClient } from './kube-client.ts';
import type { KubeObject, ResourceInfo } from './resource.ts';
import { resourcePath } from './resource.ts';

export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return obj.metadata?.finalizers?.includes(finalizer) ?? false;
}

/** The field manager that owns `finalizer` where kraftwerk added it. */
export function finalizerFieldManager(finalizer: string): string {
  return `kraftwerk-finalizer/${finalizer}`;
}

/**
 * Makes sure `obj` carries `finalizer`. Does nothing for an object already being deleted: it
 * must get no new finalizer (the API server refuses one too, with 422).
 */
export async function addFinalizer(
  client: KubeClient,
  obj: KubeObject,
  finalizer: string,
  resource?: ResourceInfo,
): Promise<void> {
  if (hasFinalizer(obj, finalizer) || obj.metadata?.deletionTimestamp) return;
  const m = obj.metadata;
  if (!obj.apiVersion || !obj.kind || !m?.name) {
    throw new Error('adding a finalizer needs apiVersion, kind and metadata.name');
  }
  // `resource` skips discovery when the caller knows where the kind lives.
  const info = resource ?? (await client.resourceOf(obj));
  await client.request('PATCH', resourcePath(info, m.namespace, m.name), {
    body: {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      metadata: {
        name: m.name,
        ...(m.namespace ? { namespace: m.namespace } : {}),
        ...(m.uid ? { uid: m.uid } : {}),
        finalizers: [finalizer],
      },
    },
    contentType: 'application/apply-patch+yaml',
    // Force: the only thing another manager could hold here is this same entry.
    query: { fieldManager: finalizerFieldManager(finalizer), force: 'true' },
  });
}

export async function removeFinalizer(
  client: KubeClient,
  obj: KubeObject,
  finalizer: string,
  resource?: ResourceInfo,
): Promise<void> {
  await removeFinalizers(client, obj, [finalizer], resource);
}

/**
 * Removes every one of `finalizers` the object carries, in one JSON Patch (removals from the
 * highest index down, each guarded by a `test`, so the indices stay right and a concurrent
 * change fails the whole patch). Returns the ones removed.
 */
export async function removeFinalizers(
  client: KubeClient,
  obj: KubeObject,
  finalizers: readonly string[],
  resource?: ResourceInfo,
): Promise<string[]> {
  const present = (obj.metadata?.finalizers ?? [])
    .map((f, index) => ({ f, index }))
    .filter(({ f }) => finalizers.includes(f))
    .reverse();
  if (present.length === 0) return [];
  const info = resource ?? (await client.resourceOf(obj));
  await client.request('PATCH', resourcePath(info, obj.metadata?.namespace, obj.metadata!.name!), {
    body: present.flatMap(({ f, index }) => [
      { op: 'test', path: `/metadata/finalizers/${index}`, value: f },
      { op: 'remove', path: `/metadata/finalizers/${index}` },
    ]),
    contentType: 'application/json-patch+json',
  });
  return present.map(({ f }) => f).reverse();
}

/**
 * The escape hatch for a resource whose Kafka is gone for good: on an object being deleted,
 * `kraftwerk.dev/abandon: "true"` makes the operator drop its finalizer without asking Kafka
 * (whatever Kafka still holds stays there). Without it, deletion waits for Kafka's answer.
 */
export const ABANDON_ANNOTATION = 'kraftwerk.dev/abandon';

export function isAbandoned(obj: KubeObject): boolean {
  return (
    Boolean(obj.metadata?.deletionTimestamp) &&
    obj.metadata?.annotations?.[ABANDON_ANNOTATION] === 'true'
  );
}
