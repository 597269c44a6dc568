import { Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { KafkaStack, objectName } from './kafka-stack.ts';
import { shopApp } from '../examples/shop.ts';

function synth(
  build: (chart: Chart) => void,
): { kind: string; metadata: { name: string }; spec: Record<string, unknown> }[] {
  const chart = Testing.chart();
  build(chart);
  return Testing.synth(chart) as ReturnType<typeof synth>;
}

describe('KafkaStack', () => {
  it('declares a cluster, its topics and autoscaled consumer groups in a few lines', () => {
    const objects = synth((chart) => {
      new KafkaStack(chart, 'shop', {
        name: 'shop',
        namespace: 'apps',
        topics: { orders: { partitions: 12 }, 'payments.dlq': { partitions: 1 } },
        consumers: {
          'order-processor': { topics: ['orders'], scale: 'order-processor', maxReplicas: 12 },
        },
      });
    });
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'KafkaCluster/shop',
      'KafkaTopic/shop-orders',
      'KafkaTopic/shop-payments-dlq',
      'KafkaConsumerGroup/shop-order-processor',
    ]);
    expect(objects[0]!.spec).toEqual({
      brokers: { replicas: 3, storage: { type: 'persistent-claim', size: '10Gi' } },
    });
    expect(objects[2]!.spec).toEqual({ cluster: 'shop', topicName: 'payments.dlq', partitions: 1 });
    expect(objects[3]!.spec).toEqual({
      cluster: 'shop',
      groupId: 'order-processor',
      topics: ['orders'],
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'order-processor' },
      maxReplicas: 12,
    });
    expect(objects.every((o) => (o.metadata as { namespace?: string }).namespace === 'apps')).toBe(
      true,
    );
  });

  it('lets the cluster spec override the shorthands', () => {
    const [cluster] = synth((chart) => {
      new KafkaStack(chart, 's', {
        name: 's',
        brokers: 1,
        cluster: { version: '3.9.1', brokers: { replicas: 5, storage: { type: 'ephemeral' } } },
      });
    });
    expect(cluster!.spec).toEqual({
      version: '3.9.1',
      brokers: { replicas: 5, storage: { type: 'ephemeral' } },
    });
  });

  it('refuses a consumer group reading an undeclared topic', () => {
    expect(() =>
      synth((chart) => {
        new KafkaStack(chart, 's', {
          name: 's',
          topics: { orders: {} },
          consumers: { g: { topics: ['orders', 'refunds'], scale: 'd', maxReplicas: 2 } },
        });
      }),
    ).toThrow(/undeclared topics: refunds/);
  });

  it('refuses two topics that map to one object name', () => {
    expect(() =>
      synth((chart) => {
        new KafkaStack(chart, 's', { name: 's', topics: { 'a.b': {}, a_b: {} } });
      }),
    ).toThrow(/map to s-a-b/);
  });

  it('derives DNS-safe object names from Kafka names', () => {
    expect(objectName('Orders.V2__retry')).toBe('orders-v2-retry');
    expect(objectName('x'.repeat(80))).toHaveLength(63);
    expect(() => objectName('__')).toThrow();
  });

  it('builds the example app', () => {
    const yaml = shopApp().synthYaml();
    expect(yaml).toContain('kind: KafkaConsumerGroup');
    expect(yaml).toContain('topicName: payments.dlq');
  });
});
