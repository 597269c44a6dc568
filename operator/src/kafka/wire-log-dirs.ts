// DescribeLogDirs v4 (flexible from v2; TotalBytes and UsableBytes from v4, KIP-827): what
// each log directory's volume holds and has left, in the broker's own words, so it works on
// any storage (a hostPath volume has no kubelet volume stats). Kafka 3.9.1 accepts v0-4 and
// 4.1.1 v1-4. A broker answers for its own directories only: the request goes to each broker.

import { Reader, Writer } from './wire-codec.ts';

export const DESCRIBE_LOG_DIRS_API_KEY = 35;
export const DESCRIBE_LOG_DIRS_VERSION = 4;

export interface LogDirResult {
  errorCode: number;
  /** The absolute path on the broker. */
  logDir: string;
  /** Bytes of the volume the directory is on; -1 when the broker did not say (the default of
   *  these ignorable fields, and what an offline directory carries). */
  totalBytes: bigint;
  usableBytes: bigint;
}

export interface DescribeLogDirsResponse {
  /** v3+: the request as a whole (CLUSTER_AUTHORIZATION_FAILED answers no directories). */
  errorCode: number;
  results: LogDirResult[];
}

/**
 * Topics: null asks for every partition of every topic (an answer that grows with the
 * partitions); an empty list asks for none, and each directory is still listed with its
 * totals. We want only the totals.
 */
export function encodeDescribeLogDirsRequest(): Buffer {
  return new Writer()
    .compactArray([], () => undefined)
    .tags()
    .bytes();
}

export function decodeDescribeLogDirsResponse(body: Buffer): DescribeLogDirsResponse {
  const r = new Reader(body);
  r.int32(); // throttle time
  const errorCode = r.int16();
  const results = r.compactArray((d) => {
    const dirError = d.int16();
    const logDir = d.compactString() ?? '';
    // Topics with their partitions (none asked for; a broker may still name its topics).
    d.compactArray((t) => {
      t.compactString();
      t.compactArray((p) => {
        p.int32(); // partition
        p.int64(); // size
        p.int64(); // offset lag
        p.bool(); // future
        p.tags();
      });
      t.tags();
    });
    const result = { errorCode: dirError, logDir, totalBytes: d.int64(), usableBytes: d.int64() };
    d.tags();
    return result;
  });
  r.tags();
  return { errorCode, results };
}
