// Leadership loss fences the old leader. Two real operator processes (node operator/src/main.ts)
// campaign for one Lease (3 s). The leader is paused with SIGSTOP until the other holds the
// Lease, then resumed: from that moment it must not write. The work that keeps both writing is
// KafkaTopics whose Kafka does not exist: every failed reconcile records a Warning Event, and
// Events name the instance that wrote them (reportingInstance), so a watch on Events sees every
// write each instance makes. The proof is in resourceVersions, which a single etcd orders
// totally: every write of the old leader is older than the Lease as the new leader holds it.
// Without the fence the resumed process runs its overdue timers (resync, retries) and writes
// before its renew loop notices: with the lease-age check, the write guards and the abort of
// in-flight reconciles taken out, this test failed with six Event writes after the takeover.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KubeClient } from '../../operator/src/runtime/kube-client.ts';
import type { Lease } from '../../operator/src/runtime/lease-record.ts';
import { builtinResources } from '../../operator/src/runtime/resource.ts';
import { createResource } from '../fixtures/operator.ts';
import { logRoot, waitFor } from '../fixtures/process.ts';
import { repoRoot } from '../fixtures/toolchain.ts';

const ns = `runtime-fencing-${process.pid}`;
let client: KubeClient;
const children: ChildProcess[] = [];

interface Write {
  rv: number;
  instance: string;
  reason: string;
}

function startOperator(identity: string): { child: ChildProcess; exited: Promise<number | null> } {
  mkdirSync(logRoot, { recursive: true });
  const log = createWriteStream(join(logRoot, `operator-${ns}-${identity}.log`));
  const child = spawn(process.execPath, ['operator/src/main.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      KUBECONFIG: inject('kubeconfig'),
      KRAFTWERK_WATCH_NAMESPACES: ns,
      KRAFTWERK_LEADER_ELECTION_NAMESPACE: ns,
      POD_NAME: identity,
      KRAFTWERK_LEASE_DURATION_SECONDS: '3',
      KRAFTWERK_RENEW_DEADLINE_SECONDS: '2',
      KRAFTWERK_RETRY_PERIOD_SECONDS: '0.5',
      // Every topic reconciled (and failing, and writing an Event) every second.
      KRAFTWERK_RESYNC_SECONDS: '1',
      KRAFTWERK_HTTP_PORT: '0',
      KRAFTWERK_LOG_LEVEL: 'debug',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  children.push(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, exited };
}

const holder = async () =>
  (await client.get<Lease>(builtinResources.Lease, ns, 'kraftwerk-operator'))?.spec?.holderIdentity;

beforeAll(async () => {
  client = KubeClient.fromKubeconfig(inject('kubeconfig'));
  await client.create(builtinResources.Namespace, { metadata: { name: ns } });
});

afterAll(async () => {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGCONT');
      c.kill('SIGKILL');
    }
  }
  await client.delete(builtinResources.Namespace, undefined, ns);
});

describe('leadership loss', () => {
  it('fences the old leader: after SIGSTOP past its lease and SIGCONT it writes nothing and exits', async () => {
    const writes: Write[] = [];
    const watch = await client.watch(
      `/apis/events.k8s.io/v1/namespaces/${ns}/events`,
      {},
      (type, obj) => {
        const e = obj as {
          metadata?: { resourceVersion?: string };
          reportingInstance?: string;
          reason?: string;
        };
        if (type !== 'ADDED' && type !== 'MODIFIED') return;
        writes.push({
          rv: Number(e.metadata?.resourceVersion),
          instance: e.reportingInstance ?? '',
          reason: e.reason ?? '',
        });
      },
      () => {},
    );
    try {
      for (let i = 0; i < 6; i++) {
        await createResource(client, 'kafkatopics', {
          apiVersion: 'kraftwerk.dev/v1alpha1',
          kind: 'KafkaTopic',
          metadata: { name: `gone-${i}`, namespace: ns },
          spec: {
            bootstrapServers: 'nohost.invalid:9092',
            partitions: 1,
            deletionPolicy: 'Delete',
          },
        });
      }
      const a = startOperator('fence-a');
      await waitFor('fence-a to lead', async () => (await holder()) === 'fence-a', {
        timeoutMs: 60_000,
      });
      const b = startOperator('fence-b');
      const by = (who: string) => writes.filter((w) => w.instance === who);
      await waitFor('fence-a to write', async () => by('fence-a').length >= 3, {
        timeoutMs: 60_000,
      });

      process.kill(a.child.pid!, 'SIGSTOP');
      const lease = await waitFor(
        'fence-b to take the lease',
        async () => {
          const l = await client.get<Lease>(builtinResources.Lease, ns, 'kraftwerk-operator');
          return l?.spec?.holderIdentity === 'fence-b' ? l : undefined;
        },
        { timeoutMs: 30_000 },
      );
      const takenAt = Number(lease.metadata?.resourceVersion);
      await waitFor('fence-b to write', async () => by('fence-b').length >= 1, {
        timeoutMs: 60_000,
      });
      process.kill(a.child.pid!, 'SIGCONT');

      // It notices, stops and exits (1: leadership lost; the Deployment restarts it).
      const code = await a.exited;
      expect(code).toBe(1);
      // One watch delivers writes in resourceVersion order: once a write the new leader made
      // after the old one exited has arrived, every write of the old one has arrived too.
      const seen = by('fence-b').length;
      await waitFor('fence-b to write again', async () => by('fence-b').length > seen, {
        timeoutMs: 60_000,
      });
      const late = by('fence-a').filter((w) => w.rv > takenAt);
      expect(by('fence-a').length).toBeGreaterThanOrEqual(3);
      expect(late).toEqual([]);
      expect(await holder()).toBe('fence-b');
      expect(b.child.exitCode).toBeNull();
      console.log(
        `[runtime-fencing] fence-a wrote ${by('fence-a').length} Events before losing the lease (rv ${takenAt}), none after; fence-b ${by('fence-b').length}`,
      );
    } finally {
      watch.abort();
    }
  }, 240_000);
});
