// The Grafana dashboard of Kafka clusters run by kraftwerk, as data: rows of panels, each a
// PromQL query over the metric names in metric-names.ts. Pure; hack/gen-monitoring.ts writes
// it to deploy/grafana/ and into the chart, and tests check its shape and that every
// expression parses (promtool).

export type Unit = 'short' | 'Bps' | 'bytes' | 'ms' | 's' | 'reqps' | 'percentunit' | 'none';

export interface Query {
  expr: string;
  legend: string;
}

export interface PanelSpec {
  title: string;
  description: string;
  kind: 'stat' | 'timeseries';
  unit: Unit;
  queries: Query[];
  /** Grid columns of 24; panels fill a row left to right and wrap. */
  width: number;
  /** Stat thresholds: [color, from value] in rising order; the first starts at -Infinity. */
  thresholds?: [string, number | null][];
}

export interface RowSpec {
  title: string;
  panels: PanelSpec[];
}

// One Kafka cluster's JMX metrics: the labels the scrape configuration adds (docs/alerts.md).
const KAFKA = 'namespace="$namespace", kraftwerk_dev_cluster="$cluster"';
// The operator's metrics carry the cluster's namespace and name themselves.
const OPERATOR_CLUSTER = 'namespace="$namespace", cluster="$cluster"';
const RATE = '[$__rate_interval]';

const okAtZero: [string, number | null][] = [
  ['green', null],
  ['red', 1],
];

