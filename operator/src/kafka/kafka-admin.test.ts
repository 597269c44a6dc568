// The group calls' coordinator handling, against a local server speaking FindCoordinator v4
// and DescribeGroups v5. A fake on purpose: real Kafka answers COORDINATOR_NOT_AVAILABLE or
// NOT_COORDINATOR only in short windows (a new __consumer_offsets, a moving coordinator) that a
// test cannot open at will. Real Kafka is in test/integration/kafka-admin.test.ts.
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaRequestError } from './errors.ts';
import { KafkaAdmin } from './kafka-admin.ts';
import { Reader, Writer } from './wire-codec.ts';

const COORDINATOR_NOT_AVAILABLE = 15;
const NOT_COORDINATOR = 16;

/** Answers each request kind with the next error code of its script (0 once it runs out). */
async function server(script: { find: number[]; describe: number[] }) {
  const s: Server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      // One request per chunk is enough here: the admin waits for each answer.
      const r = new Reader(chunk.subarray(4));
      const apiKey = r.int16();
      r.int16(); // version
      const correlationId = r.int32();
      const body = new Writer().int32(0); // throttle time
      if (apiKey === 10) {
        const code = script.find.shift() ?? 0;
        body
          .compactArray(['g'], (w, key) =>
            w
              .compactString(key)
              .int32(1)
              .compactString('127.0.0.1')
              .int32(port)
              .int16(code)
              .compactString(null)
              .tags(),
          )
          .tags();
      } else {
        const code = script.describe.shift() ?? 0;
        body
          .compactArray(['g'], (w, id) =>
            w
              .int16(code)
              .compactString(id)
              .compactString(code === 0 ? 'Stable' : '')
              .compactString('consumer')
              .compactString('range')
              .compactArray(['m-1'], (m, member) =>
                m
                  .compactString(member)
                  .compactString(null)
                  .compactString('c')
                  .compactString('/127.0.0.1')
                  .compactBytes(Buffer.alloc(0))
                  .compactBytes(
                    new Writer()
                      .int16(0)
                      .array(['t'], (t, topic) =>
                        t.string(topic).array([0, 1], (p, i) => p.int32(i)),
                      )
                      .int32(-1)
                      .bytes(),
                  )
                  .tags(),
              )
              .int32(0)
              .tags(),
          )
          .tags();
      }
      const payload = Buffer.concat([
        new Writer().int32(correlationId).tags().bytes(),
        body.bytes(),
      ]);
      socket.write(Buffer.concat([new Writer().int32(payload.length).bytes(), payload]));
    });
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  servers.push(s);
  return `127.0.0.1:${port}`;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe('KafkaAdmin group calls', () => {
  it('ask again while the coordinator is not ready, and remember it once found', async () => {
    const bootstrap = await server({
      find: [COORDINATOR_NOT_AVAILABLE],
      describe: [NOT_COORDINATOR],
    });
    const admin = new KafkaAdmin({ bootstrap });
    try {
      const group = await admin.describeGroup('g');
      expect(group).toEqual({
        groupId: 'g',
        state: 'Stable',
        protocolType: 'consumer',
        members: [
          {
            memberId: 'm-1',
            clientId: 'c',
            clientHost: '/127.0.0.1',
            assignment: [
              { topic: 't', partition: 0 },
              { topic: 't', partition: 1 },
            ],
          },
        ],
      });
      // Lookup refused, lookup, describe refused (coordinator forgotten), lookup, describe.
      expect(admin.requests.get('FindCoordinator')).toBe(3);
      expect(admin.requests.get('DescribeGroups')).toBe(2);
      await admin.describeGroup('g');
      expect(admin.requests.get('FindCoordinator')).toBe(3);
    } finally {
      await admin.close();
    }
  });

  it('give up after three tries with Kafka’s retriable error', async () => {
    const bootstrap = await server({
      find: [COORDINATOR_NOT_AVAILABLE, COORDINATOR_NOT_AVAILABLE, COORDINATOR_NOT_AVAILABLE],
      describe: [],
    });
    const admin = new KafkaAdmin({ bootstrap });
    try {
      const error = await admin.describeGroup('g').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KafkaRequestError);
      expect(error).toMatchObject({ code: 'COORDINATOR_NOT_AVAILABLE', retriable: true });
      expect(admin.requests.get('FindCoordinator')).toBe(3);
      expect(admin.requests.get('DescribeGroups')).toBeUndefined();
    } finally {
      await admin.close();
    }
  });
});
