import { describe, expect, it } from 'vitest';
import { ObjectStore } from './object-store.ts';
import type { KubeObject } from './resource.ts';

const cm = (ns: string, name: string, rv: string): KubeObject => ({
  kind: 'ConfigMap',
  metadata: { namespace: ns, name, resourceVersion: rv },
});

describe('ObjectStore', () => {
  it('reports adds, updates and deletes, and ignores replays of the same version', () => {
    const s = new ObjectStore();
    expect(s.upsert(cm('a', 'x', '1'))?.type).toBe('add');
    expect(s.upsert(cm('a', 'x', '1'))).toBeUndefined();
    const u = s.upsert(cm('a', 'x', '2'));
    expect(u).toMatchObject({ type: 'update', old: { metadata: { resourceVersion: '1' } } });
    expect(s.remove(cm('a', 'x', '3'))).toMatchObject({ type: 'delete' });
    expect(s.remove(cm('a', 'x', '3'))).toBeUndefined();
    expect(s.size).toBe(0);
  });

  it('replace diffs a relist against the cache, within the namespace it owns', () => {
    const s = new ObjectStore();
    s.upsert(cm('a', 'keep', '1'));
    s.upsert(cm('a', 'change', '1'));
    s.upsert(cm('a', 'gone', '1'));
    s.upsert(cm('b', 'other', '1'));
    const changes = s.replace(
      [cm('a', 'keep', '1'), cm('a', 'change', '5'), cm('a', 'new', '6')],
      (key) => key.startsWith('a/'),
    );
    expect(changes.map((c) => `${c.type}:${c.obj.metadata?.name}`)).toEqual([
      'update:change',
      'add:new',
      'delete:gone',
    ]);
    expect([...s.keys()].sort()).toEqual(['a/change', 'a/keep', 'a/new', 'b/other']);
  });
});
