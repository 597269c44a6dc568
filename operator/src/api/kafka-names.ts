// Names Kafka itself constrains, validated at admission so Kafka never gets to refuse them.
import { str } from './schema-dsl.ts';

export const TOPIC_NAME_MAX_LENGTH = 249;
export const TOPIC_NAME_PATTERN = '^[a-zA-Z0-9._-]+$';
/** Kafka's internal topics start with it (__consumer_offsets, __transaction_state, …). */
export const RESERVED_TOPIC_PREFIX = '__';

/** A Kafka topic name: up to 249 of [a-zA-Z0-9._-], and not "." or "..". */
export function topicName() {
  return str()
    .minLength(1)
    .maxLength(TOPIC_NAME_MAX_LENGTH)
    .pattern(TOPIC_NAME_PATTERN)
    .rule('self != "." && self != ".."', 'a topic name may not be "." or ".."');
}
