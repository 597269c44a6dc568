// One socket to one broker (or the next of a bootstrap list): the operator's only Kafka client.
// TCP or TLS (node:tls), optionally SASL-authenticated (wire-sasl.ts) once per socket before
// any queued request is written; requests are pipelined and matched by correlation id. A lost
// socket fails what is in flight as unavailable and reconnects on the next request, trying the
// next bootstrap address, so an outage heals without a restart.
//
// The endpoint is whatever a KafkaTopic names, so nothing it sends may take the operator down:
// no handler here throws (socket data/error/close, timers), a frame longer than
// `maxFrameBytes` is refused from its length prefix before anything is buffered, and a frame
// too short for a correlation id, an answer nobody asked for or a body its decoder cannot read
// drops the socket and fails every call on it with KafkaUnavailableError saying what was wrong.
// Decoding runs here, not in the caller, because a response that does not decode leaves the
// stream's state unknown: the socket must go with it.

import { type Socket, connect, isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { KafkaRequestError, KafkaUnavailableError } from './errors.ts';
import type { KafkaSecurity } from './security.ts';
import { Reader, Writer } from './wire-codec.ts';
import { authenticate } from './wire-sasl.ts';

/** Kafka's own default for socket.request.max.bytes. */
export const DEFAULT_MAX_FRAME_BYTES = 100 * 1024 * 1024;

export interface WireOptions {
  clientId: string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  /** Largest response accepted (length prefix); default DEFAULT_MAX_FRAME_BYTES. */
  maxFrameBytes?: number;
  /** TLS and/or SASL; PLAINTEXT when unset. */
  security?: KafkaSecurity;
}

interface InFlight {
  what: string;
  flexible: boolean;
  decode(body: Buffer): unknown;
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/** One socket and everything that belongs to it: a dropped link fails only its own calls. */
interface Link {
  socket: Socket;
  /** host:port actually connected to (one of the bootstrap list). */
  address: string;
  inFlight: Map<number, InFlight>;
  chunks: Buffer[];
  buffered: number;
  /** Size of the frame being received; -1 while its length prefix is incomplete. */
  frameSize: number;
  /** Why the link went down; undefined while it is up. */
  down: string | undefined;
  /** When its SASL session should be renewed (KIP-368), in Date.now() ms; Infinity: never. */
  renewAt: number;
}

export class WireConnection {
  readonly #addresses: readonly { host: string; port: number }[];
  readonly #bootstrap: string;
  readonly #opts: WireOptions;
  readonly #maxFrameBytes: number;
  #next = 0;
  #link: Promise<Link> | undefined;
  #current: Link | undefined;
  /** Links past their SASL session, answering what was sent on them before closing. */
  readonly #retired = new Set<Link>();
  #correlation = 0;
  #peakBuffered = 0;

  constructor(bootstrap: string, opts: WireOptions) {
    this.#bootstrap = bootstrap;
    this.#opts = opts;
    this.#maxFrameBytes = opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.#addresses = parseBootstrap(bootstrap);
  }

  /** Bytes of an incomplete response held right now. */
  get bufferedBytes(): number {
    return this.#current?.buffered ?? 0;
  }

  /** Most bytes ever held between two socket reads (tests assert it stays under the limit). */
  get peakBufferedBytes(): number {
    return this.#peakBuffered;
  }

  /** Calls waiting for an answer. */
  get inFlight(): number {
    return this.#current?.inFlight.size ?? 0;
  }

  /**
   * Sends one request; resolves with `decode` of the response body (after the response
   * header). `responseHeaderFlexible` differs from `flexible` only for ApiVersions, whose
   * response header is always v0 so that any client can read it. A body `decode` cannot read
   * fails the call with KafkaUnavailableError and drops the socket.
   */
  async call<T>(
    apiKey: number,
    version: number,
    body: Buffer,
    flexible: boolean,
    decode: (body: Buffer) => T,
    responseHeaderFlexible = flexible,
  ): Promise<T> {
    const link = await this.#connected();
    return this.#send(link, apiKey, version, body, flexible, decode, responseHeaderFlexible);
  }

  #send<T>(
    link: Link,
    apiKey: number,
    version: number,
    body: Buffer,
    flexible: boolean,
    decode: (body: Buffer) => T,
    responseHeaderFlexible = flexible,
  ): Promise<T> {
    const what = `api ${apiKey} v${version}`;
    if (link.down !== undefined) return Promise.reject(this.#unavailable(link.down));
    const correlationId = (this.#correlation = (this.#correlation + 1) & 0x7fffffff);
    const header = new Writer()
      .int16(apiKey)
      .int16(version)
      .int32(correlationId)
      .string(this.#opts.clientId);
    if (flexible) header.tags();
    const payload = Buffer.concat([header.bytes(), body]);
    const frame = Buffer.concat([new Writer().int32(payload.length).bytes(), payload]);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#fail(
          link,
          `request (${what}) to ${link.address} timed out after ${this.#opts.requestTimeoutMs} ms`,
        );
      }, this.#opts.requestTimeoutMs);
      link.inFlight.set(correlationId, {
        what,
        flexible: responseHeaderFlexible,
        decode,
        resolve: resolve as (value: unknown) => void,
        reject,
        timer,
      });
      link.socket.write(frame);
    });
  }

  /** `call` without decoding: the raw response body. */
  request(
    apiKey: number,
    version: number,
    body: Buffer,
    flexible: boolean,
    responseHeaderFlexible = flexible,
  ): Promise<Buffer> {
    return this.call(apiKey, version, body, flexible, (b) => b, responseHeaderFlexible);
  }

  close(): void {
    const link = this.#current;
    // A dial still under way sees #link replaced and closes its socket itself.
    this.#link = undefined;
    this.#current = undefined;
    if (link) this.#fail(link, 'connection closed by the operator');
    for (const old of this.#retired) this.#fail(old, 'connection closed by the operator');
  }

  #connected(): Promise<Link> {
    const current = this.#current;
    if (current && Date.now() >= current.renewAt) this.#retire(current);
    if (this.#link) return this.#link;
    const pending: Promise<Link> = this.#open().then(
      (link) => {
        if (this.#link !== pending) this.#fail(link, 'connection closed by the operator');
        if (link.down !== undefined) {
          if (this.#link === pending) this.#link = undefined;
          throw this.#unavailable(link.down);
        }
        this.#current = link;
        return link;
      },
      (error: unknown) => {
        if (this.#link === pending) this.#link = undefined;
        throw error;
      },
    );
    this.#link = pending;
    return pending;
  }

  async #open(): Promise<Link> {
    const errors: string[] = [];
    for (let i = 0; i < this.#addresses.length; i++) {
      const address = this.#addresses[this.#next++ % this.#addresses.length]!;
      try {
        const link = await this.#dial(address.host, address.port);
        await this.#authenticate(link);
        return link;
      } catch (e) {
        // Kafka refused the credentials: another broker of the cluster would say the same.
        if (e instanceof KafkaRequestError) throw e;
        errors.push(`${address.host}:${address.port}: ${(e as Error).message}`);
      }
    }
    throw this.#unavailable(errors.join('; '));
  }

  /** SASL on a fresh link, through the same framing; a failure ends the link. */
  async #authenticate(link: Link): Promise<void> {
    const sasl = this.#opts.security?.sasl;
    if (!sasl) return;
    try {
      const { sessionLifetimeMs } = await authenticate(
        (apiKey, version, body, flexible, decode) =>
          this.#send(link, apiKey, version, body, flexible, decode),
        sasl,
        link.address,
      );
      // Renew well before Kafka closes the connection at the session's end.
      if (sessionLifetimeMs > 0) link.renewAt = Date.now() + sessionLifetimeMs * 0.8;
    } catch (e) {
      const reason =
        e instanceof KafkaRequestError
          ? e.message
          : (link.down ??
            `SASL ${sasl.mechanism} with ${link.address} failed: ${(e as Error).message}`);
      this.#fail(link, reason);
      throw e instanceof KafkaRequestError ? e : new Error(reason, { cause: e });
    }
  }

  /** New calls go to a fresh link; this one closes once its calls are answered. */
  #retire(link: Link): void {
    this.#current = undefined;
    this.#link = undefined;
    this.#retired.add(link);
    if (link.inFlight.size === 0) this.#fail(link, 'SASL session renewed on a new connection');
  }

  #dial(host: string, port: number): Promise<Link> {
    return new Promise((resolve, reject) => {
      const tls = this.#opts.security?.tls;
      // Node checks the certificate against `servername ?? host`; SNI may not carry an IP.
      const servername = tls?.servername ?? (isIP(host) ? undefined : host);
      const socket: Socket = tls
        ? tlsConnect({ host, port, ...tls, ...(servername === undefined ? {} : { servername }) })
        : connect({ host, port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect timed out after ${this.#opts.connectTimeoutMs} ms`));
      }, this.#opts.connectTimeoutMs);
      socket.once(tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        const link: Link = {
          socket,
          address: `${host}:${port}`,
          inFlight: new Map(),
          chunks: [],
          buffered: 0,
          frameSize: -1,
          down: undefined,
          renewAt: Infinity,
        };
        socket.on('data', (chunk: Buffer) => this.#guard(link, () => this.#onData(link, chunk)));
        socket.on('error', (e) =>
          this.#fail(link, `connection to ${link.address} failed: ${e.message}`),
        );
        socket.on('close', () => this.#fail(link, `connection closed by ${link.address}`));
        resolve(link);
      });
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  /** Whatever a handler throws ends the link, never the process. */
  #guard(link: Link, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.#fail(link, `reading from ${link.address} failed: ${(e as Error).message}`);
    }
  }

  #onData(link: Link, chunk: Buffer): void {
    if (link.down !== undefined) return;
    link.chunks.push(chunk);
    link.buffered += chunk.length;
    for (;;) {
      if (link.frameSize < 0) {
        if (link.buffered < 4) break;
        const size = this.#head(link).readInt32BE(0);
        const wrong = frameProblem(size, this.#maxFrameBytes);
        if (wrong !== undefined) return this.#fail(link, `${wrong} from ${link.address}`);
        link.frameSize = size;
      }
      if (link.buffered < 4 + link.frameSize) break;
      const all = link.chunks.length === 1 ? link.chunks[0]! : Buffer.concat(link.chunks);
      const frame = all.subarray(4, 4 + link.frameSize);
      const rest = all.subarray(4 + link.frameSize);
      link.chunks = rest.length > 0 ? [rest] : [];
      link.buffered = rest.length;
      link.frameSize = -1;
      this.#deliver(link, frame);
      if (link.down !== undefined) return;
    }
    this.#peakBuffered = Math.max(this.#peakBuffered, link.buffered);
  }

  /** The first chunk made to hold at least the 4-byte length prefix. */
  #head(link: Link): Buffer {
    if (link.chunks[0]!.length < 4) link.chunks = [Buffer.concat(link.chunks)];
    return link.chunks[0]!;
  }

  #deliver(link: Link, frame: Buffer): void {
    const correlationId = frame.readInt32BE(0);
    const call = link.inFlight.get(correlationId);
    if (!call) {
      return this.#fail(
        link,
        `response with correlation id ${correlationId}, which no request is waiting for, from ${link.address}`,
      );
    }
    link.inFlight.delete(correlationId);
    clearTimeout(call.timer);
    let value: unknown;
    try {
      const r = new Reader(frame.subarray(4));
      if (call.flexible) r.tags();
      value = call.decode(frame.subarray(frame.length - r.remaining));
    } catch (e) {
      const reason = `undecodable response (${call.what}) from ${link.address}: ${(e as Error).message}`;
      call.reject(this.#unavailable(reason, e));
      return this.#fail(link, reason);
    }
    call.resolve(value);
    if (this.#retired.has(link) && link.inFlight.size === 0)
      this.#fail(link, 'SASL session renewed on a new connection');
  }

  /** Ends the link: its socket, its buffers and every call still waiting on it. Never throws. */
  #fail(link: Link, reason: string): void {
    if (link.down !== undefined) return;
    link.down = reason;
    this.#retired.delete(link);
    link.socket.destroy();
    link.chunks = [];
    link.buffered = 0;
    if (this.#current === link) {
      this.#current = undefined;
      this.#link = undefined;
    }
    for (const call of link.inFlight.values()) {
      clearTimeout(call.timer);
      call.reject(this.#unavailable(reason));
    }
    link.inFlight.clear();
  }

  #unavailable(reason: string, cause?: unknown): KafkaUnavailableError {
    return new KafkaUnavailableError(
      this.#bootstrap,
      reason,
      cause === undefined ? undefined : { cause },
    );
  }
}

/** What is wrong with a response's length prefix, or undefined when it is fine. */
export function frameProblem(size: number, maxFrameBytes: number): string | undefined {
  if (size < 0) return `frame with a negative length (${size})`;
  if (size < 4) return `frame of ${size} bytes, too short for a correlation id`;
  if (size > maxFrameBytes)
    return `frame of ${size} bytes exceeds the ${maxFrameBytes}-byte limit${tlsHint(size)}`;
  return undefined;
}

/** A TLS listener answers a plaintext request with an alert record: 0x15 0x03 0x0N …. */
function tlsHint(size: number): string {
  const head = size >>> 16;
  return head === 0x1503 || head === 0x1603
    ? ' (the start of a TLS record: is this a TLS listener?)'
    : '';
}

export function parseBootstrap(bootstrap: string): { host: string; port: number }[] {
  return bootstrap
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const i = s.lastIndexOf(':');
      const host = s.slice(0, i).replace(/^\[|\]$/g, '');
      const port = Number(s.slice(i + 1));
      if (i <= 0 || !Number.isInteger(port))
        throw new RangeError(`bad bootstrap address "${s}" (want host:port)`);
      return { host, port };
    });
}
