// Keys the operator renders itself; a spec.config entry for one of them is ignored by the
// renderer (and should be refused at admission). Meant to move to
// operator/src/api/owned-config-keys.ts, which did not exist yet when this was written.
export const OWNED_CONFIG_KEYS: readonly string[] = [
  'node.id',
  'broker.id',
  'process.roles',
  'cluster.id',
  'listeners',
  'advertised.listeners',
  'listener.security.protocol.map',
  'inter.broker.listener.name',
  'security.inter.broker.protocol',
  'controller.listener.names',
  'controller.quorum.voters',
  'controller.quorum.bootstrap.servers',
  'log.dirs',
  'log.dir',
  'metadata.log.dir',
  'broker.rack',
];

/** Prefixes whose keys would re-route listeners the operator owns. */
export const OWNED_CONFIG_PREFIXES: readonly string[] = [
  'listener.name.controller.',
  'controller.quorum.',
  'listener.name.replication.',
];

export function isOwnedConfigKey(key: string): boolean {
  return OWNED_CONFIG_KEYS.includes(key) || OWNED_CONFIG_PREFIXES.some((p) => key.startsWith(p));
}
