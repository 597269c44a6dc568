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

/**
 * FindCoordinator v4 and DescribeGroups v5 for any groups asked about, one coordinator (itself);
 * each group's DescribeGroups error codes come from its own script (0 once it runs out). Records
 * the groups of each request.
 */
async function groupServer(script: Record<string, number[]>) {
  const asked: { api: number; groups: string[] }[] = [];
  const s: Server = createServer((socket) => {
    socket.on('error', () => undefined);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const request = pending.subarray(4, 4 + pending.readInt32BE(0));
        pending = pending.subarray(4 + request.length);
        const r = new Reader(request);
        const apiKey = r.int16();
        r.int16(); // version
        const correlationId = r.int32();
        r.string(); // client id
        r.tags();
        if (apiKey === 10) r.int8(); // key type
        const groups = r.compactArray((c) => c.compactString() ?? '');
        asked.push({ api: apiKey, groups });
        const body = new Writer().int32(0); // throttle time
        if (apiKey === 10) {
          body.compactArray(groups, (w, key) =>
            w
              .compactString(key)
              .int32(1)
              .compactString('127.0.0.1')
              .int32(port)
              .int16(0)
              .compactString(null)
              .tags(),
          );
        } else {
          body.compactArray(groups, (w, id) => {
            const code = script[id]?.shift() ?? 0;
            w.int16(code)
              .compactString(id)
              .compactString(code === 0 ? 'Empty' : '')
              .compactString('consumer')
              .compactString('')
              .compactArray([], () => undefined)
              .int32(0)
              .tags();
          });
        }
        body.tags();
        const payload = Buffer.concat([
          new Writer().int32(correlationId).tags().bytes(),
          body.bytes(),
        ]);
        socket.write(Buffer.concat([new Writer().int32(payload.length).bytes(), payload]));
      }
    });
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  servers.push(s);
  return { bootstrap: `127.0.0.1:${port}`, asked };
}

describe('KafkaAdmin group calls of many groups at once', () => {
  it('share one FindCoordinator and one DescribeGroups; a group the coordinator refuses is asked again alone', async () => {
    const { bootstrap, asked } = await groupServer({ b: [NOT_COORDINATOR] });
    const admin = new KafkaAdmin({ bootstrap });
    try {
      const groups = await Promise.all(['a', 'b', 'c'].map((g) => admin.describeGroup(g)));
      expect(groups.map((g) => g?.state)).toEqual(['Empty', 'Empty', 'Empty']);
      expect(asked).toEqual([
        { api: 10, groups: ['a', 'b', 'c'] },
        { api: 15, groups: ['a', 'b', 'c'] },
        { api: 10, groups: ['b'] },
        { api: 15, groups: ['b'] },
      ]);
    } finally {
      await admin.close();
    }
  });

  it("one group's COORDINATOR_NOT_AVAILABLE fails that group only", async () => {
    const na = COORDINATOR_NOT_AVAILABLE;
    const { bootstrap } = await groupServer({ b: [na, na, na] });
    const admin = new KafkaAdmin({ bootstrap });
    try {
      const settled = await Promise.allSettled(['a', 'b', 'c'].map((g) => admin.describeGroup(g)));
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(settled[1]).toMatchObject({
        reason: { code: 'COORDINATOR_NOT_AVAILABLE', retriable: true },
      });
    } finally {
      await admin.close();
    }
  });
});
