// Scenario 6b: the leading operator process is paused (SIGSTOP) in the middle of a roll, long
// enough that the standby takes the Lease and goes on rolling, and is then resumed. The write
// fence must stop it before its next pod delete or Kafka write: at most one broker down at any
// moment, every pod restarted exactly once, nothing written by the old leader after the
// takeover, and the old leader exits by itself (code 1) to campaign afresh.
//
// Why the pause is short: the liveness probe (20 s period, 3 failures) would kill a process
// paused for about a minute, which would make this the operator-kill scenario again. The pause
// lasts until another instance holds the Lease (15 s); the exit code tells the two apart (a
// probe kill is 137).
import { describe, expect, it } from 'vitest';
import { e2e, get, kubectl, waitFor } from './lib.ts';
import { signalPodProcess } from './nodes.ts';
import { expectSafeRoll, rollWithConfig } from './roll.ts';

const systemNamespace = 'kraftwerk-system';
const leasePath = `/apis/coordination.k8s.io/v1/namespaces/${systemNamespace}/leases/kraftwerk-operator`;
const holder = async () =>
  (await get<{ spec: { holderIdentity?: string } }>(leasePath)).spec.holderIdentity;

interface OperatorPod {
  spec: { nodeName: string };
  status: {
    containerStatuses?: {
      restartCount: number;
      lastState?: { terminated?: { exitCode: number; reason?: string } };
    }[];
  };
}
const operatorPod = (name: string) =>
  get<OperatorPod>(`/api/v1/namespaces/${systemNamespace}/pods/${name}`);

const signalOperator = (nodeName: string, pod: string, signal: 'STOP' | 'CONT') =>
  signalPodProcess(nodeName, pod, 'main.ts', signal);

interface EventV1 {
  reportingInstance?: string;
  reason?: string;
  note?: string;
  eventTime?: string;
  series?: { lastObservedTime?: string };
  metadata: { creationTimestamp?: string };
}

describe('operator paused mid-roll', () => {
  it('the old leader is fenced when it resumes: it writes nothing and exits', async () => {
    let paused: string | undefined;
    let takeoverAt = 0;
    let restartsBefore = 0;
    let exit: { exitCode: number; reason?: string } | undefined;
    const report = await rollWithConfig('e2e-operator-pause', async () => {
      paused = await holder();
      if (!paused) throw new Error('no operator holds the lease');
      const pod = await operatorPod(paused);
      restartsBefore = pod.status.containerStatuses?.[0]?.restartCount ?? 0;
      const pid = await signalOperator(pod.spec.nodeName, paused, 'STOP');
      const pausedAt = Date.now();
      let next: string | undefined;
      try {
        next = await waitFor(
          'another operator pod holds the lease',
          async () => {
            const h = await holder();
            return h && h !== paused ? h : undefined;
          },
          { timeoutMs: 60_000, intervalMs: 250 },
        );
        takeoverAt = Date.now();
      } finally {
        // Always resume: a stopped process left behind would hold the next scenarios hostage
        // until the liveness probe kills it.
        await signalOperator(pod.spec.nodeName, paused, 'CONT');
      }
      const resumedAt = Date.now();
      // The resumed instance finds itself fenced and exits by itself. Read at once, while the
      // roll goes on, so a later restart cannot hide which termination this was.
      const exited = await waitFor(
        'the resumed old leader exited and was restarted',
        async () => {
          const s = (await operatorPod(paused!)).status.containerStatuses?.[0];
          return s && s.restartCount > restartsBefore ? s : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 250 },
      );
      exit = exited.lastState?.terminated;
      console.log(
        `paused leader ${paused} (pid ${pid} on ${pod.spec.nodeName}); ${next} took over ` +
          `after ${((takeoverAt - pausedAt) / 1000).toFixed(1)} s; resumed; it exited ` +
          `${JSON.stringify(exit)} within ${((Date.now() - resumedAt) / 1000).toFixed(1)} s`,
      );
      if (exit?.exitCode !== 1) {
        // The evidence a failure needs: what the old leader did after it was resumed.
        const logs = await kubectl(
          '-n',
          systemNamespace,
          'logs',
          paused,
          '--previous',
          '--tail=60',
        );
        console.log(`old leader's last log lines:\n${logs}`);
      }
    });
    expect(paused).toBeDefined();
    expect(exit).toMatchObject({ exitCode: 1 });

    // Events name the instance that wrote them: none from the old leader after the takeover.
    const events = await get<{ items: EventV1[] }>(
      `/apis/events.k8s.io/v1/namespaces/${e2e.namespace}/events`,
    );
    const late = events.items.filter((e) => {
      const at = Date.parse(
        e.series?.lastObservedTime ?? e.eventTime ?? e.metadata.creationTimestamp ?? '',
      );
      return e.reportingInstance === paused && at >= takeoverAt;
    });
    expect(late.map((e) => `${e.reason}: ${e.note}`)).toEqual([]);

    expectSafeRoll(report);
  });
});
