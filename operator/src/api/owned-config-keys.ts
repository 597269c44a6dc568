// Kafka server configuration kraftwerk writes itself. A user value for any of these would
// break node identity, the KRaft quorum or listener wiring, so the CRD refuses them at
// admission and the cluster renderer overwrites them. One list serves both.

/**
 * The syntax of a Kafka configuration name: letters and digits in groups joined by single
 * '.', '_' or '-'. Every key of Kafka's own broker definitions (3.9, 4.1) fits, including
 * zookeeper.clientCnxnSocket (upper case); whitespace, control characters, '=', ':' and '#'
 * do not, so nothing a Java properties file would read differently gets through.
 */
export const CONFIG_KEY_PATTERN = '^[A-Za-z0-9]+([._-][A-Za-z0-9]+)*$';

export function isConfigKeySyntax(key: string): boolean {
  return new RegExp(CONFIG_KEY_PATTERN).test(key);
}

/** The refusal text for a malformed key (admission says the same). */
export function configKeySyntaxMessage(key: string): string {
  return `config key '${key}' is not a Kafka configuration name: letters and digits in groups separated by single '.', '_' or '-'`;
}

/** Exact keys owned by the operator. */
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
  'log.dirs',
  'log.dir',
  'metadata.log.dir',
  'broker.rack',
];

/** Key prefixes owned by the operator (every key starting with one of these). */
export const OWNED_CONFIG_KEY_PREFIXES: readonly string[] = [
  'controller.quorum.',
  // Settings of the operator's own listeners (see RESERVED_LISTENER_NAMES).
  'listener.name.controller.',
  'listener.name.replication.',
];

export function isOwnedConfigKey(key: string): boolean {
  return (
    OWNED_CONFIG_KEYS.includes(key) ||
    OWNED_CONFIG_KEY_PREFIXES.some((prefix) => key.startsWith(prefix))
  );
}

/** The refusal text, shared so admission and the renderer tell users the same thing. */
export function ownedConfigKeyMessage(key: string): string {
  return `config key '${key}' is managed by kraftwerk; remove it`;
}

/**
 * Listener names and ports the operator uses for its own listeners (KRaft controller traffic
 * and broker replication); user listeners may not take them.
 */
export const RESERVED_LISTENER_NAMES: readonly string[] = ['controller', 'replication'];
export const RESERVED_LISTENER_PORTS: readonly number[] = [9090, 9091];
