// The Prometheus JMX exporter agent every Kafka pod runs (docs/metrics.md): where it lives in
// the image, where it listens, and the one rules file the operator renders into the
// `<cluster>-metrics` ConfigMap. The names it produces are a contract with alert rules and
// dashboards: change one only with them (test/integration/kafka-metrics.test.ts checks them
// against a real broker and controller).

/** Where the Kafka image carries the agent (hack/images/kafka/Dockerfile). */
export const JMX_EXPORTER_JAR = '/opt/jmx-exporter/jmx_prometheus_javaagent.jar';
export const METRICS_PORT = 9404;
export const METRICS_PORT_NAME = 'metrics';
export const METRICS_PATH = '/metrics';
/** The rules file: its key in the ConfigMap and where the pods mount it. */
export const METRICS_CONFIG_KEY = 'config.yaml';
export const METRICS_CONFIG_MOUNT = '/etc/kraftwerk-metrics';

/**
 * The JVM option that loads the agent: `[host:]port:config` is the agent's own argument syntax.
 * Pods bind every interface (Prometheus scrapes the pod IP); tests pass 127.0.0.1.
 */
export function javaAgentOption(
  configPath: string,
  port: number = METRICS_PORT,
  host?: string,
  jar: string = JMX_EXPORTER_JAR,
): string {
  return `-javaagent:${jar}=${host ? `${host}:` : ''}${port}:${configPath}`;
}

/**
 * Request types whose latency quantiles are exported: what clients and the quorum wait on.
 * Kafka keeps a TotalTimeMs histogram for every API key from start-up (some 70 of them, three
 * quantiles each); the rest add series nobody graphs.
 */
const LATENCY_REQUESTS = [
  'Produce',
  'FetchConsumer',
  'FetchFollower',
  'Fetch',
  'Metadata',
  'ListOffsets',
  'OffsetCommit',
  'OffsetFetch',
  'FindCoordinator',
  'JoinGroup',
  'SyncGroup',
  'Heartbeat',
  'ConsumerGroupHeartbeat',
  'CreateTopics',
  'Vote',
  'BeginQuorumEpoch',
  'BrokerHeartbeat',
] as const;

/**
 * The exporter's configuration. includeObjectNames keeps the agent from even reading the
 * MBeans no rule uses (Kafka registers thousands); the rules then name each attribute we keep.
 * Per-topic series: the four BrokerTopicMetrics; per-partition: only the log size.
 */
export const KAFKA_METRICS_CONFIG = `# kraftwerk's JMX exporter rules for Kafka brokers and controllers (docs/metrics.md).
lowercaseOutputName: true
lowercaseOutputLabelNames: true
includeObjectNames:
  - "kafka.server:type=ReplicaManager,*"
  - "kafka.controller:type=KafkaController,*"
  - "kafka.server:type=raft-metrics"
  - "kafka.network:type=RequestMetrics,name=RequestsPerSec,*"
  - "kafka.network:type=RequestMetrics,name=ErrorsPerSec,*"
  - "kafka.network:type=RequestMetrics,name=TotalTimeMs,*"
  - "kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec,*"
  - "kafka.server:type=BrokerTopicMetrics,name=BytesOutPerSec,*"
  - "kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,*"
  - "kafka.server:type=BrokerTopicMetrics,name=FailedProduceRequestsPerSec,*"
  - "kafka.server:type=KafkaRequestHandlerPool,name=RequestHandlerAvgIdlePercent"
  - "kafka.network:type=SocketServer,name=NetworkProcessorAvgIdlePercent"
  - "kafka.log:type=Log,name=Size,*"
rules:
  # Partition health as this broker sees it.
  - pattern: 'kafka.server<type=ReplicaManager, name=(UnderReplicatedPartitions|UnderMinIsrPartitionCount|AtMinIsrPartitionCount|PartitionCount|LeaderCount|OfflineReplicaCount)><>Value'
    name: kafka_server_replicamanager_$1
    type: GAUGE
  # The KRaft controller (controllers only; the active one reports the cluster-wide counts).
  - pattern: 'kafka.controller<type=KafkaController, name=(ActiveControllerCount|OfflinePartitionsCount|GlobalPartitionCount|LastAppliedRecordLagMs)><>Value'
    name: kafka_controller_kafkacontroller_$1
    type: GAUGE
  # The metadata quorum (Raft), on controllers and brokers; '-' becomes '_'.
  - pattern: 'kafka.server<type=raft-metrics><>(current-leader|current-epoch|high-watermark|log-end-offset|commit-latency-avg|commit-latency-max|election-latency-max):'
    name: kafka_server_raftmetrics_$1
    type: GAUGE
  # Requests and errors by request type (and API version); NONE is the count of successes.
  - pattern: 'kafka.network<type=RequestMetrics, name=RequestsPerSec, request=(\\w+), version=(\\d+)><>Count'
    name: kafka_network_requestmetrics_requests_total
    type: COUNTER
    labels:
      request: "$1"
      version: "$2"
  - pattern: 'kafka.network<type=RequestMetrics, name=ErrorsPerSec, request=(\\w+), error=(?!NONE\\b)(\\w+)><>Count'
    name: kafka_network_requestmetrics_errors_total
    type: COUNTER
    labels:
      request: "$1"
      error: "$2"
  # Request latency quantiles (ms) of Kafka's own histograms (an exponentially decaying sample).
  - pattern: 'kafka.network<type=RequestMetrics, name=TotalTimeMs, request=(${LATENCY_REQUESTS.join('|')})><>(50|99|999)thPercentile'
    name: kafka_network_requestmetrics_totaltimems
    type: GAUGE
    labels:
      request: "$1"
      quantile: "0.$2"
  # Traffic: per topic, and without a topic label for all topics together.
  - pattern: 'kafka.server<type=BrokerTopicMetrics, name=(BytesIn|BytesOut|MessagesIn|FailedProduceRequests)PerSec, topic=(.+)><>Count'
    name: kafka_server_brokertopicmetrics_$1_total
    type: COUNTER
    labels:
      topic: "$2"
  - pattern: 'kafka.server<type=BrokerTopicMetrics, name=(BytesIn|BytesOut|MessagesIn|FailedProduceRequests)PerSec><>Count'
    name: kafka_server_brokertopicmetrics_$1_total
    type: COUNTER
  # Thread pool idleness, 0..1 (the request handlers' is a meter: its one-minute rate).
  - pattern: 'kafka.server<type=KafkaRequestHandlerPool, name=RequestHandlerAvgIdlePercent><>OneMinuteRate'
    name: kafka_server_kafkarequesthandlerpool_requesthandleravgidlepercent
    type: GAUGE
  - pattern: 'kafka.network<type=SocketServer, name=NetworkProcessorAvgIdlePercent><>Value'
    name: kafka_network_socketserver_networkprocessoravgidlepercent
    type: GAUGE
  # Bytes on disk per partition.
  - pattern: 'kafka.log<type=Log, name=Size, topic=(.+), partition=(\\d+)><>Value'
    name: kafka_log_log_size
    type: GAUGE
    labels:
      topic: "$1"
      partition: "$2"
`;
