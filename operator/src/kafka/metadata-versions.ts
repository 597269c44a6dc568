// metadata.version feature levels and their names, from
// org.apache.kafka.server.common.MetadataVersion.values() of the 4.1.1 jars (levels below 7,
// 3.3-IV3, are no longer supported by Kafka 4). Names are what kafka-features prints.

const NAMES: Readonly<Record<number, string>> = {
  7: '3.3-IV3',
  8: '3.4-IV0',
  9: '3.5-IV0',
  10: '3.5-IV1',
  11: '3.5-IV2',
  12: '3.6-IV0',
  13: '3.6-IV1',
  14: '3.6-IV2',
  15: '3.7-IV0',
  16: '3.7-IV1',
  17: '3.7-IV2',
  18: '3.7-IV3',
  19: '3.7-IV4',
  20: '3.8-IV0',
  21: '3.9-IV0',
  22: '4.0-IV0',
  23: '4.0-IV1',
  24: '4.0-IV2',
  25: '4.0-IV3',
  26: '4.1-IV0',
  27: '4.1-IV1',
};

/** "4.1-IV1" for 27; undefined for a level this table does not know. */
export function metadataVersionName(level: number): string | undefined {
  return NAMES[level];
}

/**
 * The production metadata.version of a release ("4.1" → 27): what `kafka-features upgrade
 * --release-version 4.1` finalizes. undefined for a release this table does not know.
 */
export function metadataLevelOfRelease(release: string): number | undefined {
  const levels = Object.entries(NAMES)
    .filter(([, name]) => name.startsWith(`${release}-`))
    .map(([level]) => Number(level));
  return levels.length > 0 ? Math.max(...levels) : undefined;
}
