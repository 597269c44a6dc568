// The wire connection against a tiny in-process TCP server that speaks Kafka framing: responses
// split across chunks, answered out of order, a dropped socket, a dead first address.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaUnavailableError } from './errors.ts';
import { Reader, Writer } from './wire-codec.ts';
import { WireConnection } from './wire-connection.ts';

interface Received {
  apiKey: number;
  version: number;
  correlationId: number;
  clientId: string | null;
  body: Buffer;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A server that hands each parsed request (flexible header) to `onRequest`. */
async function server(onRequest: (req: Received, socket: Socket) => void): Promise<number> {
  const s = createServer((socket) => {
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        const frame = buf.subarray(4, 4 + buf.readInt32BE(0));
        buf = buf.subarray(4 + frame.length);
        const r = new Reader(Buffer.from(frame));
        const req = {
          apiKey: r.int16(),
          version: r.int16(),
          correlationId: r.int32(),
          clientId: r.string(),
          body: Buffer.alloc(0),
        };
        r.tags();
        req.body = frame.subarray(frame.length - r.remaining);
        onRequest(req, socket);
      }
    });
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const address = s.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A flexible response frame: size, correlation id, empty tags, body. */
function response(correlationId: number, body: Buffer): Buffer {
  const payload = Buffer.concat([new Writer().int32(correlationId).tags().bytes(), body]);
  return Buffer.concat([new Writer().int32(payload.length).bytes(), payload]);
}

const opts = { clientId: 'test', connectTimeoutMs: 1_000, requestTimeoutMs: 2_000 };

describe('WireConnection', () => {
  it('frames requests with a flexible header and matches pipelined responses by correlation id', async () => {
    const seen: Received[] = [];
    const pending: [Received, Socket][] = [];
    const port = await server((req, socket) => {
      seen.push(req);
      pending.push([req, socket]);
      if (pending.length === 2) {
        // Answer in reverse order, the second response split across two writes.
        const [a, sock] = pending[0]!;
        const [b] = pending[1]!;
        const second = response(b.correlationId, Buffer.from('bee'));
        sock.write(second.subarray(0, 5));
        setTimeout(() => {
          sock.write(
            Buffer.concat([second.subarray(5), response(a.correlationId, Buffer.from('ay'))]),
          );
        }, 10);
      }
    });
    const c = new WireConnection(`127.0.0.1:${port}`, opts);
    const [a, b] = await Promise.all([
      c.request(3, 12, Buffer.from('x'), true),
      c.request(3, 12, Buffer.from('y'), true),
    ]);
    expect([a.toString(), b.toString()]).toEqual(['ay', 'bee']);
    expect(seen.map((r) => [r.apiKey, r.version, r.clientId, r.body.toString()])).toEqual([
      [3, 12, 'test', 'x'],
      [3, 12, 'test', 'y'],
    ]);
    c.close();
  });

  it('fails in-flight requests as unavailable when the socket drops, then reconnects', async () => {
    let calls = 0;
    const port = await server((req, socket) => {
      calls++;
      if (calls === 1) socket.destroy();
      else socket.write(response(req.correlationId, Buffer.from('ok')));
    });
    const c = new WireConnection(`127.0.0.1:${port}`, opts);
    await expect(c.request(3, 12, Buffer.alloc(0), true)).rejects.toBeInstanceOf(
      KafkaUnavailableError,
    );
    await expect(c.request(3, 12, Buffer.alloc(0), true).then((b) => b.toString())).resolves.toBe(
      'ok',
    );
    c.close();
  });

  it('tries the next bootstrap address when one refuses', async () => {
    const dead = await server(() => undefined);
    await new Promise((r) => servers.pop()!.close(r)); // port now refuses
    const port = await server((req, socket) =>
      socket.write(response(req.correlationId, Buffer.from('alive'))),
    );
    const c = new WireConnection(`127.0.0.1:${dead},127.0.0.1:${port}`, opts);
    await expect(c.request(3, 12, Buffer.alloc(0), true).then((b) => b.toString())).resolves.toBe(
      'alive',
    );
    c.close();
  });

  it('reports every address when none answers', async () => {
    const dead = await server(() => undefined);
    await new Promise((r) => servers.pop()!.close(r));
    const c = new WireConnection(`127.0.0.1:${dead}`, opts);
    const error = await c.request(3, 12, Buffer.alloc(0), true).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaUnavailableError);
    expect((error as Error).message).toContain(`127.0.0.1:${dead}`);
  });

  it('times a silent broker out as unavailable', async () => {
    const port = await server(() => undefined);
    const c = new WireConnection(`127.0.0.1:${port}`, { ...opts, requestTimeoutMs: 100 });
    await expect(c.request(3, 12, Buffer.alloc(0), true)).rejects.toThrow(/timed out/);
    c.close();
  });
});