export const rows: RowSpec[] = [
  {
    title: 'Cluster',
    panels: [
      {
        title: 'Active controllers',
        description: 'Controllers that say they are active; exactly 1 is healthy.',
        kind: 'stat',
        unit: 'none',
        width: 4,
        thresholds: [
          ['red', null],
          ['green', 1],
          ['red', 2],
        ],
        queries: [
          {
            expr: `sum(kafka_controller_kafkacontroller_activecontrollercount{${KAFKA}})`,
            legend: 'active',
          },
        ],
      },
      {
        title: 'Offline partitions',
        description: 'Partitions without a leader (reported by the active controller).',
        kind: 'stat',
        unit: 'none',
        width: 4,
        thresholds: okAtZero,
        queries: [
          {
            expr: `max(kafka_controller_kafkacontroller_offlinepartitionscount{${KAFKA}})`,
            legend: 'offline',
          },
        ],
      },
      {
        title: 'Under-replicated partitions',
        description:
          'Partitions with a follower out of sync, summed over the brokers leading them.',
        kind: 'stat',
        unit: 'none',
        width: 4,
        thresholds: okAtZero,
        queries: [
          {
            expr: `sum(kafka_server_replicamanager_underreplicatedpartitions{${KAFKA}})`,
            legend: 'under-replicated',
          },
        ],
      },
      {
        title: 'Under min ISR partitions',
        description:
          'Partitions with fewer in-sync replicas than min.insync.replicas: acks=all writes fail.',
        kind: 'stat',
        unit: 'none',
        width: 4,
        thresholds: okAtZero,
        queries: [
          {
            expr: `sum(kafka_server_replicamanager_underminisrpartitioncount{${KAFKA}})`,
            legend: 'under min ISR',
          },
        ],
      },
      {
        title: 'Partitions',
        description: 'Partitions in the cluster (the active controller’s count).',
        kind: 'stat',
        unit: 'none',
        width: 4,
        queries: [
          {
            expr: `max(kafka_controller_kafkacontroller_globalpartitioncount{${KAFKA}})`,
            legend: 'partitions',
          },
        ],
      },
      {
        title: 'Nodes up',
        description: 'Kafka pods Prometheus scrapes successfully, of those it tries.',
        kind: 'stat',
        unit: 'none',
        width: 4,
        queries: [
          { expr: `sum(up{${KAFKA}})`, legend: 'up' },
          { expr: `count(up{${KAFKA}})`, legend: 'scraped' },
        ],
      },
      {
        title: 'Quorum leader',
        description: 'The node id each member believes leads the KRaft quorum; -1 is none.',
        kind: 'timeseries',
        unit: 'none',
        width: 8,
        queries: [{ expr: `kafka_server_raftmetrics_current_leader{${KAFKA}}`, legend: '{{pod}}' }],
      },
      {
        title: 'Quorum commit latency',
        description: 'Average and maximum time to commit a metadata record.',
        kind: 'timeseries',
        unit: 'ms',
        width: 8,
        queries: [
          { expr: `kafka_server_raftmetrics_commit_latency_avg{${KAFKA}}`, legend: 'avg {{pod}}' },
          { expr: `kafka_server_raftmetrics_commit_latency_max{${KAFKA}}`, legend: 'max {{pod}}' },
        ],
      },
      {
        title: 'Controller metadata lag',
        description: 'Age of the newest metadata record each controller has applied.',
        kind: 'timeseries',
        unit: 'ms',
        width: 8,
        queries: [
          {
            expr: `kafka_controller_kafkacontroller_lastappliedrecordlagms{${KAFKA}}`,
            legend: '{{pod}}',
          },
        ],
      },
      {
        title: 'Partition health over time',
        description: 'Under-replicated, under min ISR and offline partitions.',
        kind: 'timeseries',
        unit: 'short',
        width: 12,
        queries: [
          {
            expr: `sum(kafka_server_replicamanager_underreplicatedpartitions{${KAFKA}})`,
            legend: 'under-replicated',
          },
          {
            expr: `sum(kafka_server_replicamanager_underminisrpartitioncount{${KAFKA}})`,
            legend: 'under min ISR',
          },
          {
            expr: `sum(kafka_server_replicamanager_atminisrpartitioncount{${KAFKA}})`,
            legend: 'at min ISR',
          },
          {
            expr: `max(kafka_controller_kafkacontroller_offlinepartitionscount{${KAFKA}})`,
            legend: 'offline',
          },
        ],
      },
      {
        title: 'Quorum epoch',
        description: 'The KRaft leader epoch; every step is an election.',
        kind: 'timeseries',
        unit: 'short',
        width: 6,
        queries: [
          { expr: `max(kafka_server_raftmetrics_current_epoch{${KAFKA}})`, legend: 'epoch' },
        ],
      },
      {
        title: 'Election latency',
        description: 'Longest time an election of a quorum leader took.',
        kind: 'timeseries',
        unit: 'ms',
        width: 6,
        queries: [
          {
            expr: `max(kafka_server_raftmetrics_election_latency_max{${KAFKA}})`,
            legend: 'max',
          },
        ],
      },
    ],
  },
  {
    title: 'Brokers',
    panels: [
      {
        title: 'Bytes in',
        description: 'Bytes produced to each broker (all topics).',
        kind: 'timeseries',
        unit: 'Bps',
        width: 8,
        queries: [
          {
            expr: `sum by (pod) (rate(kafka_server_brokertopicmetrics_bytesin_total{${KAFKA}, topic=""}${RATE}))`,
            legend: '{{pod}}',
          },
        ],
      },
      {
        title: 'Bytes out',
        description: 'Bytes fetched from each broker by consumers and followers (all topics).',
        kind: 'timeseries',
        unit: 'Bps',
        width: 8,
        queries: [
          {
            expr: `sum by (pod) (rate(kafka_server_brokertopicmetrics_bytesout_total{${KAFKA}, topic=""}${RATE}))`,
            legend: '{{pod}}',
          },
        ],
      },
      {
        title: 'Partitions and leaders per broker',
        description: 'Replicas each broker holds, and how many it leads.',
        kind: 'timeseries',
        unit: 'short',
        width: 8,
        queries: [
          {
            expr: `kafka_server_replicamanager_partitioncount{${KAFKA}}`,
            legend: 'replicas {{pod}}',
          },
          { expr: `kafka_server_replicamanager_leadercount{${KAFKA}}`, legend: 'leaders {{pod}}' },
        ],
      },
      {
        title: 'Requests per API',
        description: 'Requests per second, by API, over all brokers.',
        kind: 'timeseries',
        unit: 'reqps',
        width: 8,
        queries: [
          {
            expr: `sum by (request) (rate(kafka_network_requestmetrics_requests_total{${KAFKA}}${RATE}))`,
            legend: '{{request}}',
          },
        ],
      },
      {
        title: 'p99 request time per API',
        description:
          'The slowest broker’s 99th percentile of total request time, by API (Fetch includes its long poll).',
        kind: 'timeseries',
        unit: 'ms',
        width: 8,
        queries: [
          {
            expr: `max by (request) (kafka_network_requestmetrics_totaltimems{${KAFKA}, quantile="0.99"})`,
            legend: '{{request}}',
          },
        ],
      },
      {
        title: 'Request errors',
        description: 'Error responses per second, by API and error code.',
        kind: 'timeseries',
        unit: 'reqps',
        width: 8,
        queries: [
          {
            expr: `sum by (request, error) (rate(kafka_network_requestmetrics_errors_total{${KAFKA}, error!="NONE"}${RATE}))`,
            legend: '{{request}} {{error}}',
          },
        ],
      },
      {
        title: 'Request handler idle',
        description: 'Share of time the request handler threads are idle; below 20% they saturate.',
        kind: 'timeseries',
        unit: 'percentunit',
        width: 8,
        queries: [
          {
            expr: `kafka_server_kafkarequesthandlerpool_requesthandleravgidlepercent{${KAFKA}}`,
            legend: '{{pod}}',
          },
        ],
      },
      {
        title: 'Network processor idle',
        description: 'Share of time the network threads are idle; below 30% they saturate.',
        kind: 'timeseries',
        unit: 'percentunit',
        width: 8,
        queries: [
          {
            expr: `kafka_network_socketserver_networkprocessoravgidlepercent{${KAFKA}}`,
            legend: '{{pod}}',
          },
        ],
      },
      {
        title: 'JVM heap used',
        description: 'Heap in use on each node (controllers too).',
        kind: 'timeseries',
        unit: 'bytes',
        width: 8,
        queries: [
          {
            expr: `sum by (pod) (jvm_memory_used_bytes{${KAFKA}, area="heap"})`,
            legend: '{{pod}}',
          },
        ],
      },
      {
        title: 'CPU',
        description: 'CPU seconds per second each Kafka process uses.',
        kind: 'timeseries',
        unit: 'short',
        width: 12,
        queries: [
          {
            expr: `sum by (pod) (rate(process_cpu_seconds_total{${KAFKA}}${RATE}))`,
            legend: '{{pod}}',
          },
        ],
      },
      {
        title: 'Log dir usage',
        description: 'Share of each log dir in use (the operator reads it with DescribeLogDirs).',
        kind: 'timeseries',
        unit: 'percentunit',
        width: 12,
        queries: [
          {
            expr: `1 - kraftwerk_kafka_log_dir_usable_bytes{${OPERATOR_CLUSTER}} / kraftwerk_kafka_log_dir_total_bytes{${OPERATOR_CLUSTER}}`,
            legend: 'node {{node_id}} {{log_dir}}',
          },
        ],
      },
    ],
  },
  {
    title: 'Topics',
    panels: [
      {
        title: 'Bytes in per topic',
        description: 'Bytes produced per second, by topic, over all brokers.',
        kind: 'timeseries',
        unit: 'Bps',
        width: 8,
        queries: [
          {
            expr: `sum by (topic) (rate(kafka_server_brokertopicmetrics_bytesin_total{${KAFKA}, topic!=""}${RATE}))`,
            legend: '{{topic}}',
          },
        ],
      },
      {
        title: 'Bytes out per topic',
        description: 'Bytes fetched per second, by topic, over all brokers.',
        kind: 'timeseries',
        unit: 'Bps',
        width: 8,
        queries: [
          {
            expr: `sum by (topic) (rate(kafka_server_brokertopicmetrics_bytesout_total{${KAFKA}, topic!=""}${RATE}))`,
            legend: '{{topic}}',
          },
        ],
      },
      {
        title: 'Messages in per topic',
        description: 'Messages produced per second, by topic.',
        kind: 'timeseries',
        unit: 'short',
        width: 8,
        queries: [
          {
            expr: `sum by (topic) (rate(kafka_server_brokertopicmetrics_messagesin_total{${KAFKA}, topic!=""}${RATE}))`,
            legend: '{{topic}}',
          },
        ],
      },
      {
        title: 'Size per topic',
        description: 'Bytes on disk, by topic, every replica counted.',
        kind: 'timeseries',
        unit: 'bytes',
        width: 12,
        queries: [{ expr: `sum by (topic) (kafka_log_log_size{${KAFKA}})`, legend: '{{topic}}' }],
      },
      {
        title: 'Failed produce requests per topic',
        description: 'Produce requests that failed, per second, by topic.',
        kind: 'timeseries',
        unit: 'reqps',
        width: 12,
        queries: [
          {
            expr: `sum by (topic) (rate(kafka_server_brokertopicmetrics_failedproducerequests_total{${KAFKA}, topic!=""}${RATE}))`,
            legend: '{{topic}}',
          },
        ],
      },
    ],
  },
  {
    title: 'Consumer groups',
    panels: [
      {
        title: 'Lag',
        description:
          'Messages each KafkaConsumerGroup is behind (in the namespace; a group names its cluster in its spec, not in its metrics).',
        kind: 'timeseries',
        unit: 'short',
        width: 12,
        queries: [
          {
            expr: `kraftwerk_consumergroup_lag{namespace="$namespace"}`,
            legend: '{{name}} ({{group}})',
          },
        ],
      },
      {
        title: 'Time lag',
        description: 'Estimated seconds each group is behind.',
        kind: 'timeseries',
        unit: 's',
        width: 12,
        queries: [
          {
            expr: `kraftwerk_consumergroup_time_lag_seconds{namespace="$namespace"}`,
            legend: '{{name}} ({{group}})',
          },
        ],
      },
      {
        title: 'Desired replicas (autoscaling decisions)',
        description:
          'Replicas the autoscaler wants for each group’s workload; every step is a scale.',
        kind: 'timeseries',
        unit: 'short',
        width: 12,
        queries: [
          {
            expr: `kraftwerk_consumergroup_desired_replicas{namespace="$namespace"}`,
            legend: '{{name}}',
          },
        ],
      },
      {
        title: 'Groups by health',
        description: 'How many groups are Ok, Lagging, Stalled or Stopped.',
        kind: 'timeseries',
        unit: 'short',
        width: 12,
        queries: [
          {
            expr: `count by (health) (kraftwerk_consumergroup_health{namespace="$namespace"} == 1)`,
            legend: '{{health}}',
          },
        ],
      },
    ],
  },
  {
    title: 'Operator',
    panels: [
      {
        title: 'Reconciles',
        description: 'Reconciles per second of the kraftwerk operator, by kind and result.',
        kind: 'timeseries',
        unit: 'short',
        width: 6,
        queries: [
          {
            expr: `sum by (kind, result) (rate(kraftwerk_reconcile_total${RATE}))`,
            legend: '{{kind}} {{result}}',
          },
        ],
      },
      {
        title: 'Reconcile errors',
        description:
          'Failed reconciles per second, by kind; the resources say why in conditions and Events.',
        kind: 'timeseries',
        unit: 'short',
        width: 6,
        queries: [
          {
            expr: `sum by (kind) (rate(kraftwerk_reconcile_errors_total${RATE}))`,
            legend: '{{kind}}',
          },
        ],
      },
      {
        title: 'Reconcile p99',
        description: '99th percentile of the time one reconcile takes, by kind.',
        kind: 'timeseries',
        unit: 's',
        width: 6,
        queries: [
          {
            expr: `histogram_quantile(0.99, sum by (le, kind) (rate(kraftwerk_reconcile_duration_seconds_bucket${RATE})))`,
            legend: '{{kind}}',
          },
        ],
      },
      {
        title: 'Work queue depth',
        description: 'Keys waiting in each work queue of the operator.',
        kind: 'timeseries',
        unit: 'short',
        width: 6,
        queries: [{ expr: `sum by (queue) (kraftwerk_workqueue_depth)`, legend: '{{queue}}' }],
      },
    ],
  },
];

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;
export const DASHBOARD_UID = 'kraftwerk-kafka';

