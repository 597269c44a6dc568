// Typed errors of the Kafka port, so reconcilers decide without parsing messages:
// unavailable → back off and retry; request refused → Ready=False with Kafka's words.

export class KafkaError extends Error {
  override name = 'KafkaError';
}

/** No broker answered (connection refused, timed out, lost). Retry later with backoff. */
export class KafkaUnavailableError extends KafkaError {
  override name = 'KafkaUnavailableError';
  readonly bootstrap: string;
  constructor(bootstrap: string, message: string, options?: ErrorOptions) {
    super(`Kafka at ${bootstrap} is unavailable: ${message}`, options);
    this.bootstrap = bootstrap;
  }
}

/**
 * A response's bytes do not fit the message it should be (truncated, a length past the end).
 * Thrown by the decoders; the wire connection turns it into a failed call (unavailable) and
 * drops the socket, so reconcilers never see this type.
 */
export class KafkaDecodeError extends KafkaError {
  override name = 'KafkaDecodeError';
}

/** Kafka answered and refused the request for this item. */
export class KafkaRequestError extends KafkaError {
  override name = 'KafkaRequestError';
  /** Kafka's error name, e.g. INVALID_CONFIG, POLICY_VIOLATION, UNKNOWN_TOPIC_OR_PARTITION. */
  readonly code: string;
  /** Kafka says a retry may succeed (e.g. NOT_CONTROLLER, LEADER_NOT_AVAILABLE). */
  readonly retriable: boolean;
  constructor(code: string, message: string, retriable: boolean, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.retriable = retriable;
  }
}
