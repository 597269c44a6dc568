// Where every node of a cluster lives: its role, StatefulSet, node id and DNS name.
// Node ids are derived from (role, ordinal) alone so they survive restarts and are unique
// across roles without being stored anywhere.
import type { ClusterRef, ClusterSpec, RoleSpec } from '../cluster-spec.ts';

export type Role = 'controller' | 'broker' | 'combined';

export const CONTROLLER_ID_BASE = 0;
/** Dedicated brokers start here so controller ids (0..) never collide with them. */
export const BROKER_ID_BASE = 100;
export const COMBINED_ID_BASE = 0;

/** Operator-owned listeners: the KRaft quorum and broker-to-broker replication. */
export const CONTROLLER_LISTENER = { name: 'CONTROLLER', port: 9090 } as const;
export const REPLICATION_LISTENER = { name: 'REPLICATION', port: 9091 } as const;
/**
 * Broker roles of a secured cluster only: a PLAINTEXT listener bound to the loopback interface
 * for the exec readiness probe, which has no certificate. Never advertised, no container port,
 * no Service: only processes in the pod's own network namespace reach it.
 */
export const PROBE_LISTENER = { name: 'PROBE', port: 9089, host: '127.0.0.1' } as const;

export const DATA_MOUNT = '/var/lib/kafka/data';
/** A subdirectory, because a fresh volume's root may hold lost+found. */
export const LOG_DIR = `${DATA_MOUNT}/kafka-log`;
export const CONFIG_MOUNT = '/etc/kraftwerk';

export interface RoleLayout {
  role: Role;
  spec: RoleSpec;
  statefulSetName: string;
  /** The headless Service giving each pod a stable DNS name. */
  headlessServiceName: string;
  idBase: number;
  isController: boolean;
  isBroker: boolean;
}

export function isCombined(spec: ClusterSpec): boolean {
  return spec.controllers === undefined;
}

/** The roles present, controllers first (the order things are created and rolled in). */
export function roleLayouts(cluster: ClusterRef, spec: ClusterSpec): RoleLayout[] {
  if (spec.controllers === undefined) {
    return [layout(cluster, 'combined', spec.brokers, COMBINED_ID_BASE)];
  }
  return [
    layout(cluster, 'controller', spec.controllers, CONTROLLER_ID_BASE),
    layout(cluster, 'broker', spec.brokers, BROKER_ID_BASE),
  ];
}

function layout(cluster: ClusterRef, role: Role, spec: RoleSpec, idBase: number): RoleLayout {
  const statefulSetName = statefulSetNameFor(cluster.name, role);
  return {
    role,
    spec,
    statefulSetName,
    headlessServiceName: statefulSetName,
    idBase,
    isController: role !== 'broker',
    isBroker: role !== 'controller',
  };
}

export function statefulSetNameFor(clusterName: string, role: Role): string {
  return role === 'combined' ? `${clusterName}-kafka` : `${clusterName}-${role}`;
}

export function idBaseFor(role: Role): number {
  return role === 'broker'
    ? BROKER_ID_BASE
    : role === 'controller'
      ? CONTROLLER_ID_BASE
      : COMBINED_ID_BASE;
}

export function podName(layout: RoleLayout, ordinal: number): string {
  return `${layout.statefulSetName}-${ordinal}`;
}

export function podDnsName(cluster: ClusterRef, layout: RoleLayout, ordinal: number): string {
  return `${podName(layout, ordinal)}.${layout.headlessServiceName}.${cluster.namespace}.svc`;
}

export function nodeIdOf(layout: RoleLayout, ordinal: number): number {
  return layout.idBase + ordinal;
}

export function nodeIds(layout: RoleLayout, replicas = layout.spec.replicas): number[] {
  return Array.from({ length: replicas }, (_, i) => nodeIdOf(layout, i));
}

export function controllerLayout(layouts: readonly RoleLayout[]): RoleLayout {
  return layouts.find((l) => l.isController)!;
}

export function brokerLayout(layouts: readonly RoleLayout[]): RoleLayout {
  return layouts.find((l) => l.isBroker)!;
}

/** host:port of every controller, for controller.quorum.bootstrap.servers. */
export function quorumBootstrapServers(
  cluster: ClusterRef,
  layouts: readonly RoleLayout[],
): string {
  const c = controllerLayout(layouts);
  return Array.from(
    { length: c.spec.replicas },
    (_, i) => `${podDnsName(cluster, c, i)}:${CONTROLLER_LISTENER.port}`,
  ).join(',');
}

export function bootstrapServiceName(clusterName: string): string {
  return `${clusterName}-kafka-bootstrap`;
}

export function configMapName(clusterName: string): string {
  return `${clusterName}-kafka-config`;
}

/** Kafka listener names are conventionally upper case; the spec's are DNS-label style. */
export function kafkaListenerName(name: string): string {
  return name.toUpperCase().replace(/-/g, '_');
}
