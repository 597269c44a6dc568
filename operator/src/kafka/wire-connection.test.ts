// The wire connection against a tiny in-process TCP server that speaks Kafka framing: responses
// split across chunks, answered out of order, a dropped socket, a dead first address; and its
// SASL exchange (order, refusals, session renewal), which the real brokers of
// test/integration/kafka-secure.test.ts cannot be made to misbehave in.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaRequestError, KafkaUnavailableError } from './errors.ts';
import { Reader, Writer } from './wire-codec.ts';
import { WireConnection, frameProblem } from './wire-connection.ts';

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
        if (req.apiKey !== 17) r.tags(); // SaslHandshake keeps request header v1
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

/** A response frame: size, correlation id, empty tags when flexible, body. */
function response(correlationId: number, body: Buffer, flexible = true): Buffer {
  const header = new Writer().int32(correlationId);
  const payload = Buffer.concat([(flexible ? header.tags() : header).bytes(), body]);
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

// ------------------------------------------------------------------------------------- SASL

/** SaslHandshake v1 answer (response header v0). */
function handshakeAnswer(req: Received, errorCode = 0, mechanisms = ['PLAIN']): Buffer {
  const body = new Writer()
    .int16(errorCode)
    .array(mechanisms, (w, m) => w.string(m))
    .bytes();
  return response(req.correlationId, body, false);
}

/** SaslAuthenticate v2 answer. */
function authenticateAnswer(
  req: Received,
  { errorCode = 0, message = null as string | null, bytes = Buffer.alloc(0), lifetimeMs = 0n } = {},
): Buffer {
  const body = Buffer.concat([
    new Writer()
      .int16(errorCode)
      .compactString(message)
      .uvarint(bytes.length + 1)
      .bytes(),
    bytes,
    new Writer().int64(lifetimeMs).tags().bytes(),
  ]);
  return response(req.correlationId, body);
}

const plain = {
  ...opts,
  security: { sasl: { mechanism: 'PLAIN' as const, username: 'alice', password: 'secret' } },
};

describe('frameProblem', () => {
  it('says when an oversized prefix is the start of a TLS record (a plaintext client on a TLS port)', () => {
    const alert = Buffer.from([0x15, 0x03, 0x03, 0x00]).readInt32BE(0);
    expect(frameProblem(alert, 1024)).toBe(
      'frame of 352518912 bytes exceeds the 1024-byte limit (the start of a TLS record: is this a TLS listener?)',
    );
    expect(frameProblem(0x7fffffff, 1024)).toBe(
      'frame of 2147483647 bytes exceeds the 1024-byte limit',
    );
  });
});

describe('WireConnection with SASL', () => {
  it('authenticates once per socket, before the calls queued while connecting', async () => {
    const seen: [number, string][] = [];
    let connections = 0;
    const port = await server((req, socket) => {
      seen.push([req.apiKey, req.body.toString('latin1')]);
      if (req.apiKey === 17) {
        connections++;
        socket.write(handshakeAnswer(req));
      } else if (req.apiKey === 36) socket.write(authenticateAnswer(req));
      else socket.write(response(req.correlationId, Buffer.from('ok')));
    });
    const c = new WireConnection(`127.0.0.1:${port}`, plain);
    const first = await Promise.all([
      c.request(3, 12, Buffer.from('a'), true),
      c.request(3, 12, Buffer.from('b'), true),
    ]);
    await c.request(3, 12, Buffer.from('c'), true);
    expect(first.map(String)).toEqual(['ok', 'ok']);
    expect(connections).toBe(1);
    expect(seen.map(([api]) => api)).toEqual([17, 36, 3, 3, 3]);
    // SaslHandshake names the mechanism; PLAIN's bytes are authzid NUL user NUL password.
    expect(seen[0]![1]).toBe('\x00\x05PLAIN');
    expect(seen[1]![1]).toBe('\x0e\x00alice\x00secret\x00');
    c.close();
  });

  it("fails every queued call with Kafka's own words when the credentials are refused", async () => {
    const apis: number[] = [];
    const port = await server((req, socket) => {
      apis.push(req.apiKey);
      if (req.apiKey === 17) socket.write(handshakeAnswer(req));
      else
        socket.write(
          authenticateAnswer(req, {
            errorCode: 58,
            message: 'Authentication failed: Invalid username or password',
          }),
        );
    });
    const c = new WireConnection(`127.0.0.1:${port}`, plain);
    const errors = await Promise.all(
      [1, 2].map(() => c.request(3, 12, Buffer.alloc(0), true).catch((e: unknown) => e)),
    );
    for (const e of errors) {
      expect(e).toBeInstanceOf(KafkaRequestError);
      expect(e).toMatchObject({
        code: 'SASL_AUTHENTICATION_FAILED',
        retriable: false,
        message: `SASL PLAIN authentication at 127.0.0.1:${port} failed: Authentication failed: Invalid username or password`,
      });
    }
    expect(apis).toEqual([17, 36]);
    // The next call dials and authenticates again (the password may have been fixed).
    await expect(c.request(3, 12, Buffer.alloc(0), true)).rejects.toBeInstanceOf(KafkaRequestError);
    expect(apis).toEqual([17, 36, 17, 36]);
  });

  it('names the enabled mechanisms when Kafka does not offer the one asked for', async () => {
    const port = await server((req, socket) =>
      socket.write(handshakeAnswer(req, 33, ['SCRAM-SHA-512', 'PLAIN'])),
    );
    const c = new WireConnection(`127.0.0.1:${port}`, {
      ...opts,
      security: { sasl: { mechanism: 'SCRAM-SHA-256', username: 'a', password: 'b' } },
    });
    await expect(c.request(3, 12, Buffer.alloc(0), true)).rejects.toMatchObject({
      code: 'UNSUPPORTED_SASL_MECHANISM',
      message: `SASL mechanism SCRAM-SHA-256 is not enabled at 127.0.0.1:${port} (enabled: SCRAM-SHA-512, PLAIN)`,
    });
  });

  it('reports a server that speaks SCRAM wrongly as unavailable, and drops its socket', async () => {
    const sockets = new Set<Socket>();
    const port = await server((req, socket) => {
      sockets.add(socket);
      if (req.apiKey === 17) socket.write(handshakeAnswer(req, 0, ['SCRAM-SHA-512']));
      else socket.write(authenticateAnswer(req, { bytes: Buffer.from('r=other,s=AAAA,i=4096') }));
    });
    const c = new WireConnection(`127.0.0.1:${port}`, {
      ...opts,
      security: { sasl: { mechanism: 'SCRAM-SHA-512', username: 'a', password: 'b' } },
    });
    const error = await c.request(3, 12, Buffer.alloc(0), true).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaUnavailableError);
    expect((error as Error).message).toBe(
      `Kafka at 127.0.0.1:${port} is unavailable: 127.0.0.1:${port}: SASL SCRAM-SHA-512 with 127.0.0.1:${port} failed: server nonce does not extend the client nonce`,
    );
    expect(sockets.size).toBe(1);
    await expect.poll(() => [...sockets].every((s) => s.destroyed)).toBe(true);
  });

  it('moves to a new, re-authenticated socket when the SASL session ends (KIP-368)', async () => {
    let handshakes = 0;
    const port = await server((req, socket) => {
      if (req.apiKey === 17) {
        handshakes++;
        socket.write(handshakeAnswer(req));
      } else if (req.apiKey === 36) socket.write(authenticateAnswer(req, { lifetimeMs: 1n }));
      else socket.write(response(req.correlationId, Buffer.from('ok')));
    });
    const c = new WireConnection(`127.0.0.1:${port}`, plain);
    await c.request(3, 12, Buffer.alloc(0), true);
    await new Promise((r) => setTimeout(r, 5)); // past the 1 ms session
    await expect(c.request(3, 12, Buffer.alloc(0), true).then(String)).resolves.toBe('ok');
    expect(handshakes).toBe(2);
    c.close();
  });
});
