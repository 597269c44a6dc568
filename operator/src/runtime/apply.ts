// Server-side apply under one field manager, and status through the status subresource.
// The operator writes spec-side objects it owns and the status of its own resources, never
// their spec (users and GitOps tools own spec).
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { KubeClient } from './kube-client.ts';
import type { KubeObject, ResourceInfo } from './resource.ts';
import { objectKey, resourcePath } from './resource.ts';

export const fieldManager = 'kraftwerk';

export interface ApplyOptions {
  fieldManager?: string;
  /** Take fields other managers own. True by default: we apply only fields we own by design. */
  force?: boolean;
  dryRun?: boolean;
  /** Skips discovery when the caller knows where the kind lives. */
  resource?: ResourceInfo;
}

/**
 * What to send: the desired object without server-populated metadata. managedFields in an
 * apply body is an error, and a stale resourceVersion would turn the apply into a failed
 * precondition, so both go unless the caller opts into the precondition.
 */
export function applyBody<T extends KubeObject>(obj: T, keepResourceVersion = false): T {
  if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) {
    throw new Error('apply needs apiVersion, kind and metadata.name');
  }
  const serverSet = new Set([
    'managedFields',
    'uid',
    'creationTimestamp',
    'generation',
    'selfLink',
  ]);
  if (!keepResourceVersion) serverSet.add('resourceVersion');
  const metadata = Object.fromEntries(
    Object.entries(obj.metadata).filter(([k]) => !serverSet.has(k)),
  );
  return { ...obj, metadata } as T;
}

/** On objects we apply: a digest of the apply body, so an unchanged one need not be re-sent. */
export const APPLIED_HASH_ANNOTATION = 'kraftwerk.dev/applied-hash';

/** `obj` with APPLIED_HASH_ANNOTATION set to the digest of its apply body (without it). */
export function withAppliedHash<T extends KubeObject>(obj: T): T {
  const body = applyBody(obj);
  const annotations = Object.fromEntries(
    Object.entries(body.metadata?.annotations ?? {}).filter(([k]) => k !== APPLIED_HASH_ANNOTATION),
  );
  const unhashed = { ...body, metadata: { ...body.metadata, annotations } };
  const hash = createHash('sha256').update(JSON.stringify(unhashed)).digest('hex').slice(0, 16);
  return {
    ...body,
    metadata: {
      ...body.metadata,
      annotations: { ...annotations, [APPLIED_HASH_ANNOTATION]: hash },
    },
  };
}

/**
 * Whether applying `desired` (from withAppliedHash) would change nothing in `live` (a cached
 * copy): every field it sets has that value there. The digest, part of those fields, catches
 * what this cannot see: a field we stopped setting, which the apply would remove. A field
 * someone else changed shows as a difference, so their drift is still put back.
 */
export function alreadyApplied(desired: KubeObject, live: KubeObject | undefined): boolean {
  if (!live || !desired.metadata?.annotations?.[APPLIED_HASH_ANNOTATION]) return false;
  return contains(live, applyBody(desired));
}

/**
 * Which cached version of each object an apply already answered. A reconcile that runs before
 * the informer shows the operator's own write (a resync, another event) still sees the old copy
 * and would send the same apply again; client-go's controllers keep "expectations" for this.
 * Only an exact match is skipped: the same desired digest over the same cached resourceVersion.
 * Any newer copy in the cache (ours or someone else's) is judged afresh by alreadyApplied.
 */
export class AppliedOver {
  readonly #seen = new Map<string, { resourceVersion: string; hash: string }>();
  /** The keys recorded for each owner, so a deleted owner's entries can go with it. */
  readonly #byOwner = new Map<string, Set<string>>();

  /** True when `desired` was applied over exactly this cached copy already. */
  answered(desired: KubeObject, live: KubeObject | undefined): boolean {
    const seen = this.#seen.get(appliedKey(desired));
    if (!seen || !live?.metadata?.resourceVersion) return false;
    if (seen.resourceVersion !== live.metadata.resourceVersion) {
      this.#seen.delete(appliedKey(desired));
      return false;
    }
    return seen.hash === desired.metadata?.annotations?.[APPLIED_HASH_ANNOTATION];
  }

