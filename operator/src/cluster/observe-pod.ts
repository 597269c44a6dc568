// Turns a Pod from the API server into the planners' ObservedPod. Pure: the caller passes
// the owning StatefulSet's updateRevision and the current time.
import type { V1Pod } from '@kubernetes/client-node';
import { KAFKA_VERSION_ANNOTATION, MANUAL_RESTART_ANNOTATION, ROLE_LABEL } from './labels.ts';
import { idBaseFor } from './node-layout.ts';
import type { Role } from './node-layout.ts';
import type { ObservedPod } from './observed-state.ts';

/** Waiting reasons of a container that will not get better without a new spec or a restart. */
const STUCK_WAITING_REASONS = [
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
];

const ROLES: Role[] = ['controller', 'broker', 'combined'];

/** undefined when the pod is not one of ours (no role label, no ordinal). */
export function observePod(pod: V1Pod, updateRevision: string, now: Date): ObservedPod | undefined {
  const role = pod.metadata?.labels?.[ROLE_LABEL] as Role | undefined;
  const name = pod.metadata?.name ?? '';
  const ordinalText = /-(\d+)$/.exec(name)?.[1];
  if (!role || !ROLES.includes(role) || ordinalText === undefined) return undefined;
  const ordinal = Number(ordinalText);
  const readyCondition = pod.status?.conditions?.find((c) => c.type === 'Ready');
  const ready = readyCondition?.status === 'True';
  const phase = (pod.status?.phase ?? 'Unknown') as ObservedPod['phase'];
  const statuses = [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ];
  const crashLooping = statuses.some((s) =>
    STUCK_WAITING_REASONS.includes(s.state?.waiting?.reason ?? ''),
  );
  const since = readyCondition?.lastTransitionTime ?? pod.status?.startTime;
  const sinceSeconds =
    since !== undefined
      ? Math.max(0, Math.floor((now.getTime() - new Date(since).getTime()) / 1000))
      : undefined;
  const unreadySeconds = ready ? undefined : sinceSeconds;
  const readySeconds = ready ? sinceSeconds : undefined;
  const annotations = pod.metadata?.annotations ?? {};
  return {
    name,
    role,
    ordinal,
    nodeId: idBaseFor(role) + ordinal,
    revision: pod.metadata?.labels?.['controller-revision-hash'] ?? '',
    desiredRevision: updateRevision,
    phase,
    ready,
    crashLooping,
    ...(unreadySeconds !== undefined ? { unreadySeconds } : {}),
    ...(readySeconds !== undefined ? { readySeconds } : {}),
    terminating:
      pod.metadata?.deletionTimestamp !== undefined && pod.metadata?.deletionTimestamp !== null,
    ...(MANUAL_RESTART_ANNOTATION in annotations ? { restartRequested: true } : {}),
    ...(annotations[KAFKA_VERSION_ANNOTATION]
      ? { kafkaVersion: annotations[KAFKA_VERSION_ANNOTATION] }
      : {}),
    ...(pod.status?.hostIP ? { hostIP: pod.status.hostIP } : {}),
  };
}
