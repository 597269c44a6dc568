// An example cdk8s app built on KafkaStack: a 3-broker cluster, three topics and a consumer
// group that scales the order-processor Deployment by lag. Prints the manifests:
//   node cdk8s/examples/shop.ts | kubectl apply -n shop -f -
import { App, Chart } from 'cdk8s';
import { KafkaStack } from '../lib/kafka-stack.ts';

export function shopApp(): App {
  const app = new App();
  const chart = new Chart(app, 'shop');
  new KafkaStack(chart, 'shop', {
    name: 'shop',
    brokers: 3,
    storage: '20Gi',
    cluster: { config: { 'min.insync.replicas': '2', 'auto.create.topics.enable': 'false' } },
    topics: {
      orders: { partitions: 12, replicationFactor: 3, config: { 'retention.ms': '604800000' } },
      payments: { partitions: 6, replicationFactor: 3 },
      'payments.dlq': { partitions: 1, replicationFactor: 3, deletionPolicy: 'Retain' },
    },
    consumers: {
      'order-processor': { topics: ['orders'], scale: 'order-processor', maxReplicas: 12 },
      'payment-processor': {
        topics: ['payments'],
        scale: 'payment-processor',
        minReplicas: 1,
        maxReplicas: 6,
        lagThreshold: 500,
      },
    },
  });
  return app;
}

if (import.meta.main) process.stdout.write(shopApp().synthYaml());
