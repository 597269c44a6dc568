// The one Secret reader against a store held in memory (the unit tier has no API server;
// test/integration/external-auth.test.ts reads real Secrets through it).
import { describe, expect, it } from 'vitest';
import { FakeClock } from './runtime/clock.ts';
import { KubeApiError } from './runtime/kube-client.ts';
import type { KubeObject } from './runtime/resource.ts';
import { SecretReader } from './secret-reader.ts';

function setup() {
  const store = new Map<string, KubeObject & { data?: Record<string, string> }>();
  const gets: string[] = [];
  let fail: Error | undefined;
  const clock = new FakeClock(0);
  const client = {
    get: async <T extends KubeObject>(_r: unknown, ns: string | undefined, name: string) => {
      gets.push(`${ns}/${name}`);
      await Promise.resolve();
      if (fail) throw fail;
      return store.get(`${ns}/${name}`) as T | undefined;
    },
  };
  const reader = new SecretReader({ client, clock, ttlMs: 10_000 });
  const put = (name: string, data: Record<string, string>) =>
    store.set(`ns/${name}`, {
      metadata: { name, namespace: 'ns' },
      data: Object.fromEntries(
        Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
    });
  return { gets, clock, reader, put, failWith: (e: Error | undefined) => (fail = e) };
}

describe('SecretReader', () => {
  it('decodes the data; concurrent reads share one GET, kept for the TTL', async () => {
    const { reader, gets, clock, put } = setup();
    put('a', { password: 'one', 'ca.crt': 'PEM' });
    const all = await Promise.all([1, 2, 3].map(() => reader.read('ns', 'a')));
    expect(gets).toEqual(['ns/a']);
    for (const data of all) expect(data).toEqual({ password: 'one', 'ca.crt': 'PEM' });
    put('a', { password: 'two' });
    clock.advance(9_999);
    expect(await reader.read('ns', 'a')).toEqual({ password: 'one', 'ca.crt': 'PEM' });
    expect(gets).toHaveLength(1);
    clock.advance(1);
    expect(await reader.read('ns', 'a')).toEqual({ password: 'two' });
    expect(gets).toHaveLength(2);
    // Another namespace, another Secret.
    await reader.read('other', 'a');
    expect(gets).toEqual(['ns/a', 'ns/a', 'other/a']);
  });

  it('a missing Secret is undefined and not remembered (created later: seen at once)', async () => {
    const { reader, gets, put } = setup();
    expect(await Promise.all([reader.read('ns', 'a'), reader.read('ns', 'a')])).toEqual([
      undefined,
      undefined,
    ]);
    expect(gets).toEqual(['ns/a']);
    put('a', { k: 'v' });
    expect(await reader.read('ns', 'a')).toEqual({ k: 'v' });
    expect(gets).toEqual(['ns/a', 'ns/a']);
  });

  it('any other error is thrown, not taken for a missing Secret, and not remembered', async () => {
    const { reader, gets, put, failWith } = setup();
    put('a', { k: 'v' });
    for (const status of [403, 500]) {
      failWith(new KubeApiError('GET', '/api/v1/namespaces/ns/secrets/a', status, undefined));
      await expect(reader.read('ns', 'a')).rejects.toMatchObject({ statusCode: status });
    }
    failWith(undefined);
    expect(await reader.read('ns', 'a')).toEqual({ k: 'v' });
    expect(gets).toHaveLength(3);
  });
});
