// describeLogDirs against local servers speaking Metadata v12 and DescribeLogDirs v4. A fake on
// purpose: a broker that is in the metadata yet does not answer exists only in the seconds
// before Kafka fences it, which a test cannot open at will; a refusal needs an authorizer
// denying the operator. Real Kafka answering is in test/integration/cluster-log-dirs.test.ts.
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaClusterAdmin } from './cluster-admin.ts';
import { Reader, Writer } from './wire-codec.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function listen(s: Server): Promise<number> {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return (s.address() as { port: number }).port;
}

/** A port nothing listens on (bound, then closed): connecting is refused. */
async function closedPort(): Promise<number> {
  const s = createServer();
  const port = await listen(s);
  await new Promise((r) => s.close(r));
  return port;
}

/** Answers Metadata with `brokers()` and DescribeLogDirs with `logDirs`. */
async function broker(logDirs: Buffer, brokers: () => [number, number][] = () => []) {
  const s: Server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      // One request per chunk is enough here: each socket carries one request at a time.
      const r = new Reader(chunk.subarray(4));
      const apiKey = r.int16();
      r.int16(); // version
      const correlationId = r.int32();
      const body =
        apiKey === 3
          ? new Writer()
              .int32(0)
              .compactArray(brokers(), (w, [id, port]) =>
                w.int32(id).compactString('127.0.0.1').int32(port).compactString(null).tags(),
              )
              .compactString('cluster')
              .int32(1)
              .compactArray([], () => undefined)
              .tags()
              .bytes()
          : logDirs;
      const payload = Buffer.concat([new Writer().int32(correlationId).tags().bytes(), body]);
      socket.write(Buffer.concat([new Writer().int32(payload.length).bytes(), payload]));
    });
  });
  servers.push(s);
  return listen(s);
}

const answer = (errorCode: number, dirs: [string, bigint, bigint][]) =>
  new Writer()
    .int32(0)
    .int16(errorCode)
    .compactArray(dirs, (w, [path, total, usable]) =>
      w
        .int16(total < 0n ? 56 : 0)
        .compactString(path)
        .compactArray([], () => undefined)
        .int64(total)
        .int64(usable)
        .tags(),
    )
    .tags()
    .bytes();

describe('KafkaClusterAdmin.describeLogDirs', () => {
  it('asks each broker of the metadata, and reports one that does not answer or refuses', async () => {
    const GiB = 2n ** 30n;
    const refused = await closedPort();
    const denied = await broker(answer(31, []));
    const ports: [number, number][] = [];
    const first = await broker(
      answer(0, [
        ['/data', 10n * GiB, 3n * GiB],
        ['/offline', -1n, -1n],
      ]),
      () => ports,
    );
    ports.push([1, first], [2, refused], [3, denied]);
    const admin = new KafkaClusterAdmin({ bootstrap: `127.0.0.1:${first}` });
    try {
      const dirs = await admin.describeLogDirs();
      expect(dirs[1]).toEqual({
        logDirs: [
          { path: '/data', totalBytes: 10 * 2 ** 30, usableBytes: 3 * 2 ** 30 },
          { path: '/offline', totalBytes: -1, usableBytes: -1, error: 'KAFKA_STORAGE_ERROR' },
        ],
      });
      expect(dirs[2]).toEqual({ error: expect.stringMatching(/ECONNREFUSED|refused/) as string });
      expect(dirs[3]).toEqual({ error: 'CLUSTER_AUTHORIZATION_FAILED' });
      expect(Object.keys(dirs)).toEqual(['1', '2', '3']);
      // One Metadata (brokers only) and one DescribeLogDirs per broker.
      expect(admin.requests.get('Metadata')).toBe(1);
      expect(admin.requests.get('DescribeLogDirs')).toBe(3);
    } finally {
      await admin.close();
    }
  });

  it('rejects only when the metadata itself cannot be read', async () => {
    const admin = new KafkaClusterAdmin({
      bootstrap: `127.0.0.1:${await closedPort()}`,
      connectTimeoutMs: 1_000,
    });
    try {
      await expect(admin.describeLogDirs()).rejects.toThrow(/unavailable/);
    } finally {
      await admin.close();
    }
  });
});
