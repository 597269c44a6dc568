// The names a KafkaCluster node certificate must carry. One certificate per role covers every
// pod of it (the pods share one Secret); a scale-up adds names, and the renewal planner then
// re-issues because the old certificate no longer covers them.
import { isIP } from 'node:net';
import type { Role } from '../cluster/model/node-layout.ts';
import { bootstrapServiceName, statefulSetNameFor } from '../cluster/model/node-layout.ts';
import { canonicalIp } from './facts.ts';

export interface SubjectAltNames {
  dnsNames: string[];
  ipAddresses: string[];
}

export interface NodeSansInput {
  clusterName: string;
  namespace: string;
  role: Role;
  replicas: number;
  /** Brokers are reached through the bootstrap Service too; controllers are not. */
  bootstrapService: boolean;
  /** Every advertised host of the role's listeners: DNS names or IP literals. */
  advertisedHosts: readonly string[];
  clusterDomain?: string;
}

/** Sorted and without duplicates, so equal inputs give equal lists. */
export function nodeSans(input: NodeSansInput): SubjectAltNames {
  const { clusterName, namespace, role } = input;
  const domain = input.clusterDomain ?? 'cluster.local';
  // The headless Service carries the StatefulSet's name (node-layout.ts).
  const sts = statefulSetNameFor(clusterName, role);
  const hosts: string[] = [];
  for (let i = 0; i < input.replicas; i++) {
    hosts.push(
      `${sts}-${i}.${sts}.${namespace}.svc`,
      `${sts}-${i}.${sts}.${namespace}.svc.${domain}`,
    );
  }
  if (input.bootstrapService) {
    const bootstrap = bootstrapServiceName(clusterName);
    hosts.push(
      bootstrap,
      `${bootstrap}.${namespace}`,
      `${bootstrap}.${namespace}.svc`,
      `${bootstrap}.${namespace}.svc.${domain}`,
    );
  }
  return splitHosts([...hosts, ...input.advertisedHosts]);
}

/** An IP literal goes to an IP SAN: a DNS SAN holding an address matches no client. */
export function splitHosts(hosts: readonly string[]): SubjectAltNames {
  const dns = new Set<string>();
  const ips = new Set<string>();
  for (const host of hosts) {
    if (isIP(host) !== 0) ips.add(canonicalIp(host));
    else dns.add(host.toLowerCase());
  }
  return { dnsNames: [...dns].sort(), ipAddresses: [...ips].sort() };
}

/** The names `wanted` asks for that `present` lacks (both canonical, as above). */
export function missingSans(wanted: SubjectAltNames, present: SubjectAltNames): string[] {
  const dns = new Set(present.dnsNames.map((n) => n.toLowerCase()));
  const ips = new Set(present.ipAddresses.map(canonicalIp));
  return [
    ...wanted.dnsNames.filter((n) => !dns.has(n.toLowerCase())),
    ...wanted.ipAddresses.filter((ip) => !ips.has(canonicalIp(ip))),
  ];
}
