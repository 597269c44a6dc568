// One socket to one of the bootstrap brokers, for the requests kafkajs cannot send. Plaintext
// only (what kafkajs is configured with here); requests are pipelined and matched by
// correlation id. A lost socket fails what is in flight as unavailable and reconnects on the
// next request, trying the next bootstrap address, so an outage heals without a restart.

import { Socket, connect } from 'node:net';
import { KafkaUnavailableError } from './errors.ts';
import { Reader, Writer } from './wire-codec.ts';

export interface WireOptions {
  clientId: string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
}

interface InFlight {
  flexible: boolean;
  resolve(body: Buffer): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export class WireConnection {
  readonly #addresses: readonly { host: string; port: number }[];
  readonly #bootstrap: string;
  readonly #opts: WireOptions;
  #next = 0;
  #socket: Promise<Socket> | undefined;
  #correlation = 0;
  readonly #inFlight = new Map<number, InFlight>();
  #buffered: Buffer = Buffer.alloc(0);

  constructor(bootstrap: string, opts: WireOptions) {
    this.#bootstrap = bootstrap;
    this.#opts = opts;
    this.#addresses = parseBootstrap(bootstrap);
  }

  /**
   * Sends one request; resolves with the response body (after the response header).
   * `responseHeaderFlexible` differs from `flexible` only for ApiVersions, whose response
   * header is always v0 so that any client can read it.
   */
  async request(
    apiKey: number,
    version: number,
    body: Buffer,
    flexible: boolean,
    responseHeaderFlexible = flexible,
  ): Promise<Buffer> {
    const socket = await this.#connected();
    const correlationId = (this.#correlation = (this.#correlation + 1) & 0x7fffffff);
    const header = new Writer()
      .int16(apiKey)
      .int16(version)
      .int32(correlationId)
      .string(this.#opts.clientId);
    if (flexible) header.tags();
    const payload = Buffer.concat([header.bytes(), body]);
    const frame = Buffer.concat([new Writer().int32(payload.length).bytes(), payload]);
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#inFlight.delete(correlationId);
        reject(
          new KafkaUnavailableError(
            this.#bootstrap,
            `request (api ${apiKey} v${version}) timed out after ${this.#opts.requestTimeoutMs} ms`,
          ),
        );
        this.#drop(socket);
      }, this.#opts.requestTimeoutMs);
      this.#inFlight.set(correlationId, {
        flexible: responseHeaderFlexible,
        resolve,
        reject,
        timer,
      });
      socket.write(frame);
    });
  }

  close(): void {
    void this.#socket?.then(
      (s) => this.#drop(s),
      () => undefined,
    );
    this.#socket = undefined;
  }

  #connected(): Promise<Socket> {
    this.#socket ??= this.#open().catch((error: unknown) => {
      this.#socket = undefined;
      throw error;
    });
    return this.#socket;
  }

  async #open(): Promise<Socket> {
    const errors: string[] = [];
    for (let i = 0; i < this.#addresses.length; i++) {
      const address = this.#addresses[this.#next++ % this.#addresses.length]!;
      try {
        return await this.#dial(address.host, address.port);
      } catch (e) {
        errors.push(`${address.host}:${address.port}: ${(e as Error).message}`);
      }
    }
    throw new KafkaUnavailableError(this.#bootstrap, errors.join('; '));
  }

  #dial(host: string, port: number): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect timed out after ${this.#opts.connectTimeoutMs} ms`));
      }, this.#opts.connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.on('data', (chunk: Buffer) => this.#onData(chunk));
        socket.on('error', () => this.#drop(socket));
        socket.on('close', () => this.#drop(socket));
        this.#buffered = Buffer.alloc(0);
        resolve(socket);
      });
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  #onData(chunk: Buffer): void {
    this.#buffered = this.#buffered.length === 0 ? chunk : Buffer.concat([this.#buffered, chunk]);
    while (this.#buffered.length >= 4) {
      const size = this.#buffered.readInt32BE(0);
      if (this.#buffered.length < 4 + size) return;
      const frame = this.#buffered.subarray(4, 4 + size);
      this.#buffered = this.#buffered.subarray(4 + size);
      const r = new Reader(frame);
      const correlationId = r.int32();
      const call = this.#inFlight.get(correlationId);
      if (!call) continue;
      this.#inFlight.delete(correlationId);
      clearTimeout(call.timer);
      if (call.flexible) r.tags();
      call.resolve(frame.subarray(frame.length - r.remaining));
    }
  }

  #drop(socket: Socket): void {
    socket.destroy();
    if (this.#socket) {
      void this.#socket.then(
        (s) => {
          if (s === socket) this.#socket = undefined;
        },
        () => undefined,
      );
    }
    for (const [id, call] of this.#inFlight) {
      clearTimeout(call.timer);
      call.reject(new KafkaUnavailableError(this.#bootstrap, 'connection lost'));
      this.#inFlight.delete(id);
    }
    this.#buffered = Buffer.alloc(0);
  }
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
