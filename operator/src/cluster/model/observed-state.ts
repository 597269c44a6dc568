// What the reconciler observes and hands to the planners: pods from the API server, quorum,
// partitions and broker registrations from Kafka's Admin API. Plain data, no clients.
import type { Role } from './node-layout.ts';

export interface ObservedPod {
  name: string;
  role: Role;
  ordinal: number;
  nodeId: number;
  /** The pod's controller-revision-hash label. */
  revision: string;
  /** The StatefulSet's status.updateRevision: what the pod should run. */
  desiredRevision: string;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  ready: boolean;
  /** A container waiting in CrashLoopBackOff (or repeatedly terminated with an error). */
  crashLooping: boolean;
  /** Why a container keeps failing, for the status; set while it does (observe-pod.ts). */
  failure?: PodFailure;
  /** Running but not ready for this long; undefined when ready or unknown. */
  unreadySeconds?: number;
  /** Ready for this long; undefined when not ready or unknown. */
  readySeconds?: number;
  /** metadata.deletionTimestamp is set: a restart is already under way. */
  terminating: boolean;
  /** Someone set the kraftwerk.dev/restart annotation. */
  restartRequested?: boolean;
  /** Kafka version the pod runs (its kraftwerk.dev/kafka-version annotation). */
  kafkaVersion?: string;
  /** status.hostIP: what a nodeport listener without advertisedHost advertises. */
  hostIP?: string;
  /** spec.nodeName: the node the pod is bound to; absent while unscheduled. */
  nodeName?: string;
  /**
   * Its node is not Ready (kubelet silent: stopped, partitioned, lost) or gone, as
   * "node <name> <state> since <time>: <reason>"; set only when the node cache is known.
   */
  nodeProblem?: string;
  /** Pending and refused by the scheduler: its message ("0/4 nodes are available: …"). */
  unschedulable?: string;
}

export interface PodFailure {
  /** The waiting reason (CrashLoopBackOff, ImagePullBackOff, …) or the last termination's. */
  reason: string;
  /** What went wrong in one line: Kafka's exception from the container's termination message
   *  (its log tail, FallbackToLogsOnError), or the kubelet's waiting message. */
  detail?: string;
}

export interface QuorumVoter {
  nodeId: number;
  directoryId?: string;
  /** How far the replica's log end offset is behind the leader's. */
  lag: number;
}

export interface QuorumState {
  leaderId: number;
  voters: QuorumVoter[];
  observers: QuorumVoter[];
  /** kraft.version feature level: 1 means a dynamic quorum (KIP-853). */
  kraftVersion?: number;
}

export interface PartitionState {
  topic: string;
  partition: number;
  replicas: number[];
  isr: number[];
  /** The leader's node.id; -1: no leader, the partition is offline (absent: not observed). */
  leader?: number;
  /** The topic's effective min.insync.replicas. */
  minIsr: number;
}

export interface BrokerRegistration {
  nodeId: number;
  fenced: boolean;
}
