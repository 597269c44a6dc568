// The shared, per-role part of server.properties. Node-specific lines (node.id,
// advertised.listeners, broker.rack) are appended by the start script inside the pod.
import type { ClusterSpec, ListenerSpec } from '../cluster-spec.ts';
import { isDynamicKey } from '../model/dynamic-config.ts';
import {
  CONTROLLER_LISTENER,
  LOG_DIR,
  PROBE_LISTENER,
  REPLICATION_LISTENER,
  kafkaListenerName,
} from '../model/node-layout.ts';
import type { RoleLayout } from '../model/node-layout.ts';
import { isOwnedConfigKey } from '../../api/owned-config-keys.ts';
import { hasProbeListener, listenerProtocol, securityProperties } from './security-properties.ts';

export type Properties = Record<string, string>;

/**
 * How long a broker waits for its first registration before it exits (Kafka's default: 60 s).
 * A new cluster starts brokers and controllers together; on a busy node the quorum took
 * ~80 s to form (volumes provisioned one by one, JVM start), so every broker exited once and
 * went into CrashLoopBackOff, which delays Ready by the back-off. Waiting longer costs
 * nothing: a broker that can never register is still caught by the startup probe.
 */
export const INITIAL_BROKER_REGISTRATION_TIMEOUT_MS = 300_000;

/** A listener as the start script sees it: how to advertise it for one node. */
export interface AdvertisedListener {
  name: string;
  port: number;
  /** 'pod': the pod's DNS name and the listener port; 'nodeport': host and nodePortBase + ordinal. */
  kind: 'pod' | 'nodeport';
  nodePortBase?: number;
  /** Empty: use the node's IP (HOST_IP from the downward API). */
  advertisedHost?: string;
}

/**
 * Properties every node of the role shares, but for the one that depends on the other roles'
 * replica counts (controller.quorum.bootstrap.servers: render-configmap.ts adds it from the
 * layouts). Dynamic cluster-wide keys are deliberately left out: they are applied through the
 * Admin API, so removing one from spec.config really returns it to Kafka's default instead of
 * to a stale value in a running pod's file. `layouts` (every role of the cluster) names the
 * nodes' principals for super.users on a secured cluster; replica counts do not matter.
 */
export function roleProperties(
  spec: ClusterSpec,
  layout: RoleLayout,
  layouts: readonly Pick<RoleLayout, 'statefulSetName'>[],
): Properties {
  const listeners = roleListeners(spec, layout);
  // Bound to loopback and left out of the listener table, so never advertised (Kafka wants the
  // advertised listeners to be a subset of `listeners`, not all of them).
  const probe = hasProbeListener(spec, layout)
    ? [{ name: PROBE_LISTENER.name, bind: `${PROBE_LISTENER.host}:${PROBE_LISTENER.port}` }]
    : [];
  const props: Properties = {};
  for (const [key, value] of Object.entries(spec.config ?? {}).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    if (!isOwnedConfigKey(key) && !isDynamicKey(key)) props[key] = String(value);
  }
  props['process.roles'] =
    layout.role === 'combined'
      ? 'broker,controller'
      : layout.role === 'controller'
        ? 'controller'
        : 'broker';
  props['listeners'] = [
    ...listeners.map((l) => `${l.name}://:${l.port}`),
    ...probe.map((p) => `${p.name}://${p.bind}`),
  ].join(',');
  // Brokers never listen on CONTROLLER but must know its protocol to reach the quorum.
  const names = [
    ...new Set([...listeners.map((l) => l.name), CONTROLLER_LISTENER.name]),
    ...probe.map((p) => p.name),
  ];
  props['listener.security.protocol.map'] = names
    .map((name) => `${name}:${listenerProtocol(spec, name)}`)
    .join(',');
  if (layout.isBroker) props['inter.broker.listener.name'] = REPLICATION_LISTENER.name;
  props['controller.listener.names'] = CONTROLLER_LISTENER.name;
  props['log.dirs'] = LOG_DIR;
  if (layout.isBroker) {
    // A default, not owned: spec.config may set another value.
    props['initial.broker.registration.timeout.ms'] ??= String(
      INITIAL_BROKER_REGISTRATION_TIMEOUT_MS,
    );
  }
  return { ...props, ...securityProperties(spec, layout, layouts) };
}

/** The listeners a node of this role opens, operator-owned ones first. */
export function roleListeners(spec: ClusterSpec, layout: RoleLayout): AdvertisedListener[] {
  const out: AdvertisedListener[] = [];
  if (layout.isController) out.push({ ...CONTROLLER_LISTENER, kind: 'pod' });
  if (layout.isBroker) {
    out.push({ ...REPLICATION_LISTENER, kind: 'pod' });
    for (const l of spec.listeners) out.push(userListener(l));
  }
  return out;
}

function userListener(l: ListenerSpec): AdvertisedListener {
  const name = kafkaListenerName(l.name);
  if (l.type === 'nodeport') {
    return {
      name,
      port: l.port,
      kind: 'nodeport',
      nodePortBase: l.nodePortBase ?? 30092,
      advertisedHost: l.advertisedHost ?? '',
    };
  }
  return { name, port: l.port, kind: 'pod' };
}

/**
 * One line per listener for the start script: `NAME KIND PORT [NODEPORT_BASE [HOST]]`.
 * Whitespace-separated so plain `read` in bash can take it apart.
 */
export function renderListenerTable(listeners: AdvertisedListener[]): string {
  return listeners
    .map((l) =>
      l.kind === 'nodeport'
        ? `${l.name} nodeport ${l.port} ${l.nodePortBase} ${l.advertisedHost || '-'}`
        : `${l.name} pod ${l.port}`,
    )
    .map((line) => `${line}\n`)
    .join('');
}

/** java.util.Properties text; keys are sorted so the output (and its hash) is stable. */
export function renderProperties(props: Properties): string {
  return Object.keys(props)
    .sort()
    .map((key) => `${escape(key, true)}=${escape(props[key]!, false)}\n`)
    .join('');
}

function escape(text: string, isKey: boolean): string {
  let out = text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  if (isKey) out = out.replace(/([=: ])/g, '\\$1');
  return out;
}
