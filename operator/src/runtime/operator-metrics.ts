// The operator's own metrics, in one place so dashboards have one list to read.
import { Registry } from './metrics.ts';
import type { Counter, Gauge, Histogram } from './metrics.ts';

export interface OperatorMetrics {
  registry: Registry;
  /** result: success | error | requeue */
  reconcileTotal: Counter;
  reconcileErrors: Counter;
  reconcileDuration: Histogram;
  queueDepth: Gauge;
  queueAdds: Counter;
  queueRetries: Counter;
  watchRestarts: Counter;
  watchEvents: Counter;
  informerErrors: Counter;
  leader: Gauge;
  /** method, resource (plural[/subresource]), code */
  kubeRequests: Counter;
  /** api: Metadata, CreateTopics, DescribeConfigs, … */
  kafkaRequests: Counter;
}

export function createOperatorMetrics(registry: Registry = new Registry()): OperatorMetrics {
  return {
    registry,
    reconcileTotal: registry.counter(
      'kraftwerk_reconcile_total',
      'Reconciles finished, by kind and result (success, error, requeue).',
      ['kind', 'result'],
    ),
    reconcileErrors: registry.counter(
      'kraftwerk_reconcile_errors_total',
      'Reconciles that failed, by kind.',
      ['kind'],
    ),
    reconcileDuration: registry.histogram(
      'kraftwerk_reconcile_duration_seconds',
      'Time spent in one reconcile, by kind.',
      ['kind'],
    ),
    queueDepth: registry.gauge(
      'kraftwerk_workqueue_depth',
      'Keys waiting in the work queue (not counting in-flight or delayed ones).',
      ['queue'],
    ),
    queueAdds: registry.counter('kraftwerk_workqueue_adds_total', 'Keys added to the queue.', [
      'queue',
    ]),
    queueRetries: registry.counter(
      'kraftwerk_workqueue_retries_total',
      'Keys re-added after a failed reconcile.',
      ['queue'],
    ),
    watchRestarts: registry.counter(
      'kraftwerk_watch_restarts_total',
      'Watches restarted, by resource and reason (closed, error, gone, timeout).',
      ['resource', 'reason'],
    ),
    watchEvents: registry.counter(
      'kraftwerk_watch_events_total',
      'Watch events received, by resource and type.',
      ['resource', 'type'],
    ),
    informerErrors: registry.counter(
      'kraftwerk_informer_errors_total',
      'List or watch errors seen by informers, by resource.',
      ['resource'],
    ),
    kubeRequests: registry.counter(
      'kraftwerk_kube_requests_total',
      'Requests the API server answered, by method, resource (plural[/subresource]) and HTTP code; a watch counts when it opens.',
      ['method', 'resource', 'code'],
    ),
    kafkaRequests: registry.counter(
      'kraftwerk_kafka_requests_total',
      'Requests sent to Kafka by the admin of topics and consumer groups, by API.',
      ['api'],
    ),
    leader: registry.gauge(
      'kraftwerk_leader_is_leader',
      '1 while this instance holds the leader lease.',
      ['lease'],
    ),
  };
}