  /** After a successful apply of `desired` (on behalf of `owner`) over the cached copy `live`. */
  record(desired: KubeObject, live: KubeObject | undefined, owner = ''): void {
    const resourceVersion = live?.metadata?.resourceVersion;
    const hash = desired.metadata?.annotations?.[APPLIED_HASH_ANNOTATION];
    if (!resourceVersion || !hash) return;
    const key = appliedKey(desired);
    this.#seen.set(key, { resourceVersion, hash });
    const keys = this.#byOwner.get(owner) ?? new Set<string>();
    keys.add(key);
    this.#byOwner.set(owner, keys);
  }

  /** The owner is gone: without this, every deleted cluster would leave its entries behind. */
  forget(owner: string): void {
    for (const key of this.#byOwner.get(owner) ?? []) this.#seen.delete(key);
    this.#byOwner.delete(owner);
  }

  get size(): number {
    return this.#seen.size;
  }
}

/** One controller applies several kinds, whose objects may share a name. */
function appliedKey(o: KubeObject): string {
  return `${o.apiVersion}/${o.kind}/${objectKey(o)}`;
}

function contains(live: unknown, want: unknown): boolean {
  if (want === undefined) return true;
  if (want === null || typeof want !== 'object') return live === want;
  if (Array.isArray(want)) {
    return (
      Array.isArray(live) &&
      live.length === want.length &&
      want.every((w, i) => contains(live[i], w))
    );
  }
  if (live === null || typeof live !== 'object' || Array.isArray(live)) return false;
  const l = live as Record<string, unknown>;
  return Object.entries(want).every(([k, v]) => contains(l[k], v));
}

function applyQuery(options: ApplyOptions): Record<string, string> {
  const q: Record<string, string> = { fieldManager: options.fieldManager ?? fieldManager };
  if (options.force ?? true) q.force = 'true';
  if (options.dryRun) q.dryRun = 'All';
  return q;
}

/** Creates or updates `desired`; returns the object as stored. */
export async function apply<T extends KubeObject>(
  client: KubeClient,
  desired: T,
  options: ApplyOptions = {},
): Promise<T> {
  const body = applyBody(desired);
  const info = options.resource ?? (await client.resourceOf(body));
  return client.request<T>(
    'PATCH',
    resourcePath(info, body.metadata?.namespace, body.metadata!.name!),
    { body, contentType: 'application/apply-patch+yaml', query: applyQuery(options) },
  );
}

/**
 * Applies `status` to the status subresource. Only identity and status are sent, so a cached
 * object can be passed in as it is; fields of status we stop sending are removed, because the
 * field manager owned them.
 */
export async function applyStatus<T extends KubeObject, S>(
  client: KubeClient,
  obj: T,
  status: S,
  options: ApplyOptions = {},
): Promise<T & { status: S }> {
  if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) {
    throw new Error('status apply needs apiVersion, kind and metadata.name');
  }
  const body = {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: {
      name: obj.metadata.name,
      ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
    },
    status,
  };
  const info = options.resource ?? (await client.resourceOf(obj));
  return client.request<T & { status: S }>(
    'PATCH',
    resourcePath(info, obj.metadata.namespace, obj.metadata.name, 'status'),
    { body, contentType: 'application/apply-patch+yaml', query: applyQuery(options) },
  );
}

/**
 * Whether `next` says the same as `current` (a status as the cache holds it): equal as JSON,
 * whatever the order of keys. The API server hands objects back with their keys sorted, while
 * a status built in code has its own order; comparing JSON text therefore saw a change every
 * time and sent an apply that changed nothing.
 */
export function sameJson(current: unknown, next: unknown): boolean {
  const plain = (v: unknown): unknown =>
    v === undefined ? undefined : JSON.parse(JSON.stringify(v));
  return isDeepStrictEqual(plain(current), plain(next));
}

/**
 * The status write every reconciler makes: applies `status` unless the object (as the cache
 * holds it) already says the same, compared as values (sameJson), so a quiet resync costs the
 * API server nothing. Resolves to whether it wrote.
 */
export async function applyStatusIfChanged<T extends KubeObject & { status?: unknown }, S>(
  client: KubeClient,
  obj: T,
  status: S,
  options: ApplyOptions = {},
): Promise<boolean> {
  if (sameJson(obj.status ?? {}, status)) return false;
  await applyStatus(client, obj, status, options);
  return true;
}

/** An owner reference that makes `owner` the controller of a dependent (GC and adoption). */
export function controllerReference(owner: KubeObject): {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: true;
  blockOwnerDeletion: true;
} {
  const m = owner.metadata;
  if (!owner.apiVersion || !owner.kind || !m?.name || !m.uid) {
    throw new Error('owner needs apiVersion, kind, name and uid');
  }
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: m.name,
    uid: m.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}
