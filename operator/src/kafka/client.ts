// The connections to one Kafka cluster: one to the bootstrap list, and one per broker that a
// request must reach itself (partition leaders for ListOffsets, a group's coordinator, each
// broker for DescribeLogDirs). Both admins of a cluster (KafkaAdmin: topics and groups;
// KafkaClusterAdmin: quorum, features, registrations) send through one of these, so a cluster
// has one set of sockets, one request timeout and one request count.

import type { KafkaSecurity } from './security.ts';
import { DEFAULT_MAX_FRAME_BYTES, WireConnection } from './wire-connection.ts';

/** How long a request may go unanswered before its connection is dropped (the one default). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;

export interface KafkaClientOptions {
  /** host:port[,host:port...] */
  bootstrap: string;
  clientId?: string;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Largest response accepted from a broker (default 100 MiB, Kafka's socket.request.max.bytes);
   *  a longer length prefix drops the connection. */
  maxFrameBytes?: number;
  /** Called per Kafka request sent, with its API name (Metadata, CreateTopics, …), e.g. to count. */
  onRequest?: (api: string) => void;
  /** TLS and/or SASL for every connection of this cluster; PLAINTEXT when unset. */
  security?: KafkaSecurity;
}

/** One request kind: its name (for counting), key, version and header flexibility. */
export interface Api {
  name: string;
  key: number;
  version: number;
  flexible: boolean;
  /** Only ApiVersions differs: its response header is v0 whatever the request's version. */
  responseHeaderFlexible?: boolean;
}

export class KafkaClient {
  readonly bootstrap: string;
  readonly requestTimeoutMs: number;
  /** Requests sent, by kind: what a resync costs (tests and benchmarks read this). */
  readonly requests = new Map<string, number>();
  readonly #clientId: string;
  readonly #connectTimeoutMs: number;
  readonly #maxFrameBytes: number;
  readonly #onRequest: KafkaClientOptions['onRequest'];
  readonly #security: KafkaSecurity | undefined;
  readonly #wires = new Map<string, WireConnection>();

  constructor(options: KafkaClientOptions) {
    this.bootstrap = options.bootstrap;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#clientId = options.clientId ?? 'kraftwerk';
    this.#connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.#maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.#onRequest = options.onRequest;
    this.#security = options.security;
  }

  /**
   * Sends one request to `address` (default: any of the bootstrap list) and resolves with the
   * decoded body. Decoding happens in the connection: an answer that does not decode drops the
   * socket and fails the call as unavailable.
   */
  send<T>(api: Api, body: Buffer, decode: (body: Buffer) => T, address?: string): Promise<T> {
    this.requests.set(api.name, (this.requests.get(api.name) ?? 0) + 1);
    this.#onRequest?.(api.name);
    return this.#wire(address ?? this.bootstrap).call(
      api.key,
      api.version,
      body,
      api.flexible,
      decode,
      api.responseHeaderFlexible ?? api.flexible,
    );
  }

  close(): void {
    for (const w of this.#wires.values()) w.close();
    this.#wires.clear();
  }

  #wire(address: string): WireConnection {
    let w = this.#wires.get(address);
    if (!w) {
      w = new WireConnection(address, {
        clientId: this.#clientId,
        connectTimeoutMs: this.#connectTimeoutMs,
        requestTimeoutMs: this.requestTimeoutMs,
        maxFrameBytes: this.#maxFrameBytes,
        security: this.#security,
      });
      this.#wires.set(address, w);
    }
    return w;
  }
}
