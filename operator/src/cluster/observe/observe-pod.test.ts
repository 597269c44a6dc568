import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { exceptionLine, observePod } from './observe-pod.ts';
import type { NodeFacts } from './nodes.ts';

const now = new Date('2026-11-22T03:10:00Z');

function pod(
  patch: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    status?: V1Pod['status'];
    name?: string;
    deleting?: boolean;
  } = {},
): V1Pod {
  return {
    metadata: {
      name: patch.name ?? 'demo-broker-2',
      labels: {
        'kraftwerk.dev/role': 'broker',
        'controller-revision-hash': 'demo-broker-abc',
        ...patch.labels,
      },
      annotations: { 'kraftwerk.dev/kafka-version': '4.1.1', ...patch.annotations },
      ...(patch.deleting ? { deletionTimestamp: new Date('2026-11-22T03:09:00Z') } : {}),
    },
    status: patch.status ?? {
      phase: 'Running',
      hostIP: '172.18.0.2',
      conditions: [
        { type: 'Ready', status: 'True', lastTransitionTime: new Date('2026-11-22T03:00:00Z') },
      ],
      containerStatuses: [
        {
          name: 'kafka',
          ready: true,
          restartCount: 0,
          image: 'i',
          imageID: 'i',
          state: { running: {} },
        },
      ],
    },
  };
}

/**
 * The termination message of a Kafka 4.1.1 broker started with num.partitions=banana, as the
 * kubelet keeps it under FallbackToLogsOnError: the last 2048 bytes of the log (captured from
 * kafka-server-start.sh on this machine; the first line is cut where the 2048 bytes begin).
 */
const KAFKA_CONFIG_EXCEPTION_TAIL = [
  '[2026-12-02 01:19:06,046] INFO Registered `kafka:type=kafka.Log4jController` MBean (kafka.utils.Log4jControllerRegistration$)',
  '[2026-12-02 01:19:06,487] ERROR Exiting Kafka due to fatal exception (kafka.Kafka$)',
  'org.apache.kafka.common.config.ConfigException: Invalid value banana for configuration num.partitions: Not a number of type INT',
  '\tat org.apache.kafka.common.config.ConfigDef.parseType(ConfigDef.java:776) ~[kafka-clients-4.1.1.jar:?]',
  '\tat org.apache.kafka.common.config.ConfigDef.parseValue(ConfigDef.java:531) ~[kafka-clients-4.1.1.jar:?]',
  '\tat org.apache.kafka.common.config.ConfigDef.parse(ConfigDef.java:524) ~[kafka-clients-4.1.1.jar:?]',
  '\tat org.apache.kafka.common.config.AbstractConfig.<init>(AbstractConfig.java:114) ~[kafka-clients-4.1.1.jar:?]',
  '\tat org.apache.kafka.server.config.AbstractKafkaConfig.<init>(AbstractKafkaConfig.java:78) ~[kafka-server-4.1.1.jar:?]',
  '\tat kafka.server.KafkaConfig.<init>(KafkaConfig.scala:156) ~[kafka_2.13-4.1.1.jar:?]',
  '\tat kafka.server.KafkaConfig.<init>(KafkaConfig.scala:159) ~[kafka_2.13-4.1.1.jar:?]',
  '\tat kafka.Kafka$.buildServer(Kafka.scala:65) ~[kafka_2.13-4.1.1.jar:?]',
  '\tat kafka.Kafka$.main(Kafka.scala:75) [kafka_2.13-4.1.1.jar:?]',
  '\tat kafka.Kafka.main(Kafka.scala) [kafka_2.13-4.1.1.jar:?]',
  '',
].join('\n');

function failing(
  containerStatus: Partial<NonNullable<NonNullable<V1Pod['status']>['containerStatuses']>[number]>,
): V1Pod {
  return pod({
    status: {
      phase: 'Running',
      conditions: [
        { type: 'Ready', status: 'False', lastTransitionTime: new Date('2026-11-22T03:05:00Z') },
      ],
      containerStatuses: [
        {
          name: 'kafka',
          ready: false,
          restartCount: 4,
          image: 'i',
          imageID: 'i',
          ...containerStatus,
        },
      ],
    },
  });
}

