import { describe, expect, it, vi } from 'vitest';
import { bootstrapKey, KafkaConnections } from './connections.ts';
import type { KafkaAdminPort } from './port.ts';

function fake(): KafkaAdminPort {
  return { close: vi.fn(async () => undefined) } as unknown as KafkaAdminPort;
}

describe('KafkaConnections', () => {
  it('shares one admin per cluster whatever the order and spacing of the bootstrap list', () => {
    const factory = vi.fn(fake);
    const c = new KafkaConnections({ clientId: 'x' }, factory);
    expect(c.get('b:2,a:1')).toBe(c.get(' a:1 , b:2'));
    expect(c.get('c:3')).not.toBe(c.get('a:1,b:2'));
    expect(factory).toHaveBeenCalledTimes(2);
    expect(factory).toHaveBeenCalledWith({ clientId: 'x', bootstrap: 'a:1,b:2' });
  });

  it('closes and forgets on release, and starts afresh after', async () => {
    const c = new KafkaConnections({}, fake);
    const first = c.get('a:1');
    await c.release('a:1');
    expect(first.close).toHaveBeenCalled();
    expect(c.get('a:1')).not.toBe(first);
  });

  it('closes everything', async () => {
    const c = new KafkaConnections({}, fake);
    const admins = [c.get('a:1'), c.get('b:1')];
    await c.closeAll();
    for (const a of admins) expect(a.close).toHaveBeenCalled();
    expect(c.size).toBe(0);
  });

  it('normalises keys', () => {
    expect(bootstrapKey('b:1,,a:1,b:1')).toBe('a:1,b:1');
  });
});
