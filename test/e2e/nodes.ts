// What the multi-node scenarios share: the kind cluster's nodes and zones, the node a pod runs
// on, Kafka's own view of each broker's rack, and `docker` for stopping a node's container.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { kafkaHome } from '../fixtures/toolchain.ts';
import { type Condition, e2e, get, listPods, paths, type Pod, waitFor } from './lib.ts';

const run = promisify(execFile);
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

export interface NodeInfo {
  name: string;
  zone?: string;
  ready: boolean;
  unschedulable: boolean;
}

interface WireNode {
  metadata: { name: string; labels?: Record<string, string> };
  spec?: { unschedulable?: boolean };
  status?: { conditions?: { type: string; status: string }[] };
}

/** The nodes that run workloads (kind's workers: the control plane is tainted). */
export async function workers(): Promise<NodeInfo[]> {
  const list = await get<{ items: WireNode[] }>(
    `/api/v1/nodes?labelSelector=${encodeURIComponent('!node-role.kubernetes.io/control-plane')}`,
  );
  return list.items
    .map((n) => ({
      name: n.metadata.name,
      ...(n.metadata.labels?.[ZONE_LABEL] ? { zone: n.metadata.labels[ZONE_LABEL] } : {}),
      ready: n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true,
      unschedulable: n.spec?.unschedulable === true,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export type PlacedPod = Pod & { spec?: { nodeName?: string } };

/** The e2e cluster's Kafka pods with the node each is bound to. */
export async function kafkaPods(): Promise<PlacedPod[]> {
  return (await listPods(`kraftwerk.dev/cluster=${e2e.cluster}`)) as PlacedPod[];
}

/**
 * Waits until `node` runs no running pod without a controller. kind's local-path provisioner
 * starts such pods (helper-pod-create-pvc-…, helper-pod-delete-pvc-…) on a volume's node to
 * create or wipe its directory, for a few seconds after a claim of an earlier scenario comes
 * or goes; `kubectl drain` refuses a node while one runs, and --force would kill it mid-wipe.
 * Returns what it waited for, for the log.
 */
export async function unmanagedPodsGone(node: string, timeoutMs = 120_000): Promise<string[]> {
  const seen = new Set<string>();
  await waitFor(
    `no controller-less pod running on ${node}`,
    async () => {
      const list = await get<{
        items: (Pod & { metadata: { namespace?: string; ownerReferences?: unknown[] } })[];
      }>(`/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`);
      const left = list.items.filter(
        (p) =>
          !p.metadata.ownerReferences?.length &&
          p.status?.phase !== 'Succeeded' &&
          p.status?.phase !== 'Failed' &&
          // static (mirror) pods are not drained
          !p.metadata.annotations?.['kubernetes.io/config.mirror'],
      );
      for (const p of left) seen.add(`${p.metadata.namespace}/${p.metadata.name}`);
      return left.length === 0;
    },
    { timeoutMs, intervalMs: 1000 },
  );
  return [...seen];
}

export const roleOf = (p: Pod) => p.metadata.labels?.['kraftwerk.dev/role'];

/**
 * Each broker's rack as Kafka itself reports it (Kafka's kafka-broker-api-versions tool prints
 * "host:port (id: 100 rack: zone-a isFenced: false) -> (…"): node id → rack or null. Run by
 * its class: the toolchain keeps only the scripts the suites use.
 */
export async function brokerRacks(): Promise<Map<number, string | null>> {
  const { stdout: out } = await run(
    join(kafkaHome(), 'bin', 'kafka-run-class.sh'),
    ['org.apache.kafka.tools.BrokerApiVersionsCommand', '--bootstrap-server', e2e.hostBootstrap],
    { maxBuffer: 16 << 20, env: { ...process.env, KAFKA_HEAP_OPTS: '-Xmx256m' } },
  );
  const racks = new Map<number, string | null>();
  for (const m of out.matchAll(/\(id: (\d+) rack: (\S+?)[ )]/g)) {
    racks.set(Number(m[1]), m[2] === 'null' ? null : m[2]!);
  }
  return racks;
}

/** `docker` on the kind node containers (a kind node is a container named like the node). */
export async function docker(...args: string[]): Promise<string> {
  const { stdout } = await run('docker', args, { maxBuffer: 16 << 20 });
  return stdout;
}

/**
 * Sends `signal` to the process of pod `pod` whose command line matches `command` (a grep
 * pattern), on its kind node: kind nodes are containers on this host, so `docker exec` reaches
 * the node's process table, where the kubelet set HOSTNAME=<pod> in the process's environment.
 * (Inside the pod the process may be PID 1, which ignores a STOP it did not ask for.) Returns
 * the PID; exactly one process must match.
 */
export async function signalPodProcess(
  nodeName: string,
  pod: string,
  command: string,
  signal: 'STOP' | 'CONT',
): Promise<string> {
  const script = `for p in /proc/[0-9]*; do
    if tr '\\0' '\\n' < "$p/environ" 2>/dev/null | grep -qx "HOSTNAME=${pod}" &&
       tr '\\0' ' ' < "$p/cmdline" 2>/dev/null | grep -q '${command}'; then
      kill -${signal} "\${p#/proc/}" && echo "\${p#/proc/}"; fi; done`;
  const pids = (await docker('exec', nodeName, 'sh', '-c', script))
    .trim()
    .split('\n')
    .filter(Boolean);
  if (pids.length !== 1) {
    throw new Error(`expected one process '${command}' of ${pod} on ${nodeName}, got [${pids}]`);
  }
  return pids[0]!;
}

/** The e2e cluster's conditions. */
export async function clusterConditions(): Promise<Condition[]> {
  return (await get(paths.cluster())).status?.conditions ?? [];
}
