// Assembles the operator: one API client, the informers, one controller per kind, and the
// manager that runs them (leader election, health, metrics, shutdown). main.ts calls it with
// settings from the environment; integration tests call it in-process against a real API server.
import type { ClusterConnection } from './runtime/kubeconfig.ts';
import { kinds } from './api/kinds.ts';
import type { KafkaCluster } from './api/kafka-cluster.ts';
import type { KafkaConsumerGroup } from './api/kafka-consumer-group.ts';
import type { KafkaTopic } from './api/kafka-topic.ts';
import type { KafkaUser } from './api/kafka-user.ts';
import {
  clusterKeyOfLabelled,
  type PodObject,
  type StatefulSetObject,
} from './cluster/observe/cluster-resource.ts';
import { CLUSTER_LABEL } from './cluster/model/labels.ts';
import { nodeChanged, podNodeName, slimNode, type NodeObject } from './cluster/observe/nodes.ts';
import { clusterReconciler } from './cluster/reconciler.ts';
import type { OperatorPods } from './cluster/render/render-network-policy.ts';
import { consumerGroupReconciler } from './consumergroup/reconciler.ts';
import { KafkaConnections } from './kafka/connections.ts';
import { OperatorCredentialSource } from './kafka-credentials.ts';
import { systemClock, type Clock } from './runtime/clock.ts';
import { Controller, specOrMetadataChanged } from './runtime/controller.ts';
import { EventRecorder } from './runtime/events.ts';
import { portFence } from './runtime/fence.ts';
import { Informer, type InformerOptions } from './runtime/informer.ts';
import { KubeClient, resourceOfPath } from './runtime/kube-client.ts';
import { kubeLeaseStore } from './runtime/leader-election.ts';
import type { Logger } from './runtime/logger.ts';
import type { KubeObject } from './runtime/resource.ts';
import { Manager } from './runtime/manager.ts';
import { createOperatorMetrics, type OperatorMetrics } from './runtime/operator-metrics.ts';
import { SecretReader } from './secret-reader.ts';
import { topicReconciler } from './topic/reconciler.ts';
import { userReconciler } from './user/reconciler.ts';
import { usernameOf } from './user/user-resource.ts';

