// Kafka protocol error codes we name in messages and decisions (from Kafka's Errors.java).
// Unlisted codes keep their number; `retriable` follows Kafka's RetriableException marking.

import { KafkaRequestError } from './errors.ts';

const codes: Readonly<Record<number, readonly [name: string, retriable: boolean]>> = {
  [-1]: ['UNKNOWN_SERVER_ERROR', false],
  3: ['UNKNOWN_TOPIC_OR_PARTITION', true],
  5: ['LEADER_NOT_AVAILABLE', true],
  6: ['NOT_LEADER_OR_FOLLOWER', true],
  7: ['REQUEST_TIMED_OUT', true],
  14: ['COORDINATOR_LOAD_IN_PROGRESS', true],
  15: ['COORDINATOR_NOT_AVAILABLE', true],
  16: ['NOT_COORDINATOR', true],
  17: ['INVALID_TOPIC_EXCEPTION', false],
  29: ['TOPIC_AUTHORIZATION_FAILED', false],
  31: ['CLUSTER_AUTHORIZATION_FAILED', false],
  33: ['UNSUPPORTED_SASL_MECHANISM', false],
  34: ['ILLEGAL_SASL_STATE', false],
  35: ['UNSUPPORTED_VERSION', false],
  36: ['TOPIC_ALREADY_EXISTS', false],
  37: ['INVALID_PARTITIONS', false],
  38: ['INVALID_REPLICATION_FACTOR', false],
  39: ['INVALID_REPLICA_ASSIGNMENT', false],
  40: ['INVALID_CONFIG', false],
  41: ['NOT_CONTROLLER', true],
  42: ['INVALID_REQUEST', false],
  44: ['POLICY_VIOLATION', false],
  54: ['SECURITY_DISABLED', false],
  56: ['KAFKA_STORAGE_ERROR', true],
  58: ['SASL_AUTHENTICATION_FAILED', false],
  69: ['GROUP_ID_NOT_FOUND', false],
  85: ['NO_REASSIGNMENT_IN_PROGRESS', false],
  91: ['RESOURCE_NOT_FOUND', false],
  92: ['DUPLICATE_RESOURCE', false],
  93: ['UNACCEPTABLE_CREDENTIAL', false],
  100: ['UNKNOWN_TOPIC_ID', true],
  102: ['BROKER_ID_NOT_REGISTERED', false],
};

export function errorName(code: number): string {
  return codes[code]?.[0] ?? `KAFKA_ERROR_${code}`;
}

export function isRetriable(code: number): boolean {
  return codes[code]?.[1] ?? false;
}

/** Kafka's refusal of one item, in Kafka's words when it sent any (else the error's name). */
export function requestError(o: {
  errorCode: number;
  errorMessage: string | null;
}): KafkaRequestError {
  return new KafkaRequestError(
    errorName(o.errorCode),
    o.errorMessage || errorName(o.errorCode),
    isRetriable(o.errorCode),
  );
}
