// Which spec.config keys Kafka applies at runtime as cluster-wide broker defaults
// (kafka-configs --entity-type brokers --entity-default), and which need a rolling restart.
import { isOwnedConfigKey } from '../../api/owned-config-keys.ts';

/**
 * The keys whose update mode is "cluster-wide" in Apache Kafka 4.1.1, i.e.
 * kafka.server.DynamicBrokerConfig.dynamicConfigUpdateModes() (built from
 * DynamicBrokerConfig.AllDynamicConfigs minus PerBrokerConfigs), dumped from the 4.1.1 jars.
 * Per-broker dynamic keys (ssl.*, sasl.*, listeners) are left out: they cannot be set as a
 * cluster default, so a change to them rolls.
 */
export const CLUSTER_WIDE_DYNAMIC_KEYS: ReadonlySet<string> = new Set([
  'background.threads',
  'compression.gzip.level',
  'compression.lz4.level',
  'compression.type',
  'compression.zstd.level',
  'log.cleaner.backoff.ms',
  'log.cleaner.dedupe.buffer.size',
  'log.cleaner.delete.retention.ms',
  'log.cleaner.io.buffer.load.factor',
  'log.cleaner.io.buffer.size',
  'log.cleaner.io.max.bytes.per.second',
  'log.cleaner.max.compaction.lag.ms',
  'log.cleaner.min.cleanable.ratio',
  'log.cleaner.min.compaction.lag.ms',
  'log.cleaner.threads',
  'log.cleanup.policy',
  'log.flush.interval.messages',
  'log.flush.interval.ms',
  'log.index.interval.bytes',
  'log.index.size.max.bytes',
  'log.local.retention.bytes',
  'log.local.retention.ms',
  'log.message.timestamp.after.max.ms',
  'log.message.timestamp.before.max.ms',
  'log.message.timestamp.type',
  'log.preallocate',
  'log.retention.bytes',
  'log.retention.ms',
  'log.roll.jitter.ms',
  'log.roll.ms',
  'log.segment.bytes',
  'log.segment.delete.delay.ms',
  'max.connection.creation.rate',
  'max.connections',
  'max.connections.per.ip',
  'max.connections.per.ip.overrides',
  'message.max.bytes',
  'metric.reporters',
  'min.insync.replicas',
  'num.io.threads',
  'num.network.threads',
  'num.recovery.threads.per.data.dir',
  'num.replica.fetchers',
  'producer.id.expiration.ms',
  'remote.fetch.max.wait.ms',
  'remote.list.offsets.request.timeout.ms',
  'remote.log.index.file.cache.total.size.bytes',
  'remote.log.manager.copier.thread.pool.size',
  'remote.log.manager.copy.max.bytes.per.second',
  'remote.log.manager.expiration.thread.pool.size',
  'remote.log.manager.fetch.max.bytes.per.second',
  'remote.log.reader.threads',
  'transaction.partition.verification.enable',
  'unclean.leader.election.enable',
]);

export function isDynamicKey(key: string): boolean {
  return CLUSTER_WIDE_DYNAMIC_KEYS.has(key);
}

export type ConfigValues = Record<string, string | number | boolean>;

export interface ConfigDiff {
  /**
   * Cluster-wide values to set (a string) or delete (null, back to the static/default value)
   * through incrementalAlterConfigs on the default broker resource.
   */
  dynamic: Record<string, string | null>;
  /** Changed keys that only take effect after a restart, sorted. */
  restart: string[];
}

/** What changes between two spec.config maps. Operator-owned keys are ignored. */
export function configDiff(oldConfig: ConfigValues = {}, newConfig: ConfigValues = {}): ConfigDiff {
  const dynamic: Record<string, string | null> = {};
  const restart: string[] = [];
  const keys = [...new Set([...Object.keys(oldConfig), ...Object.keys(newConfig)])].sort();
  for (const key of keys) {
    if (isOwnedConfigKey(key)) continue;
    const before = key in oldConfig ? String(oldConfig[key]) : undefined;
    const after = key in newConfig ? String(newConfig[key]) : undefined;
    if (before === after) continue;
    if (isDynamicKey(key)) dynamic[key] = after ?? null;
    else restart.push(key);
  }
  return { dynamic, restart };
}

/** The part of spec.config whose change needs a restart: what the pods' config hash covers. */
export function restartRelevantConfig(config: ConfigValues = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(config).sort()) {
    if (!isDynamicKey(key) && !isOwnedConfigKey(key)) out[key] = String(config[key]);
  }
  return out;
}

/** The dynamic part of spec.config, to apply as cluster-wide broker defaults. */
export function dynamicConfig(config: ConfigValues = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(config).sort()) {
    if (isDynamicKey(key) && !isOwnedConfigKey(key)) out[key] = String(config[key]);
  }
  return out;
}
