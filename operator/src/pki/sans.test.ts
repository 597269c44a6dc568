import { describe, expect, it } from 'vitest';
import { missingSans, nodeSans, splitHosts } from './sans.ts';

describe('nodeSans', () => {
  it('names every broker pod, the bootstrap Service and the advertised hosts', () => {
    expect(
      nodeSans({
        clusterName: 'demo',
        namespace: 'kafka',
        role: 'broker',
        replicas: 2,
        bootstrapService: true,
        advertisedHosts: ['Kafka.Example.com', '192.168.1.10', '2001:DB8:0:0:0:0:0:1'],
      }),
    ).toEqual({
      dnsNames: [
        'demo-broker-0.demo-broker.kafka.svc',
        'demo-broker-0.demo-broker.kafka.svc.cluster.local',
        'demo-broker-1.demo-broker.kafka.svc',
        'demo-broker-1.demo-broker.kafka.svc.cluster.local',
        'demo-kafka-bootstrap',
        'demo-kafka-bootstrap.kafka',
        'demo-kafka-bootstrap.kafka.svc',
        'demo-kafka-bootstrap.kafka.svc.cluster.local',
        'kafka.example.com',
      ],
      ipAddresses: ['192.168.1.10', '2001:db8::1'],
    });
  });

  it('gives controllers their pod names only, in another cluster domain', () => {
    expect(
      nodeSans({
        clusterName: 'demo',
        namespace: 'ns',
        role: 'controller',
        replicas: 1,
        bootstrapService: false,
        advertisedHosts: [],
        clusterDomain: 'corp.internal',
      }),
    ).toEqual({
      dnsNames: [
        'demo-controller-0.demo-controller.ns.svc',
        'demo-controller-0.demo-controller.ns.svc.corp.internal',
      ],
      ipAddresses: [],
    });
  });

  it('uses the combined StatefulSet name and lists an advertised host once', () => {
    const sans = nodeSans({
      clusterName: 'c',
      namespace: 'ns',
      role: 'combined',
      replicas: 1,
      bootstrapService: true,
      advertisedHosts: ['10.0.0.1', '10.0.0.1', 'c-kafka-bootstrap'],
    });
    expect(sans.dnsNames).toContain('c-kafka-0.c-kafka.ns.svc');
    expect(sans.dnsNames.filter((n) => n === 'c-kafka-bootstrap')).toHaveLength(1);
    expect(sans.ipAddresses).toEqual(['10.0.0.1']);
  });
});

describe('splitHosts and missingSans', () => {
  it('puts IP literals (v4 and v6) apart from names', () => {
    expect(splitHosts(['::ffff:10.0.0.1', 'a.b', '127.0.0.1'])).toEqual({
      dnsNames: ['a.b'],
      ipAddresses: ['127.0.0.1', '::ffff:a00:1'],
    });
  });

  it.each([
    [
      { dnsNames: ['a'], ipAddresses: ['::1'] },
      { dnsNames: ['A', 'b'], ipAddresses: ['0:0:0:0:0:0:0:1'] },
      [],
    ],
    [
      { dnsNames: ['a', 'c'], ipAddresses: ['10.0.0.2'] },
      { dnsNames: ['a'], ipAddresses: ['10.0.0.1'] },
      ['c', '10.0.0.2'],
    ],
  ])('wanted %j, present %j: missing %j', (wanted, present, missing) => {
    expect(missingSans(wanted, present)).toEqual(missing);
  });
});
