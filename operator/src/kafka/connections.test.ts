import { describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../runtime/clock.ts';
import { bootstrapKey, KafkaConnections } from './connections.ts';
import type { KafkaClientOptions } from './client.ts';
import type { KafkaClusterPort } from './cluster-port.ts';
import type { KafkaAdminPort } from './port.ts';
import type { KafkaUserPort } from './user-port.ts';

/** Stand-in ports of one cluster that record close() and let a test hold describeTopic open. */
function fake(options: KafkaClientOptions) {
  let finish: (() => void) | undefined;
  const admin = {
    bootstrap: options.bootstrap,
    closed: false,
    close: vi.fn(async () => {
      admin.closed = true;
    }),
    security: options.security,
    describeTopic: vi.fn(async (name: string) => {
      if (name === 'slow') await new Promise<void>((r) => (finish = r));
      return null;
    }),
    describeQuorum: vi.fn(async () => ({ leaderId: 1, voters: [], observers: [] })),
    describeUserQuotas: vi.fn(async () => new Map()),
    finish: () => finish?.(),
  };
  return admin;
}
type Fake = ReturnType<typeof fake>;

function setup(idleMs = 600_000) {
  const made: Fake[] = [];
  const clock = new FakeClock(0);
  const c = new KafkaConnections(
    { clientId: 'x' },
    (o) => {
      const a = fake(o);
      made.push(a);
      return {
        admin: a as unknown as KafkaAdminPort,
        cluster: a as unknown as KafkaClusterPort,
        user: a as unknown as KafkaUserPort,
        close: a.close,
      };
    },
    { idleMs, clock },
  );
  return { c, made, clock };
}

describe('KafkaConnections', () => {
  it('shares one admin per cluster whatever the order and spacing of the bootstrap list', async () => {
    const { c, made } = setup();
    expect(c.get('b:2,a:1')).toBe(c.get(' a:1 , b:2'));
    expect(c.get('c:3')).not.toBe(c.get('a:1,b:2'));
    expect(made.map((a) => a.bootstrap)).toEqual(['a:1,b:2', 'c:3']);
    await c.get('b:2,a:1').describeTopic('t');
    expect(made[0]!.describeTopic).toHaveBeenCalledWith('t');
    await c.closeAll();
  });

  it('closes and forgets on release, and starts afresh after', async () => {
    const { c, made } = setup();
    await c.get('a:1').describeTopic('t');
    await c.release('a:1');
    expect(made[0]!.closed).toBe(true);
    await c.get('a:1').describeTopic('t');
    expect(made).toHaveLength(2);
    expect(made[1]!.describeTopic).toHaveBeenCalled();
    await c.closeAll();
  });

  it('closes everything', async () => {
    const { c, made, clock } = setup();
    c.get('a:1');
    c.get('b:1');
    await c.closeAll();
    expect(made.every((a) => a.closed)).toBe(true);
    expect(c.size).toBe(0);
    expect(clock.pending()).toBe(0);
  });

  it('closes an admin unused for idleMs, and a later call opens a fresh one', async () => {
    const { c, made, clock } = setup(600_000);
    const handle = c.get('gone:1');
    await handle.describeTopic('t');
    c.get('kept:1');
    clock.advance(300_000);
    await c.get('kept:1').describeTopic('t');
    expect(c.size).toBe(2);
    // The sweep runs on the clock: gone:1 was last used 600 s ago, kept:1 300 s ago.
    clock.advance(300_000);
    const byName = (n: string) => made.filter((a) => a.bootstrap === n);
    expect(byName('gone:1')[0]!.closed).toBe(true);
    expect(byName('kept:1')[0]!.closed).toBe(false);
    expect(c.size).toBe(1);
    expect(await c.evictIdle()).toBe(0);
    // A handle kept across the eviction goes to a new admin, never to the closed one.
    await handle.describeTopic('again');
    expect(byName('gone:1')).toHaveLength(2);
    expect(byName('gone:1')[0]!.describeTopic).not.toHaveBeenCalledWith('again');
    expect(byName('gone:1')[1]!.describeTopic).toHaveBeenCalledWith('again');
    await c.closeAll();
  });

  it('sweeps only while admins are open', async () => {
    const { c, made, clock } = setup(600_000);
    expect(clock.pending()).toBe(0);
    await c.get('a:1').describeTopic('t');
    expect(clock.pending()).toBe(1);
    clock.advance(600_000);
    expect(made[0]!.closed).toBe(true);
    expect(c.size).toBe(0);
    expect(clock.pending()).toBe(0);
  });

  it('never evicts an admin with a call in flight, and counts idleness from its end', async () => {
    const { c, made, clock } = setup(1_000);
    const slow = c.get('a:1').describeTopic('slow');
    clock.advance(5_000);
    expect(await c.evictIdle()).toBe(0);
    expect(made[0]!.closed).toBe(false);
    made[0]!.finish();
    await slow;
    clock.advance(999);
    expect(made[0]!.closed).toBe(false);
    clock.advance(1);
    expect(made[0]!.closed).toBe(true);
  });

  it('gives the cluster port the same connections, keyed the same way, kept alive by its calls', async () => {
    const { c, made, clock } = setup(600_000);
    await c.get('b:2,a:1').describeTopic('t');
    await c.cluster(' a:1 , b:2,a:1').describeQuorum();
    expect(made).toHaveLength(1);
    expect(made[0]!.describeQuorum).toHaveBeenCalled();
    expect(c.cluster('a:1,b:2')).toBe(c.cluster('b:2,a:1'));
    // Only the cluster port is in use: its calls keep the connections open.
    clock.advance(400_000);
    await c.cluster('a:1,b:2').describeQuorum();
    clock.advance(400_000);
    expect(made[0]!.closed).toBe(false);
    clock.advance(600_000);
    expect(made[0]!.closed).toBe(true);
    // Released for one port, released for both.
    await c.cluster('a:1,b:2').describeQuorum();
    await c.release('b:2,a:1');
    expect(made[1]!.closed).toBe(true);
    expect(c.size).toBe(0);
  });

  it('gives the user port the same connections, keyed by credentials the same way', async () => {
    const { c, made, clock } = setup(600_000);
    const tls = { tls: { ca: 'CA' } };
    await c.get('a:1', tls).describeTopic('t');
    await c.user(' a:1 ', tls).describeUserQuotas(['alice']);
    expect(made).toHaveLength(1);
    expect(made[0]!.describeUserQuotas).toHaveBeenCalledWith(['alice']);
    expect(c.user('a:1', tls)).toBe(c.user('a:1,a:1', tls));
    // Its calls keep the connections open, as the other ports' do.
    clock.advance(400_000);
    await c.user('a:1', tls).describeUserQuotas();
    clock.advance(400_000);
    expect(made[0]!.closed).toBe(false);
    // Other credentials: a new set, and the old one retired.
    await c.user('a:1', { tls: { ca: 'CA2' } }).describeUserQuotas();
    expect(made).toHaveLength(2);
    expect(made[0]!.closed).toBe(true);
    await c.closeAll();
  });

  it('normalises keys', () => {
    expect(bootstrapKey('b:1,,a:1,b:1')).toBe('a:1,b:1');
  });
});

describe('KafkaConnections keyed by credentials', () => {
  const tlsOf = (cert: string) => ({ tls: { ca: 'CA', cert, key: `key of ${cert}` } });

  it('shares one set per bootstrap and credentials, and passes the credentials to the client', async () => {
    const { c, made } = setup();
    const a = tlsOf('cert-1');
    expect(c.get('b:2,a:1', a)).toBe(c.get('a:1,b:2', { tls: { ...a.tls } }));
    expect(c.cluster('a:1,b:2', a)).toBe(c.cluster('b:2,a:1', a));
    expect(made).toHaveLength(1);
    expect(made[0]!.security).toEqual(a);
    expect(made[0]!.bootstrap).toBe('a:1,b:2');
    expect(c.keys()).toEqual([expect.stringMatching(/^a:1,b:2#[0-9a-f]{16}$/)]);
    await c.closeAll();
  });

  it('keys PLAINTEXT by the bootstrap alone, as before', async () => {
    const { c, made } = setup();
    expect(c.get('a:1')).toBe(c.get('a:1', undefined));
    expect(c.get('a:1', {})).toBe(c.get('a:1'));
    expect(c.keys()).toEqual(['a:1']);
    expect(made[0]!.security).toBeUndefined();
    await c.closeAll();
  });

  it('a renewed certificate opens new connections and closes the old ones', async () => {
    const { c, made } = setup();
    await c.get('a:1', tlsOf('cert-1')).describeTopic('t');
    const renewed = c.get('a:1', tlsOf('cert-2'));
    expect(made).toHaveLength(2);
    expect(made[0]!.closed).toBe(true);
    await renewed.describeTopic('t');
    expect(made[1]!.describeTopic).toHaveBeenCalledWith('t');
    expect(made[1]!.security).toEqual(tlsOf('cert-2'));
    expect(c.size).toBe(1);
    await c.closeAll();
  });

  it('a set retired with a call in flight closes once that call is answered', async () => {
    const { c, made } = setup();
    const slow = c.get('a:1', tlsOf('cert-1')).describeTopic('slow');
    c.get('a:1', tlsOf('cert-2'));
    expect(made[0]!.closed).toBe(false);
    made[0]!.finish();
    await slow;
    expect(made[0]!.closed).toBe(true);
    expect(made[1]!.closed).toBe(false);
    await c.closeAll();
  });

  it('securing a plaintext cluster retires its plaintext connections; other clusters stay', async () => {
    const { c, made } = setup();
    c.get('a:1');
    c.get('b:1', tlsOf('cert-1'));
    c.get('a:1', tlsOf('cert-1'));
    expect(made.map((m) => m.closed)).toEqual([true, false, false]);
    await c.closeAll();
  });

  it('release closes every set of the cluster, whatever its credentials', async () => {
    const { c, made } = setup();
    const old = c.get('a:1', tlsOf('cert-1'));
    c.get('a:1', tlsOf('cert-2'));
    await old.describeTopic('t'); // a handle kept across the renewal reopens its own set
    expect(c.size).toBe(2);
    await c.release('a:1');
    expect(made.every((m) => m.closed)).toBe(true);
    expect(c.size).toBe(0);
  });
});
