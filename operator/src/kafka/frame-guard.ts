// kafkajs 2.2.4 reads a response's length prefix and correlation id in its socket's data
// handler without checks: four zero bytes (or a negative length) make it throw out of that
// handler, which nothing catches, so the process exits; a 2 GB length prefix is buffered until
// it arrives. kafkajs takes a socket factory, so ours watches the framing before kafkajs sees a
// byte and ends the socket with an error instead; kafkajs then fails what is in flight as a
// connection error (KafkaUnavailableError after translation). Only the framing is checked here:
// kafkajs itself ignores answers nobody asked for and fails a request whose body it cannot read.

import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ISocketFactory } from 'kafkajs';
import { frameProblem } from './wire-connection.ts';

/** Follows frame boundaries through a byte stream, keeping 4 bytes at most. */
export class FrameScanner {
  readonly #max: number;
  readonly #prefix = Buffer.alloc(4);
  #prefixHave = 0;
  #skip = 0;

  constructor(maxFrameBytes: number) {
    this.#max = maxFrameBytes;
  }

  /** undefined while the stream is well framed; otherwise what is wrong with it. */
  scan(chunk: Buffer): string | undefined {
    let at = 0;
    while (at < chunk.length) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, chunk.length - at);
        this.#skip -= n;
        at += n;
        continue;
      }
      const n = Math.min(4 - this.#prefixHave, chunk.length - at);
      chunk.copy(this.#prefix, this.#prefixHave, at, at + n);
      this.#prefixHave += n;
      at += n;
      if (this.#prefixHave === 4) {
        const size = this.#prefix.readInt32BE(0);
        const wrong = frameProblem(size, this.#max);
        if (wrong !== undefined) return wrong;
        this.#skip = size;
        this.#prefixHave = 0;
      }
    }
    return undefined;
  }
}

const KEEP_ALIVE_DELAY_MS = 60_000; // what kafkajs's own factory sets

/** kafkajs's default socket factory plus a framing check on every chunk received. */
export function guardedSocketFactory(maxFrameBytes: number): ISocketFactory {
  return ({ host, port, ssl, onConnect }) => {
    const socket: Socket = ssl
      ? tlsConnect({ host, port, ...ssl }, onConnect)
      : netConnect({ host, port }, onConnect);
    socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
    const scanner = new FrameScanner(maxFrameBytes);
    const emit = socket.emit.bind(socket) as (
      event: string | symbol,
      ...args: unknown[]
    ) => boolean;
    // Intercepting emit is the one place that runs before kafkajs's 'data' listener.
    socket.emit = ((event: string | symbol, ...args: unknown[]) => {
      if (event === 'data' && Buffer.isBuffer(args[0])) {
        const wrong = scanner.scan(args[0]);
        if (wrong !== undefined) {
          socket.destroy(new Error(`${wrong} from ${host}:${port}`));
          return false;
        }
      }
      return emit(event, ...args);
    }) as Socket['emit'];
    return socket;
  };
}
