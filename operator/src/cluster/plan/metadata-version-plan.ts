// The second half of a version upgrade: once every node runs the new Kafka, raise the
// cluster's metadata.version (kafka-features upgrade --release-version X.Y). Until then the
// old metadata version keeps a rollback to the old binaries possible.
import type { ObservedPod } from '../model/observed-state.ts';
import { needsRestart } from './roll-plan.ts';

export interface MetadataVersionInput {
  /** spec.version, e.g. "4.1.1". */
  desiredVersion: string;
  pods: ObservedPod[];
  /** The finalized metadata.version, e.g. "4.0-IV3"; undefined when unknown. */
  currentMetadataVersion?: string;
  /** Pods the StatefulSets should have; a missing pod means a node is not running yet. */
  expectedPods: number;
}

export type MetadataVersionDecision =
  | { action: 'upgrade'; releaseVersion: string; message: string }
  | { action: 'wait'; reason: 'NodesNotUpgraded' | 'MetadataVersionUnknown'; message: string }
  | { action: 'none'; message?: string };

/** "4.1.1" -> "4.1": the release version kafka-features understands. */
export function releaseVersionOf(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

function compareRelease(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am - bm || an - bn;
}

export function planMetadataVersion(input: MetadataVersionInput): MetadataVersionDecision {
  const target = releaseVersionOf(input.desiredVersion);
  if (input.currentMetadataVersion === undefined) {
    return {
      action: 'wait',
      reason: 'MetadataVersionUnknown',
      message: 'the finalized metadata.version is not known yet',
    };
  }
  const current = input.currentMetadataVersion.split('-')[0]!;
  if (compareRelease(current, target) >= 0) return { action: 'none' };
  const behind = input.pods.filter(
    (p) =>
      needsRestart(p) ||
      !p.ready ||
      p.terminating ||
      (p.kafkaVersion !== undefined && p.kafkaVersion !== input.desiredVersion),
  );
  if (behind.length > 0 || input.pods.length < input.expectedPods) {
    const names =
      behind.map((p) => p.name).join(', ') ||
      `${input.expectedPods - input.pods.length} missing pod(s)`;
    return {
      action: 'wait',
      reason: 'NodesNotUpgraded',
      message: `metadata.version stays at ${input.currentMetadataVersion} until every node runs ${input.desiredVersion} (not yet: ${names})`,
    };
  }
  return {
    action: 'upgrade',
    releaseVersion: target,
    message: `every node runs ${input.desiredVersion}; raising metadata.version from ${input.currentMetadataVersion} to the ${target} release`,
  };
}
