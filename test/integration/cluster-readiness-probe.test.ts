// The broker readiness probe's script (operator/src/cluster/render/readiness-probe.ts) run with bash
// against real Kafka: the shared 4.1.1 node, and a 3.9.1 node that is then stopped. The cases
// a TCP check cannot tell apart are stood in for by sockets that accept and then say nothing
// (a broker that bound its port but is not serving requests yet) or say something else.
import { spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  READINESS_SCRIPT,
  kafkaReadinessProbe,
} from '../../operator/src/cluster/render/readiness-probe.ts';
import { KafkaFixture } from '../fixtures/kafka.ts';
import { freePort } from '../fixtures/ports.ts';

interface ProbeRun {
  code: number | null;
  output: string;
  ms: number;
}

/** Runs the probe exactly as the kubelet would exec it, with an optional host argument. */
function probe(port: number, host?: string): Promise<ProbeRun> {
  const command = kafkaReadinessProbe(port, { periodSeconds: 5, failureThreshold: 3 }).exec!
    .command!;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, [...command.slice(1), ...(host ? [host] : [])], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output, ms: Date.now() - started }));
  });
}

const sockets = new Set<Socket>();

async function listen(onConnection: (s: Socket) => void, pause = false): Promise<Server> {
  const server = createServer({ pauseOnConnect: pause }, (s) => {
    // The probe hangs up as soon as it has its 14 bytes (or gives up): a reset is expected.
    s.on('error', () => undefined);
    // A paused socket never reads the probe's close; closing the server must not wait for it.
    sockets.add(s);
    onConnection(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}
const portOf = (s: Server) => (s.address() as { port: number }).port;

describe('the broker readiness probe script', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    for (const s of servers) await new Promise((r) => s.close(r));
  });

  it('is in the probe command as written', () => {
    const p = kafkaReadinessProbe(9091, { periodSeconds: 5, failureThreshold: 3 });
    expect(p.exec?.command).toEqual(['bash', '-c', READINESS_SCRIPT, 'kraftwerk-ready', '9091']);
    expect(p.tcpSocket).toBeUndefined();
  });

  it('passes against a running Kafka 4.1.1 broker', async () => {
    const [host, port] = inject('kafkaBootstrap').split(',')[0]!.split(':');
    const r = await probe(Number(port), host);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toBe('');
    // Its speed is printed, not asserted: a loaded machine is no failure of the probe.
    console.log(`[probe] ready broker answered in ${r.ms} ms`);
  });

  it('fails on a port nobody listens on', async () => {
    const r = await probe(await freePort());
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/cannot connect/);
  });

  it('fails, by its own timeout, on a socket that accepts and never answers', async () => {
    // What a TCP check passes: the port is bound, nothing reads the request.
    const silent = await listen(() => undefined, true);
    servers.push(silent);
    const r = await probe(portOf(silent));
    expect(r.code).not.toBe(0);
    // The message is the probe's own timeout speaking (without it the kubelet's would, silently).
    expect(r.output).toMatch(/no complete ApiVersions reply .*\(0 bytes\)/);
    console.log(`[probe] silent socket refused after ${r.ms} ms`);
  });

  it('fails on something that answers, but not Kafka', async () => {
    const http = await listen((s) => {
      s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
    });
    servers.push(http);
    const r = await probe(portOf(http));
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/correlation id/);
    // A Kafka-shaped reply with an error code is refused too.
    const refusing = await listen((s) => {
      s.once('data', () => {
        const reply = Buffer.alloc(14);
        reply.writeInt32BE(10, 0);
        reply.write('KRFT', 4, 'latin1');
        reply.writeInt16BE(35, 8); // UNSUPPORTED_VERSION
        reply.writeInt32BE(0, 10);
        s.end(reply);
      });
    });
    servers.push(refusing);
    const e = await probe(portOf(refusing));
    expect(e.code).not.toBe(0);
    expect(e.output).toMatch(/error code 35/);
  });
});

describe('the broker readiness probe against Kafka 3.9.1, running and then stopped', () => {
  let kafka: KafkaFixture;
  beforeAll(async () => {
    kafka = await KafkaFixture.start({ name: 'probe-3.9', version: '3.9.1' });
  });
  afterAll(async () => {
    await kafka?.stop();
  });

  it('passes while the broker runs and fails once it stopped', async () => {
    const port = kafka.brokers[0]!.port!;
    const up = await probe(port);
    expect(up.code, up.output).toBe(0);
    await kafka.stopNode(kafka.brokers[0]!.id);
    const down = await probe(port);
    expect(down.code).not.toBe(0);
    expect(down.output).toMatch(/cannot connect/);
  });
});
