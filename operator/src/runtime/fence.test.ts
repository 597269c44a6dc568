import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { FencedError } from './errors.ts';
import { portFence } from './fence.ts';
import { KubeClient } from './kube-client.ts';

describe('portFence', () => {
  it('rejects every method but close while the guard throws, and passes through otherwise', async () => {
    let leading = true;
    const fence = portFence(() => {
      if (!leading) throw new FencedError();
    });
    const calls: string[] = [];
    class Port {
      #secret = 'x';
      async deleteTopic(name: string) {
        calls.push(`delete ${name} ${this.#secret}`);
      }
      async close() {
        calls.push('close');
      }
    }
    const port = new Port();
    const fenced = fence(port);
    expect(fence(port)).toBe(fenced);
    await fenced.deleteTopic('a');
    leading = false;
    await expect(fenced.deleteTopic('b')).rejects.toBeInstanceOf(FencedError);
    await fenced.close();
    expect(calls).toEqual(['delete a x', 'close']);
  });
});

describe('KubeClient write guard', () => {
  it('refuses writes before they are sent, but not reads or unfenced requests', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      req.resume();
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const client = new KubeClient(
      { server: `http://127.0.0.1:${port}`, credentials: async () => ({}), source: 'test' },
      {
        writeGuard: () => {
          throw new FencedError();
        },
      },
    );
    try {
      await expect(client.request('POST', '/api/v1/x', { body: {} })).rejects.toBeInstanceOf(
        FencedError,
      );
      await expect(client.request('DELETE', '/api/v1/x')).rejects.toBeInstanceOf(FencedError);
      await client.request('GET', '/api/v1/x');
      await client.request('PUT', '/lease', { body: {}, unfenced: true });
      client.setWriteGuard(undefined);
      await client.request('PATCH', '/api/v1/y', { body: {} });
      expect(seen).toEqual(['GET /api/v1/x', 'PUT /lease', 'PATCH /api/v1/y']);
    } finally {
      client.close();
      server.close();
    }
  });
});
