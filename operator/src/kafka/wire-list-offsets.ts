// ListOffsets v5 (not flexible; accepted by 3.9 and by 4.x, which dropped only v0 in KIP-896):
// one request per leader broker carries every partition that broker leads, across topics —
// kafkajs's admin asks per topic. Earliest and latest are separate requests because Kafka
// refuses a partition listed twice in one request.

import { Reader, Writer } from './wire-codec.ts';

export const LIST_OFFSETS_API_KEY = 2;
export const LIST_OFFSETS_VERSION = 5;
export const LATEST = -1n;
export const EARLIEST = -2n;

export interface ListOffsetsPartition {
  topic: string;
  partition: number;
  errorCode: number;
  offset: number;
}

export function encodeListOffsetsRequest(
  partitions: readonly { topic: string; partition: number }[],
  timestamp: bigint,
): Buffer {
  const byTopic = new Map<string, number[]>();
  for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
  return new Writer()
    .int32(-1) // replica id: a client, not a follower
    .int8(0) // READ_UNCOMMITTED: the high watermark, which is what lag is measured against
    .array([...byTopic], (w, [topic, ps]) =>
      w.string(topic).array(ps, (pw, partition) => pw.int32(partition).int32(-1).int64(timestamp)),
    )
    .bytes();
}

export function decodeListOffsetsResponse(body: Buffer): ListOffsetsPartition[] {
  const r = new Reader(body);
  r.int32(); // throttle time
  return r
    .array((t) => {
      const topic = t.string() ?? '';
      return t.array((p) => {
        const partition = p.int32();
        const errorCode = p.int16();
        p.int64(); // timestamp
        const offset = Number(p.int64());
        p.int32(); // leader epoch
        return { topic, partition, errorCode, offset };
      });
    })
    .flat();
}