describe('observePod', () => {
  it('reads a healthy broker pod', () => {
    expect(observePod(pod(), 'demo-broker-abc', now)).toEqual({
      name: 'demo-broker-2',
      role: 'broker',
      ordinal: 2,
      nodeId: 102,
      revision: 'demo-broker-abc',
      desiredRevision: 'demo-broker-abc',
      phase: 'Running',
      ready: true,
      // Ready since 03:00, observed at 03:10.
      readySeconds: 600,
      crashLooping: false,
      terminating: false,
      kafkaVersion: '4.1.1',
      hostIP: '172.18.0.2',
    });
  });

  it('sees CrashLoopBackOff and image pull failures as stuck, with how long it has been unready', () => {
    for (const reason of ['CrashLoopBackOff', 'ImagePullBackOff']) {
      const p = pod({
        status: {
          phase: 'Running',
          conditions: [
            {
              type: 'Ready',
              status: 'False',
              lastTransitionTime: new Date('2026-11-22T03:05:00Z'),
            },
          ],
          containerStatuses: [
            {
              name: 'kafka',
              ready: false,
              restartCount: 5,
              image: 'i',
              imageID: 'i',
              state: { waiting: { reason } },
            },
          ],
        },
      });
      expect(observePod(p, 'x', now)).toMatchObject({
        crashLooping: true,
        ready: false,
        unreadySeconds: 300,
      });
    }
  });

  it('reads Pending, terminating, manual restarts and node ids per role', () => {
    expect(observePod(pod({ status: { phase: 'Pending' } }), 'x', now)).toMatchObject({
      phase: 'Pending',
      ready: false,
    });
    expect(observePod(pod({ deleting: true }), 'x', now)).toMatchObject({ terminating: true });
    expect(
      observePod(pod({ annotations: { 'kraftwerk.dev/restart': '' } }), 'x', now),
    ).toMatchObject({ restartRequested: true });
    expect(
      observePod(
        pod({ name: 'demo-controller-1', labels: { 'kraftwerk.dev/role': 'controller' } }),
        'x',
        now,
      ),
    ).toMatchObject({ nodeId: 1 });
    expect(
      observePod(
        pod({ name: 'demo-kafka-4', labels: { 'kraftwerk.dev/role': 'combined' } }),
        'x',
        now,
      ),
    ).toMatchObject({ nodeId: 4 });
  });

  it('ignores pods that are not ours', () => {
    expect(
      observePod(pod({ labels: { 'kraftwerk.dev/role': 'other' } }), 'x', now),
    ).toBeUndefined();
    expect(observePod(pod({ name: 'no-ordinal' }), 'x', now)).toBeUndefined();
  });
  it("carries Kafka's exception line from the last termination of a crash-looping container", () => {
    const p = failing({
      state: {
        waiting: {
          reason: 'CrashLoopBackOff',
          message: 'back-off 1m20s restarting failed container=kafka',
        },
      },
      lastState: {
        terminated: { exitCode: 1, reason: 'Error', message: KAFKA_CONFIG_EXCEPTION_TAIL },
      },
    });
    expect(observePod(p, 'x', now)).toMatchObject({
      crashLooping: true,
      failure: {
        reason: 'CrashLoopBackOff',
        detail:
          'org.apache.kafka.common.config.ConfigException: Invalid value banana for configuration num.partitions: Not a number of type INT',
      },
    });
  });

  it('keeps reporting the failure while the container runs between two back-offs', () => {
    const lastState = {
      terminated: { exitCode: 1, reason: 'Error', message: KAFKA_CONFIG_EXCEPTION_TAIL },
    };
    const between = observePod(failing({ state: { running: {} }, lastState }), 'x', now);
    expect(between?.crashLooping).toBe(false);
    expect(between?.failure?.reason).toBe('Error');
    expect(between?.failure?.detail).toMatch(
      /^org\.apache\.kafka\.common\.config\.ConfigException/,
    );
    // One restart is not a loop (a liveness kill, an OOM once), and a ready pod is not failing.
    expect(
      observePod(failing({ state: { running: {} }, lastState, restartCount: 1 }), 'x', now)
        ?.failure,
    ).toBeUndefined();
    expect(observePod(pod(), 'x', now)?.failure).toBeUndefined();
  });

  it('says what the kubelet says when there is no log, e.g. an image that cannot be pulled', () => {
    const p = failing({
      restartCount: 0,
      state: {
        waiting: {
          reason: 'ImagePullBackOff',
          message: 'Back-off pulling image "apache/kafka:9.9.9"',
        },
      },
    });
    expect(observePod(p, 'x', now)?.failure).toEqual({
      reason: 'ImagePullBackOff',
      detail: 'Back-off pulling image "apache/kafka:9.9.9"',
    });
    const oom = failing({
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } },
    });
    expect(observePod(oom, 'x', now)?.failure).toEqual({
      reason: 'CrashLoopBackOff',
      detail: 'exit code 137 (OOMKilled)',
    });
  });
});

