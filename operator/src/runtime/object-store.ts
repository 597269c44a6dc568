// The informer's cache: objects keyed by namespace/name. Pure bookkeeping that says what
// changed, so the informer can tell handlers and tests can check every transition.
import type { KubeObject } from './resource.ts';
import { objectKey } from './resource.ts';

export type StoreChange<T> =
  { type: 'add'; obj: T } | { type: 'update'; old: T; obj: T } | { type: 'delete'; obj: T };

export class ObjectStore<T extends KubeObject> {
  private readonly items = new Map<string, T>();

  get size(): number {
    return this.items.size;
  }
  get(key: string): T | undefined {
    return this.items.get(key);
  }
  keys(): IterableIterator<string> {
    return this.items.keys();
  }
  values(): IterableIterator<T> {
    return this.items.values();
  }

  /** Nothing when the stored copy has the same resourceVersion (a replayed event). */
  upsert(obj: T): StoreChange<T> | undefined {
    const key = objectKey(obj);
    const old = this.items.get(key);
    if (old && sameVersion(old, obj)) return undefined;
    this.items.set(key, obj);
    return old ? { type: 'update', old, obj } : { type: 'add', obj };
  }

  /** Returns the delete with the last state the watch reported. */
  remove(obj: T): StoreChange<T> | undefined {
    const key = objectKey(obj);
    if (!this.items.has(key)) return undefined;
    this.items.delete(key);
    return { type: 'delete', obj };
  }

  /**
   * Makes the part of the store that `owns` a key equal to `items` (a fresh list), returning
   * the changes in the order add/update, then delete. Objects the list no longer has are
   * deleted: the watch that would have said so was missed.
   */
  replace(items: readonly T[], owns: (key: string) => boolean = () => true): StoreChange<T>[] {
    const changes: StoreChange<T>[] = [];
    const seen = new Set<string>();
    for (const obj of items) {
      const key = objectKey(obj);
      seen.add(key);
      const change = this.upsert(obj);
      if (change) changes.push(change);
    }
    for (const [key, obj] of this.items) {
      if (!seen.has(key) && owns(key)) {
        this.items.delete(key);
        changes.push({ type: 'delete', obj });
      }
    }
    return changes;
  }
}

function sameVersion(a: KubeObject, b: KubeObject): boolean {
  const rv = a.metadata?.resourceVersion;
  return rv !== undefined && rv === b.metadata?.resourceVersion;
}
