// Which log-directory readings the cluster's gauges show after this round (pure). Kafka's
// DescribeLogDirs answer per broker replaces that broker's readings; what the round could not
// read keeps the last reading, because a broker whose volume filled up may be exactly the one
// that stopped answering, and a disk alert must not clear then. A broker leaves only when it
// no longer belongs to the cluster (scaled away), a directory when its broker stops listing it.
import type { BrokerLogDirs } from '../../kafka/cluster-port.ts';

export interface LogDirReading {
  totalBytes: number;
  usableBytes: number;
}

/** node id → log dir path → reading. */
export type LogDirReadings = Readonly<Record<number, Readonly<Record<string, LogDirReading>>>>;

export function nextLogDirReadings(
  previous: LogDirReadings,
  /** This round's answer; undefined when Kafka was not read. */
  answer: Readonly<Record<number, BrokerLogDirs>> | undefined,
  /** The node ids of the cluster's broker pods (desired or still running). */
  belongs: (nodeId: number) => boolean,
): LogDirReadings {
  const next: Record<number, Readonly<Record<string, LogDirReading>>> = {};
  for (const [id, dirs] of Object.entries(previous)) {
    if (belongs(Number(id))) next[Number(id)] = dirs;
  }
  for (const [id, broker] of Object.entries(answer ?? {})) {
    if ('error' in broker) continue; // not answered: its last readings stand
    const before = previous[Number(id)] ?? {};
    const dirs: Record<string, LogDirReading> = {};
    for (const d of broker.logDirs) {
      // An offline directory carries no totals (-1): its last reading stands.
      const last = before[d.path];
      if (d.error === undefined && d.totalBytes >= 0 && d.usableBytes >= 0) {
        dirs[d.path] = { totalBytes: d.totalBytes, usableBytes: d.usableBytes };
      } else if (last) {
        dirs[d.path] = last;
      }
    }
    next[Number(id)] = dirs;
  }
  return next;
}
