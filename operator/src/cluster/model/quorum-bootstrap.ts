// How a brand-new cluster forms its dynamic KRaft quorum (KIP-853).
//
// Scheme: while the quorum has never had a leader, every initial controller is formatted with
// `--initial-controllers id@host:port:directoryId,...` listing all of them, so the quorum
// starts with its full voter set at once (no sequence of add-controller calls, no window with a
// single voter). The directory ids are derived from (clusterId, nodeId), because every node
// must be formatted with the same list before any of them has run. Once the quorum has formed,
// the list is withdrawn from the ConfigMap: any controller formatted later (scale-up, or a
// voter that lost its disk) uses `--no-initial-controllers`, gets a fresh random directory id,
// starts as an observer and is promoted with add-controller by the operator. A derived id is
// therefore never reused for an empty disk, which is what directory ids exist to detect.
import { createHash } from 'node:crypto';
import type { ClusterRef } from '../cluster-spec.ts';
import {
  CONTROLLER_LISTENER,
  controllerLayout,
  nodeIdOf,
  podDnsName,
  type RoleLayout,
} from './node-layout.ts';

/** A Kafka Uuid (16 bytes, URL-safe base64 without padding) derived from the inputs. */
export function initialDirectoryId(clusterId: string, nodeId: number): string {
  const bytes = createHash('sha256')
    .update(`kraftwerk/${clusterId}/metadata-dir/${nodeId}`)
    .digest();
  return bytes.subarray(0, 16).toString('base64url');
}

/**
 * The `--initial-controllers` argument for a cluster whose quorum has not formed yet, or ''
 * once it has (then new controllers join with --no-initial-controllers).
 */
export function initialControllers(
  cluster: ClusterRef,
  layouts: readonly RoleLayout[],
  clusterId: string,
  quorumFormed: boolean,
): string {
  if (quorumFormed) return '';
  const layout = controllerLayout(layouts);
  return Array.from({ length: layout.spec.replicas }, (_, ordinal) => {
    const id = nodeIdOf(layout, ordinal);
    const host = podDnsName(cluster, layout, ordinal);
    return `${id}@${host}:${CONTROLLER_LISTENER.port}:${initialDirectoryId(clusterId, id)}`;
  }).join(',');
}

/**
 * A new random cluster id in Kafka's format, from 16 random bytes the caller supplies. Never
 * with a leading '-' (1 in 64 random ids had one): kafka-storage.sh reads `--cluster-id -Jb…`
 * as an option and refuses to format, so every node crash-loops. Kafka's own Uuid.randomUuid()
 * draws again in that case; here the top bit of the first byte is cleared ('-' → 'e').
 */
export function clusterIdFromBytes(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new Error('a cluster id needs exactly 16 bytes');
  const b = Buffer.from(bytes);
  if (b[0]! >> 2 === 62) b[0] = b[0]! & 0x7f;
  return b.toString('base64url');
}
