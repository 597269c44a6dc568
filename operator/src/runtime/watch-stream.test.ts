import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from './kube-client.ts';
import { LineSplitter, parseWatchEvent } from './watch-stream.ts';

describe('LineSplitter', () => {
  const split = (chunks: (string | Buffer)[], end = true) => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    for (const c of chunks) s.push(typeof c === 'string' ? Buffer.from(c) : c);
    if (end) s.end();
    return lines;
  };

  it('emits complete lines, joining a line cut across chunks', () => {
    expect(split(['{"a":1}\n{"b"', ':2}\n{"c":', '3', '}\n'])).toEqual([
      '{"a":1}',
      '{"b":2}',
      '{"c":3}',
    ]);
  });

  it('keeps a partial line until its newline, or until the stream ends', () => {
    expect(split(['one\ntw'], false)).toEqual(['one']);
    expect(split(['one\ntwo'])).toEqual(['one', 'two']);
  });

  it('skips blank lines and CRLF leftovers', () => {
    expect(split(['\n\na\n \r\n\nb\n'])).toEqual(['a', 'b']);
  });

  it('decodes a UTF-8 character split between chunks', () => {
    const bytes = Buffer.from('{"n":"Zürich ✓"}\n');
    const cut = bytes.indexOf(0xc3) + 1; // inside the two bytes of ü
    const cut2 = bytes.indexOf(0xe2) + 2; // inside the three bytes of ✓
    expect(
      split([bytes.subarray(0, cut), bytes.subarray(cut, cut2), bytes.subarray(cut2)]),
    ).toEqual(['{"n":"Zürich ✓"}']);
  });

  it('handles a large event arriving in many small chunks', () => {
    const big = JSON.stringify({ type: 'ADDED', object: { data: 'x'.repeat(1_000_000) } });
    const chunks: string[] = [];
    for (let i = 0; i < big.length; i += 1000) chunks.push(big.slice(i, i + 1000));
    chunks.push('\n');
    const lines = split(chunks);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.length).toBe(big.length);
  });
});

describe('parseWatchEvent', () => {
  it('returns type and object, and rejects what is not an event', () => {
    expect(parseWatchEvent('{"type":"ADDED","object":{"x":1}}')).toEqual({
      type: 'ADDED',
      object: { x: 1 },
    });
    expect(() => parseWatchEvent('{"kind":"Status"}')).toThrow(/not a watch event/);
    expect(() => parseWatchEvent('{"type":')).toThrow();
  });
});

// ---- the streaming watch, against a real HTTP server --------------------------------------

type Handler = (res: ServerResponse, url: URL, headers: Record<string, unknown>) => void;
let server: Server;
let handler: Handler;
let client: KubeClient;
const open = new Set<ServerResponse>();

