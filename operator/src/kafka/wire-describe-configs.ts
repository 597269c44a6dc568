// DescribeConfigs v2 (pre-flexible; 3.9 and 4.x accept it) for many topics in one request, with
// an error per topic: kafkajs would throw the first topic's error for the whole batch.

import { Reader, Writer } from './wire-codec.ts';

export const DESCRIBE_CONFIGS_API_KEY = 32;
export const DESCRIBE_CONFIGS_VERSION = 2;
const TOPIC_RESOURCE = 2;

export interface DescribedConfig {
  name: string;
  value: string | null;
  readOnly: boolean;
  /** Kafka's ConfigSource id: 1 topic, 2 dynamic broker, 3 dynamic default broker, 4 static broker, 5 default. */
  source: number;
  sensitive: boolean;
}

export interface DescribedResource {
  name: string;
  errorCode: number;
  errorMessage: string | null;
  configs: DescribedConfig[];
}

export function encodeDescribeTopicConfigsRequest(names: readonly string[]): Buffer {
  return new Writer()
    .array(names, (w, n) => w.int8(TOPIC_RESOURCE).string(n).int32(-1)) // -1: all keys
    .bool(false) // no synonyms
    .bytes();
}

export function decodeDescribeConfigsResponse(body: Buffer): DescribedResource[] {
  const r = new Reader(body);
  r.int32(); // throttle time
  return r.array((x) => {
    const errorCode = x.int16();
    const errorMessage = x.string();
    x.int8(); // resource type
    const name = x.string() ?? '';
    const configs = x.array((c) => {
      const config = {
        name: c.string() ?? '',
        value: c.string(),
        readOnly: c.bool(),
        source: c.int8(),
        sensitive: c.bool(),
      };
      c.array((s) => [s.string(), s.string(), s.int8()]); // synonyms (none asked for)
      return config;
    });
    return { name, errorCode, errorMessage, configs };
  });
}