/** The Lease this instance campaigns for; timings default to leader-election.ts's. */
export interface LeaderElectionSettings {
  namespace: string;
  leaseName: string;
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface OperatorOptions {
  kubeConfig: ClusterConnection;
  logger: Logger;
  /** Namespaces to watch; empty: all. */
  namespaces: readonly string[];
  leaderElection?: LeaderElectionSettings;
  /** Deadline of one reconcile; default 2 minutes (work-queue.ts). */
  reconcileTimeoutMs?: number;
  /** undefined: no HTTP server (tests); 0: any free port. */
  httpPort?: number;
  resyncMs: number;
  clock?: Clock;
  /** Identifies this instance in Events. */
  identity: string;
  /**
   * Where the operator reaches a KafkaCluster's brokers; default: its bootstrap Service on the
   * REPLICATION listener (in-cluster DNS). Tests running outside a cluster point it elsewhere.
   */
  clusterBootstrap?: (cluster: { name: string; namespace: string }) => string;
  /** The operator's own pods, admitted to each cluster's replication port by its NetworkPolicy. */
  operatorPods?: OperatorPods;
  /**
   * Cache every Node (default true): broker.rack from the node's label. false where the
   * operator may not list Nodes (rbac.readNodes: false): RackKnown then says why.
   */
  readNodes?: boolean;
  /** How long the operator's certificate for a secured cluster is used before its Secret is
   *  read again (kafka-credentials.ts; default 30 s). */
  credentialsTtlMs?: number;
}

export interface Operator {
  manager: Manager;
  metrics: OperatorMetrics;
  client: KubeClient;
  /** One connection set per Kafka cluster, for every reconciler. */
  kafka: KafkaConnections;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createOperator(o: OperatorOptions): Operator {
  const clock = o.clock ?? systemClock;
  const metrics = createOperatorMetrics();
  const client = new KubeClient(o.kubeConfig, {
    onResponse: (method, path, code) =>
      metrics.kubeRequests.inc({ method, resource: resourceOfPath(path), code: String(code) }),
  });
  const events = new EventRecorder({
    client,
    reportingController: 'kraftwerk.dev/operator',
    reportingInstance: o.identity,
    clock,
    logger: o.logger,
  });
  const kafka = new KafkaConnections({
    clientId: 'kraftwerk-operator',
    onRequest: (api) => metrics.kafkaRequests.inc({ api }),
  });
  // The operator's identity on secured clusters, one Secret read shared by all reconcilers.
  const credentialSource = new OperatorCredentialSource({
    client,
    clock,
    ...(o.credentialsTtlMs !== undefined ? { ttlMs: o.credentialsTtlMs } : {}),
  });
  const credentials = (kc: KafkaCluster) => credentialSource.forCluster(kc);
  // Secrets reconcilers read but do not write (spec.authentication/spec.tls of topics and groups,
  // a cluster's CAs for its users): one reader, so a burst naming one Secret costs one GET.
  const secrets = new SecretReader({ client, clock });
  const secured = {
    credentials,
    ...(o.clusterBootstrap ? { replicationBootstrap: o.clusterBootstrap } : {}),
  };
  const manager = new Manager({
    metrics,
    logger: o.logger,
    ...(o.httpPort !== undefined ? { healthPort: o.httpPort } : {}),
    ...(o.leaderElection
      ? {
          leaderElection: {
            store: kubeLeaseStore(client, o.leaderElection.namespace, o.leaderElection.leaseName),
            leaseName: o.leaderElection.leaseName,
            identity: o.leaderElection.identity,
            ...timings(o.leaderElection),
          },
        }
      : {}),
    events,
  });
  // The write fence (docs/operations.md): with leader election, no API write and no Kafka
  // request leaves this process unless its lease is fresh.
  client.setWriteGuard(() => manager.assertLeader());
  const fence = portFence(() => manager.assertLeader());
  // What every controller gets: failure reports, the abandon annotation, the deadline.
  const generic = {
    client,
    events,
    ...(o.reconcileTimeoutMs !== undefined ? { timeoutMs: o.reconcileTimeoutMs } : {}),
  };

  // By apiVersion and kind, as the informers' metrics and logs name them (discovery finds where).
  const informer = <T extends KubeObject>(
    { apiVersion, kind }: { apiVersion: string; kind: string },
    extra: Pick<InformerOptions, 'labelSelector' | 'transform'> = {},
  ) =>
    manager.addInformer(
      new Informer<T>({
        client,
        resource: { apiVersion, kind },
        namespaces: o.namespaces,
        ...extra,
        clock,
        logger: o.logger,
        metrics,
      }),
    );
  const clusters = informer<KafkaCluster>(kinds.KafkaCluster);
  const topics = informer<KafkaTopic>(kinds.KafkaTopic);
  const groups = informer<KafkaConsumerGroup>(kinds.KafkaConsumerGroup);
  const users = informer<KafkaUser>(kinds.KafkaUser);

  // KafkaCluster: the objects it owns are watched through informers that only list what carries
  // the cluster label, so the operator never caches every pod of the cluster it runs in.
  const owned = <T extends KubeObject>(apiVersion: string, kind: string) =>
    informer<T>({ apiVersion, kind }, { labelSelector: CLUSTER_LABEL });
  const statefulSets = owned<StatefulSetObject>('apps/v1', 'StatefulSet');
  const pods = owned<PodObject>('v1', 'Pod');
  const services = owned<KubeObject>('v1', 'Service');
  const configMaps = owned<KubeObject & { data?: Record<string, string> }>('v1', 'ConfigMap');
  const pdbs = owned<KubeObject>('policy/v1', 'PodDisruptionBudget');
  const networkPolicies = owned<KubeObject>('networking.k8s.io/v1', 'NetworkPolicy');
  // Every node, slimmed (cluster-scoped, whatever namespaces are watched): the rack of the
  // node a broker runs on, and whether that node is Ready.
  const nodes =
    (o.readNodes ?? true)
      ? manager.addInformer(
          new Informer<NodeObject>({
            client,
            resource: { apiVersion: 'v1', kind: 'Node' },
            transform: slimNode,
            clock,
            logger: o.logger,
            metrics,
          }),
        )
      : undefined;
  const clusterController = manager.addController(
    new Controller({
      name: 'kafkacluster',
      informer: clusters,
      // Its own status writes must not trigger it again; owned objects and pods do. The
      // reconciler brings its finalizer (the teardown): the controller adds and removes it.
      enqueueUpdate: specOrMetadataChanged,
      reconcile: clusterReconciler({
        client,
        clusters,
        statefulSets,
        pods,
        services,
        configMaps,
        ...(nodes ? { nodes } : {}),
        podDisruptionBudgets: pdbs,
        networkPolicies,
        ...(o.operatorPods ? { operatorPods: o.operatorPods } : {}),
        kafka: (bootstrap, security) => fence(kafka.get(bootstrap, security)),
        clusterKafka: (bootstrap, security) => fence(kafka.cluster(bootstrap, security)),
        credentials,
        ...(o.clusterBootstrap ? { bootstrapOf: o.clusterBootstrap } : {}),
        release: (bootstrap) => kafka.release(bootstrap),
        events,
        clock,
        logger: o.logger,
        registry: metrics.registry,
      }),
      resyncPeriodMs: o.resyncMs,
      ...generic,
      concurrency: 4,
      clock,
      logger: o.logger,
      metrics,
    })
      .owns(statefulSets)
      .owns(services)
      .owns(configMaps)
      .owns(pdbs)
      .owns(networkPolicies)
      // Pods are owned by their StatefulSet; the cluster label names the KafkaCluster.
      .watches(pods, clusterKeyOfLabelled),
  );
  if (nodes) {
    // A node's labels or readiness concern the clusters with pods on it; heartbeats do not.
    clusterController.watches(
      nodes,
      (node) => [
        ...new Set(
          pods
            .list()
            .filter((p) => podNodeName(p) === node.metadata?.name)
            .flatMap(clusterKeyOfLabelled),
        ),
      ],
      nodeChanged,
    );
  }

  manager.addController(
    new Controller({
      name: 'kafkatopic',
      informer: topics,
      // The reconciler brings its finalizer: the controller adds and removes it.
      enqueueUpdate: specOrMetadataChanged,
      reconcile: topicReconciler({
        client,
        topics,
        clusters,
        kafka: (bootstrap, security) => fence(kafka.get(bootstrap, security)),
        ...secured,
        secrets,
        events,
        clock,
        logger: o.logger,
      }),
      resyncPeriodMs: o.resyncMs,
      ...generic,
      // Kafka calls of concurrent reconciles are batched underneath, so more of them in flight
      // means fewer, larger Kafka requests rather than more load. Measured at 1,000 topics:
      // 32 → 128 took the time from 4.4–5.1× to 2.8× raw kafkajs createTopics.
      concurrency: 128,
      clock,
      logger: o.logger,
      metrics,
    }).watches(clusters, (c) =>
      // A cluster becoming Ready (or going away) concerns every topic that names it.
      topics
        .list(c.metadata?.namespace)
        .filter((t) => t.spec.cluster === c.metadata?.name)
        .map((t) => `${t.metadata.namespace}/${t.metadata.name}`),
    ),
  );

  manager.addController(
    new Controller({
      name: 'kafkaconsumergroup',
      informer: groups,
      enqueueUpdate: specOrMetadataChanged,
      // Each reconcile is a poll and requeues itself at the group's poll interval.
      reconcile: consumerGroupReconciler({
        client,
        groups,
        clusters,
        statefulSets,
        kafka: (bootstrap, security) => fence(kafka.get(bootstrap, security)),
        ...secured,
        secrets,
        events,
        clock,
        logger: o.logger,
        registry: metrics.registry,
      }),
      ...generic,
      finalizers: [],
      // Polls on the same tick share Kafka requests (kafka/group-batch.ts), so a batch holds
      // as many groups as run at once: at 1,000 groups every 5 s, 8 made batches of ~3 groups
      // and the queue too slow to poll each group every interval (bench/consumergroup/README.md).
      concurrency: 64,
      clock,
      logger: o.logger,
      metrics,
    }),
  );

  manager.addController(
    new Controller({
      name: 'kafkauser',
      informer: users,
      // The reconciler brings its finalizer: the controller adds and removes it.
      enqueueUpdate: specOrMetadataChanged,
      reconcile: userReconciler({
        client,
        users,
        clusters,
        kafka: (bootstrap, security) => fence(kafka.user(bootstrap, security)),
        credentials,
        ...(o.clusterBootstrap ? { replicationBootstrap: o.clusterBootstrap } : {}),
        secrets,
        events,
        clock,
        logger: o.logger,
      }),
      resyncPeriodMs: o.resyncMs,
      ...generic,
      // Kafka calls of concurrent reconciles are batched underneath (kafka/user-batcher.ts), as
      // for topics: more in flight means fewer, larger requests.
      concurrency: 64,
      clock,
      logger: o.logger,
      metrics,
    })
      // A user name freed (its holder deleted, or renamed away) goes to the next KafkaUser
      // declaring it without waiting for the resync.
      .watches(users, (u) =>
        users
          .list(u.metadata.namespace)
          .filter(
            (o) =>
              o.metadata.uid !== u.metadata.uid &&
              o.spec.cluster === u.spec.cluster &&
              usernameOf(o) === usernameOf(u),
          )
          .map((o) => `${o.metadata.namespace}/${o.metadata.name}`),
      )
      .watches(clusters, (c) =>
        // A cluster becoming Ready, changing listeners or authorization concerns its users.
        users
          .list(c.metadata?.namespace)
          .filter((u) => u.spec.cluster === c.metadata?.name)
          .map((u) => `${u.metadata.namespace}/${u.metadata.name}`),
      ),
  );

  return {
    manager,
    metrics,
    client,
    kafka,
    start: () => manager.start(),
    stop: async () => {
      await manager.stop();
      await kafka.closeAll();
    },
  };
}

function timings(le: NonNullable<OperatorOptions['leaderElection']>) {
  return {
    ...(le.leaseDurationMs !== undefined ? { leaseDurationMs: le.leaseDurationMs } : {}),
    ...(le.renewDeadlineMs !== undefined ? { renewDeadlineMs: le.renewDeadlineMs } : {}),
    ...(le.retryPeriodMs !== undefined ? { retryPeriodMs: le.retryPeriodMs } : {}),
  };
}