beforeAll(async () => {
  server = createServer((req, res) => {
    open.add(res);
    res.on('close', () => open.delete(res));
    handler(res, new URL(req.url!, 'http://x'), req.headers);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  client = new KubeClient({
    server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: async () => ({ authorization: 'Bearer t' }),
    source: 'test',
  });
});
afterAll(async () => {
  for (const res of open) res.destroy();
  client.close();
  await new Promise<void>((r) => server.close(() => r()));
});

interface Run {
  events: [string, unknown][];
  done: Promise<unknown>;
  doneCalls: () => number;
  abort: () => void;
}

async function watch(idleTimeoutMs = 5_000): Promise<Run> {
  const events: [string, unknown][] = [];
  let calls = 0;
  let resolve!: (err: unknown) => void;
  const done = new Promise<unknown>((r) => (resolve = r));
  const handle = await client.watch(
    '/api/v1/namespaces/n/configmaps',
    { resourceVersion: '7' },
    (type, obj) => events.push([type, obj]),
    (err) => {
      calls += 1;
      resolve(err);
    },
    { idleTimeoutMs },
  );
  return { events, done, doneCalls: () => calls, abort: () => handle.abort() };
}

const line = (type: string, name: string) =>
  JSON.stringify({ type, object: { metadata: { name } } }) + '\n';
const settle = () => new Promise((r) => setTimeout(r, 50));

describe('KubeClient.watch', () => {
  it('sends watch=1 with the query and credentials, streams events, ends with null once', async () => {
    let seen: { url: URL; auth: unknown } | undefined;
    handler = (res, url, headers) => {
      seen = { url, auth: headers.authorization };
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(line('ADDED', 'a') + line('MODIFIED', 'a').slice(0, 10));
      setTimeout(() => res.end(line('MODIFIED', 'a').slice(10) + line('DELETED', 'a')), 20);
    };
    const run = await watch();
    expect(await run.done).toBeNull();
    await settle();
    expect(run.doneCalls()).toBe(1);
    expect(seen!.url.pathname).toBe('/api/v1/namespaces/n/configmaps');
    expect(seen!.url.searchParams.get('watch')).toBe('1');
    expect(seen!.url.searchParams.get('resourceVersion')).toBe('7');
    expect(seen!.auth).toBe('Bearer t');
    expect(run.events.map(([t]) => t)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
  });

  it('ends a silent stream with a TimeoutError, even after events', async () => {
    handler = (res) => {
      res.writeHead(200);
      res.write(line('ADDED', 'a'));
    };
    const run = await watch(300);
    const err = (await run.done) as Error;
    expect(err.name).toBe('TimeoutError');
    expect(run.events).toHaveLength(1);
    await settle();
    expect(run.doneCalls()).toBe(1);
  });

  it('times out a server that never answers', async () => {
    handler = () => {};
    const run = await watch(300);
    expect(((await run.done) as Error).name).toBe('TimeoutError');
  });

  it('keeps a stream alive while bytes keep coming', async () => {
    handler = (res) => {
      res.writeHead(200);
      let n = 0;
      const t = setInterval(() => {
        res.write(line('BOOKMARK', String(n)));
        if (++n === 6) {
          clearInterval(t);
          res.end();
        }
      }, 100);
    };
    const run = await watch(600);
    expect(await run.done).toBeNull();
    expect(run.events).toHaveLength(6);
  });

  it('reports a non-200 answer as a KubeApiError carrying the status code', async () => {
    handler = (res) => {
      res.writeHead(410, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', code: 410, reason: 'Expired', message: 'too old' }));
    };
    const run = await watch();
    const err = (await run.done) as { statusCode?: number; message: string };
    expect(err.statusCode).toBe(410);
    expect(err.message).toContain('too old');
  });

  it('ends with an error on a line that is not JSON, rather than skipping an event', async () => {
    handler = (res) => {
      res.writeHead(200);
      res.write(line('ADDED', 'a') + 'garbage\n' + line('ADDED', 'b'));
    };
    const run = await watch();
    expect(await run.done).toBeInstanceOf(Error);
    expect(run.events).toHaveLength(1);
  });

  it('reports a connection cut mid-stream as an error', async () => {
    handler = (res) => {
      res.writeHead(200);
      res.write(line('ADDED', 'a'));
      setTimeout(() => res.destroy(), 20);
    };
    const run = await watch();
    expect(await run.done).toBeInstanceOf(Error);
  });

  it('abort() ends the stream with null, once, and closes the connection', async () => {
    handler = (res) => {
      res.writeHead(200);
      res.write(line('ADDED', 'a'));
    };
    const run = await watch();
    while (run.events.length === 0) await settle();
    run.abort();
    expect(await run.done).toBeNull();
    await settle();
    expect(run.doneCalls()).toBe(1);
    expect(open.size).toBe(0);
  });

  it('reports a refused connection as an error', async () => {
    const refused = new KubeClient({
      server: 'http://127.0.0.1:1',
      credentials: async () => ({}),
      source: 'test',
    });
    let err: unknown;
    await new Promise<void>((resolve) => {
      void refused.watch(
        '/x',
        {},
        () => {},
        (e) => {
          err = e;
          resolve();
        },
      );
    });
    expect((err as { code?: string }).code).toBe('ECONNREFUSED');
  });
});