type Json = Record<string, unknown>;

function queryVariable(name: string, label: string, query: string): Json {
  return {
    name,
    label,
    type: 'query',
    datasource: DATASOURCE,
    definition: query,
    query,
    refresh: 2, // on time range change: clusters come and go
    sort: 1,
    multi: false,
    includeAll: false,
    current: {},
    options: [],
    hide: 0,
    regex: '',
  };
}

function panelJson(p: PanelSpec, id: number, x: number, y: number, height: number): Json {
  const targets = p.queries.map((q, i) => ({
    refId: String.fromCharCode(65 + i),
    datasource: DATASOURCE,
    expr: q.expr,
    legendFormat: q.legend,
    range: true,
  }));
  const steps = (p.thresholds ?? [['green', null]]).map(([color, value]) => ({ color, value }));
  const common = {
    id,
    type: p.kind,
    title: p.title,
    description: p.description,
    datasource: DATASOURCE,
    gridPos: { h: height, w: p.width, x, y },
    targets,
  };
  if (p.kind === 'stat') {
    return {
      ...common,
      fieldConfig: {
        defaults: { unit: p.unit, thresholds: { mode: 'absolute', steps } },
        overrides: [],
      },
      options: {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        colorMode: p.thresholds ? 'background' : 'value',
        graphMode: 'area',
        textMode: 'value_and_name',
        justifyMode: 'auto',
        orientation: 'auto',
      },
    };
  }
  return {
    ...common,
    fieldConfig: {
      defaults: {
        unit: p.unit,
        custom: { fillOpacity: 10, lineWidth: 1, showPoints: 'never' },
        thresholds: { mode: 'absolute', steps },
      },
      overrides: [],
    },
    options: {
      legend: { displayMode: 'table', placement: 'bottom', calcs: ['lastNotNull', 'max'] },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
  };
}

/** The Grafana dashboard JSON model (schemaVersion 39, Grafana 10 and later). */
export function renderDashboard(spec: readonly RowSpec[] = rows): Json {
  const panels: Json[] = [];
  let id = 1;
  let y = 0;
  for (const row of spec) {
    panels.push({
      id: id++,
      type: 'row',
      title: row.title,
      collapsed: false,
      gridPos: { h: 1, w: 24, x: 0, y },
      panels: [],
    });
    y += 1;
    let x = 0;
    let lineHeight = 0;
    for (const p of row.panels) {
      const height = p.kind === 'stat' ? 4 : 8;
      if (x + p.width > 24) {
        x = 0;
        y += lineHeight;
        lineHeight = 0;
      }
      panels.push(panelJson(p, id++, x, y, height));
      x += p.width;
      lineHeight = Math.max(lineHeight, height);
    }
    y += lineHeight;
  }
  return {
    uid: DASHBOARD_UID,
    title: 'Kafka clusters (kraftwerk)',
    description:
      'Kafka clusters run by the kraftwerk operator: cluster, brokers, topics, consumer groups and the operator. Generated by hack/gen-monitoring.ts.',
    tags: ['kafka', 'kraftwerk'],
    editable: true,
    graphTooltip: 1,
    refresh: '30s',
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-3h', to: 'now' },
    timepicker: {},
    timezone: '',
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    templating: {
      list: [
        {
          name: 'datasource',
          label: 'Data source',
          type: 'datasource',
          query: 'prometheus',
          current: {},
          options: [],
          hide: 0,
          refresh: 1,
          regex: '',
        },
        queryVariable(
          'namespace',
          'Namespace',
          'label_values(kafka_server_replicamanager_partitioncount, namespace)',
        ),
        queryVariable(
          'cluster',
          'Cluster',
          'label_values(kafka_server_replicamanager_partitioncount{namespace="$namespace"}, kraftwerk_dev_cluster)',
        ),
      ],
    },
    panels,
  };
}

/** The file as committed: two-space JSON with a final newline (what prettier keeps). */
export function renderDashboardJson(spec: readonly RowSpec[] = rows): string {
  return `${JSON.stringify(renderDashboard(spec), null, 2)}\n`;
}