describe('exceptionLine', () => {
  it('picks the last exception line, skipping stack frames, else the last line', () => {
    expect(
      exceptionLine(
        [
          '[2026-11-22 03:00:00,000] ERROR Exiting Kafka due to fatal exception (kafka.Kafka$)',
          'java.lang.RuntimeException: wrapper',
          '\tat kafka.Kafka.main(Kafka.scala)',
          'Caused by: java.nio.file.AccessDeniedException: /var/lib/kafka/data/kafka-log',
          '\tat sun.nio.fs.UnixException.translateToIOException(UnixException.java:90)',
          '\t... 3 more',
          '',
        ].join('\n'),
      ),
    ).toBe('Caused by: java.nio.file.AccessDeniedException: /var/lib/kafka/data/kafka-log');
    expect(exceptionLine("kraftwerk: no ordinal at the end of pod name 'x'\n")).toBe(
      "kraftwerk: no ordinal at the end of pod name 'x'",
    );
    expect(exceptionLine('\n  \n')).toBeUndefined();
    const long = exceptionLine(`org.example.BigException: ${'x'.repeat(1000)}`)!;
    expect(long).toHaveLength(300);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('observePod: the node it runs on', () => {
  const onNode = (nodeName: string, status?: V1Pod['status']): V1Pod => ({
    ...pod(status ? { status } : {}),
    spec: { nodeName, containers: [] },
  });
  const nodes = (name: string): NodeFacts | undefined =>
    name === 'w1'
      ? { name, labels: {}, unschedulable: false, ready: 'True' }
      : name === 'w2'
        ? {
            name,
            labels: {},
            unschedulable: false,
            ready: 'Unknown',
            readyMessage: 'Kubelet stopped posting node status.',
          }
        : undefined;

  it('records the node, and nothing more while it is Ready', () => {
    const p = observePod(onNode('w1'), 'x', now, nodes)!;
    expect(p.nodeName).toBe('w1');
    expect(p.nodeProblem).toBeUndefined();
  });
  it('says what is wrong with a node that stopped posting, or that is gone', () => {
    expect(observePod(onNode('w2'), 'x', now, nodes)!.nodeProblem).toBe(
      'node w2 unreachable (Ready=Unknown): Kubelet stopped posting node status.',
    );
    expect(observePod(onNode('w9'), 'x', now, nodes)!.nodeProblem).toBe(
      'node w9 is gone (no Node object)',
    );
  });
  it('says nothing of nodes when no node cache is given', () => {
    expect(observePod(onNode('w9'), 'x', now)!.nodeProblem).toBeUndefined();
  });
  it("keeps the scheduler's refusal of a pending pod", () => {
    const message =
      '0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 node(s) did not match pod topology spread constraints.';
    const p = observePod(
      pod({
        status: {
          phase: 'Pending',
          conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }],
        },
      }),
      'x',
      now,
    )!;
    expect(p.unschedulable).toBe(message);
    expect(p.nodeName).toBeUndefined();
  });
});
