// Adding and removing one finalizer with JSON Patch. A `test` on the entry's index guards the
// removal, so a concurrent change by another controller fails (and is retried) instead of
// removing the wrong finalizer; merge patch would replace the whole list.
import type { KubeClient } from './kube-client.ts';
import type { KubeObject, ResourceInfo } from './resource.ts';
import { resourcePath } from './resource.ts';

export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return obj.metadata?.finalizers?.includes(finalizer) ?? false;
}

export async function addFinalizer(
  client: KubeClient,
  obj: KubeObject,
  finalizer: string,
  resource?: ResourceInfo,
): Promise<void> {
  if (hasFinalizer(obj, finalizer)) return;
  const list = obj.metadata?.finalizers;
  const ops = list
    ? [
        { op: 'test', path: '/metadata/resourceVersion', value: obj.metadata?.resourceVersion },
        { op: 'add', path: '/metadata/finalizers/-', value: finalizer },
      ]
    : [
        { op: 'test', path: '/metadata/resourceVersion', value: obj.metadata?.resourceVersion },
        { op: 'add', path: '/metadata/finalizers', value: [finalizer] },
      ];
  await patch(client, obj, ops, resource);
}

export async function removeFinalizer(
  client: KubeClient,
  obj: KubeObject,
  finalizer: string,
  resource?: ResourceInfo,
): Promise<void> {
  const index = obj.metadata?.finalizers?.indexOf(finalizer) ?? -1;
  if (index < 0) return;
  await patch(
    client,
    obj,
    [
      { op: 'test', path: `/metadata/finalizers/${index}`, value: finalizer },
      { op: 'remove', path: `/metadata/finalizers/${index}` },
    ],
    resource,
  );
}

/** `resource` skips discovery when the caller knows where the kind lives. */
async function patch(
  client: KubeClient,
  obj: KubeObject,
  ops: unknown[],
  resource?: ResourceInfo,
): Promise<void> {
  const info = resource ?? (await client.resourceOf(obj));
  await client.request('PATCH', resourcePath(info, obj.metadata?.namespace, obj.metadata!.name!), {
    body: ops,
    contentType: 'application/json-patch+json',
  });
}
