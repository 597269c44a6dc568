// Turns a Pod from the API server into the planners' ObservedPod. Pure: the caller passes
// the owning StatefulSet's updateRevision and the current time.
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import {
  KAFKA_VERSION_ANNOTATION,
  MANUAL_RESTART_ANNOTATION,
  ROLE_LABEL,
} from '../model/labels.ts';
import { idBaseFor } from '../model/node-layout.ts';
import type { Role } from '../model/node-layout.ts';
import type { ObservedPod, PodFailure } from '../model/observed-state.ts';
import type { NodeFacts } from './nodes.ts';
import { nodeProblem } from './observe-node.ts';

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
/** Restarts after which a failing container counts as crash-looping between two back-offs too. */
const RESTARTS_TO_FAIL = 3;
/** A condition message stays readable; Kafka's exception lines can be long. */
const DETAIL_MAX = 300;

/**
 * undefined when the pod is not one of ours (no role label, no ordinal). `nodes` answers from
 * the node cache; without it nothing is said about the pod's node.
 */
export function observePod(
  pod: V1Pod,
  updateRevision: string,
  now: Date,
  nodes?: (name: string) => NodeFacts | undefined,
): ObservedPod | undefined {
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
  const failure = podFailure(statuses, ready);
  const since = readyCondition?.lastTransitionTime ?? pod.status?.startTime;
  const sinceSeconds =
    since !== undefined
      ? Math.max(0, Math.floor((now.getTime() - new Date(since).getTime()) / 1000))
      : undefined;
  const unreadySeconds = ready ? undefined : sinceSeconds;
  const readySeconds = ready ? sinceSeconds : undefined;
  const annotations = pod.metadata?.annotations ?? {};
  const nodeName = pod.spec?.nodeName;
  const onNode = nodeName && nodes ? nodeProblem(nodeName, nodes) : undefined;
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  const unschedulable =
    !nodeName && scheduled?.status === 'False' && scheduled.reason === 'Unschedulable'
      ? trimLine(scheduled.message ?? 'Unschedulable')
      : undefined;
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
    ...(failure ? { failure } : {}),
    ...(unreadySeconds !== undefined ? { unreadySeconds } : {}),
    ...(readySeconds !== undefined ? { readySeconds } : {}),
    terminating:
      pod.metadata?.deletionTimestamp !== undefined && pod.metadata?.deletionTimestamp !== null,
    ...(MANUAL_RESTART_ANNOTATION in annotations ? { restartRequested: true } : {}),
    ...(annotations[KAFKA_VERSION_ANNOTATION]
      ? { kafkaVersion: annotations[KAFKA_VERSION_ANNOTATION] }
      : {}),
    ...(pod.status?.hostIP ? { hostIP: pod.status.hostIP } : {}),
    ...(nodeName ? { nodeName } : {}),
    ...(onNode ? { nodeProblem: onNode } : {}),
    ...(unschedulable ? { unschedulable } : {}),
  };
}

/**
 * Why the pod's containers keep failing, or undefined. A container waiting in a stuck reason
 * fails; so does one that, not ready, has restarted RESTARTS_TO_FAIL times after an error (it
 * runs for a few seconds between two back-offs, and the status should not flap meanwhile).
 */
function podFailure(statuses: V1ContainerStatus[], ready: boolean): PodFailure | undefined {
  for (const s of statuses) {
    const waiting = s.state?.waiting?.reason ?? '';
    const last = s.state?.terminated ?? s.lastState?.terminated; // the latest termination
    const failedBefore = last !== undefined && last.exitCode !== 0;
    const stuck = STUCK_WAITING_REASONS.includes(waiting);
    if (!stuck && (ready || !failedBefore || (s.restartCount ?? 0) < RESTARTS_TO_FAIL)) continue;
    const detail =
      (last?.message ? exceptionLine(last.message) : undefined) ??
      (waiting !== 'CrashLoopBackOff' ? s.state?.waiting?.message : undefined) ??
      (last ? `exit code ${last.exitCode}${last.reason ? ` (${last.reason})` : ''}` : undefined);
    return {
      reason: stuck ? waiting : (last?.reason ?? 'Error'),
      ...(detail ? { detail: trimLine(detail) } : {}),
    };
  }
  return undefined;
}

/**
 * The line of a log tail that says what went wrong: the last one naming an exception or
 * error class (Kafka logs "ERROR Exiting Kafka due to fatal exception" and then the exception
 * with its stack), else the last line that is not a stack frame.
 */
export function exceptionLine(log: string): string | undefined {
  const lines = log
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^(at |\.\.\. \d+ (more|common frames omitted))/.test(l));
  const named = lines.filter((l) => /[A-Za-z0-9_$](Exception|Error)\b/.test(l));
  const line = named.at(-1) ?? lines.at(-1);
  return line === undefined ? undefined : trimLine(line);
}

function trimLine(line: string): string {
  const one = line.replace(/\s+/g, ' ').trim();
  return one.length <= DETAIL_MAX ? one : `${one.slice(0, DETAIL_MAX - 1)}…`;
}
