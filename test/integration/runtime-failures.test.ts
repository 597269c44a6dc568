// Failure handling against a real API server. Part one runs the operator on a KafkaTopic whose
// Kafka does not exist (nohost.invalid): its failure is reported as a condition and a Warning
// Event; deleted, it keeps its finalizer; the abandon annotation lets it go, with an Event.
// Part two runs a test controller on real KafkaTopic objects, whose reconcile fails in the
// ways the runtime tells apart: a 422 from the API server, a TerminalError, a deadline, and a
// failure the reconciler reported itself.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KafkaTopic } from '../../operator/src/api/kafka-topic.ts';
import { applyStatus } from '../../operator/src/runtime/apply.ts';
import { Controller, specOrMetadataChanged } from '../../operator/src/runtime/controller.ts';
import { TerminalError } from '../../operator/src/runtime/errors.ts';
import { EventRecorder } from '../../operator/src/runtime/events.ts';
import { Informer } from '../../operator/src/runtime/informer.ts';
import { KubeClient, isConflict } from '../../operator/src/runtime/kube-client.ts';
import {
  createResource,
  eventsFor,
  getResource,
  kraftwerkPath,
  mergePatch,
  startTestOperator,
  type TestOperator,
} from '../fixtures/operator.ts';
import { waitFor } from '../fixtures/process.ts';

const namespace = `runtime-failures-${process.pid}`;
const controllerNamespace = `runtime-failures-ctl-${process.pid}`;
let op: TestOperator;

interface Listed extends KafkaTopic {
  metadata: KafkaTopic['metadata'] & {
    finalizers?: string[];
    deletionTimestamp?: string;
    managedFields?: { manager?: string; subresource?: string }[];
  };
}

interface SeriesEvent {
  reason?: string;
  type?: string;
  note?: string;
  series?: { count?: number };
  regarding?: { name?: string };
}

const topic = (ns: string, name: string, bootstrapServers: string): KafkaTopic => ({
  apiVersion: 'kraftwerk.dev/v1alpha1',
  kind: 'KafkaTopic',
  metadata: { name, namespace: ns },
  spec: { bootstrapServers, partitions: 1, deletionPolicy: 'Delete' },
});

const ready = (t: KafkaTopic | undefined) => t?.status?.conditions?.find((c) => c.type === 'Ready');

async function events(client: KubeClient, ns: string, name: string): Promise<SeriesEvent[]> {
  return (await eventsFor(client, ns, name)) as SeriesEvent[];
}

beforeAll(async () => {
  op = await startTestOperator(inject('kubeconfig'), namespace);
  await op.client
    .request('POST', '/api/v1/namespaces', { body: { metadata: { name: controllerNamespace } } })
    .catch((e: unknown) => {
      if (!isConflict(e)) throw e;
    });
});

afterAll(async () => {
  await op?.stop();
  for (const ns of [namespace, controllerNamespace]) {
    await op?.client.request('DELETE', `/api/v1/namespaces/${ns}`).catch(() => undefined);
  }
});

describe('a KafkaTopic whose Kafka is gone for good', () => {
  it('reports the failure, keeps its finalizer when deleted, and goes when abandoned', async () => {
    const client = op.client;
    const get = () => getResource<Listed>(client, namespace, 'kafkatopics', 'gone');
    await createResource(client, 'kafkatopics', topic(namespace, 'gone', 'nohost.invalid:9092'));

    // The reconciler reports Kafka unavailable itself; the controller adds the Warning Event.
    await waitFor(
      'Ready not True, saying nohost.invalid, and a Warning Event',
      async () => {
        const c = ready(await get());
        const e = (await events(client, namespace, 'gone')).find((x) => x.type === 'Warning');
        return c && c.status !== 'True' && c.message.includes('nohost.invalid') && e;
      },
      { timeoutMs: 60_000 },
    );

    await client.request('DELETE', kraftwerkPath(namespace, 'kafkatopics', 'gone'));
    const count = async () =>
      (await events(client, namespace, 'gone'))
        .filter((e) => e.type === 'Warning' && e.note?.includes('nohost.invalid'))
        .reduce((n, e) => n + (e.series?.count ?? 1), 0);
    const before = await count();
    // Two more failed reconciles of the deleting object: it waits, it does not give up.
    await waitFor('two more failed reconciles', async () => (await count()) >= before + 2, {
      timeoutMs: 90_000,
    });
    const stuck = await get();
    expect(stuck?.metadata.deletionTimestamp).toBeDefined();
    expect(stuck?.metadata.finalizers).toContain('kraftwerk.dev/topic');
    expect(ready(stuck)?.message).toContain('nohost.invalid');

    await mergePatch(client, namespace, 'kafkatopics', 'gone', {
      metadata: { annotations: { 'kraftwerk.dev/abandon': 'true' } },
    });
    await waitFor('the abandoned KafkaTopic gone', async () => (await get()) === undefined, {
      timeoutMs: 30_000,
    });
    // The Event is written after the finalizer goes (fire-and-forget, like every Event), so it
    // can land a moment after the object is gone: wait for it rather than read once.
    const abandoned = await waitFor(
      'the Abandoned Event',
      async () => (await events(client, namespace, 'gone')).find((e) => e.reason === 'Abandoned'),
      { timeoutMs: 30_000 },
    );
    expect(abandoned.type).toBe('Warning');
    expect(abandoned.note).toContain('kraftwerk.dev/topic');
  });
});

describe('the controller safety net', () => {
  it('reports each kind of failure as a condition and an Event, and retries only what may heal', async () => {
    const client = KubeClient.fromKubeconfig(inject('kubeconfig'));
    const ns = controllerNamespace;
    const recorder = new EventRecorder({ client, reportingInstance: 'runtime-failures-test' });
    const informer = new Informer<KafkaTopic>({
      client,
      resource: { apiVersion: 'kraftwerk.dev/v1alpha1', kind: 'KafkaTopic' },
      namespaces: [ns],
    });
    const calls = new Map<string, number>();
    const controller = new Controller<KafkaTopic>({
      name: 'test',
      informer,
      client,
      events: recorder,
      timeoutMs: 1500,
      // As the operator's controllers: their own status writes do not trigger them.
      enqueueUpdate: specOrMetadataChanged,
      retry: { baseMs: 200, maxMs: 2000 },
      reconcile: async (key) => {
        const name = key.split('/')[1]!;
        calls.set(name, (calls.get(name) ?? 0) + 1);
        const t = informer.get(key);
        if (!t) return;
        switch (name) {
          case 'invalid':
            // A derived object the API server refuses: a 422, every time.
            await client.request('POST', `/api/v1/namespaces/${ns}/configmaps`, {
              body: { metadata: { name: 'Not_A_Valid_Name' } },
            });
            return;
          case 'terminal':
            throw new TerminalError('partitions cannot be reduced', 'PartitionsReduced');
          case 'slow':
            // Ignores its signal: the deadline must hold anyway.
            await new Promise((r) => setTimeout(r, 4000));
            return;
          case 'reported':
            await applyStatus(client, t, {
              conditions: [
                {
                  type: 'Ready',
                  status: 'False',
                  reason: 'WaitingForSomething',
                  message: 'something is not there yet',
                  lastTransitionTime: '2025-01-01T00:00:00Z',
                },
              ],
            });
            throw new Error('something is not there yet');
        }
      },
    });
    for (const name of ['invalid', 'terminal', 'slow', 'reported']) {
      await createResource(client, 'kafkatopics', topic(ns, name, 'localhost:9092'));
    }
    informer.start();
    await informer.waitForSync(30_000);
    controller.start();
    const get = (name: string) => getResource<Listed>(client, ns, 'kafkatopics', name);
    const reportedAs = async (name: string, reason: string) =>
      waitFor(
        `${name}: Ready=False ${reason} and a Warning Event ${reason}`,
        async () => {
          const t = await get(name);
          const c = ready(t);
          const e = (await events(client, ns, name)).find(
            (x) => x.type === 'Warning' && x.reason === reason,
          );
          return c?.status === 'False' && c.reason === reason && e ? { t: t!, c, e } : undefined;
        },
        { timeoutMs: 30_000 },
      );
    try {
      const invalid = await reportedAs('invalid', 'ReconcileError');
      expect(invalid.c.message).toContain('422');
      expect(invalid.c.message).toContain('Not_A_Valid_Name');
      const terminal = await reportedAs('terminal', 'PartitionsReduced');
      expect(terminal.c.message).toContain('not retried until the resource changes');
      const slow = await reportedAs('slow', 'ReconcileTimeout');
      expect(slow.c.observedGeneration).toBe(slow.t.metadata.generation);
      // The reconciler's own report stands: nothing written over it, the Event takes its reason.
      const reported = await reportedAs('reported', 'WaitingForSomething');
      expect(reported.t.metadata.managedFields?.map((f) => f.manager)).not.toContain(
        'kraftwerk-failures',
      );
      expect(invalid.t.metadata.managedFields?.map((f) => f.manager)).toContain(
        'kraftwerk-failures',
      );
      // What may heal is retried; the terminal failure waits for a change of its object.
      await waitFor('the 422 retried three times', async () => (calls.get('invalid') ?? 0) >= 4, {
        timeoutMs: 30_000,
      });
      expect(calls.get('terminal')).toBe(1);
      await mergePatch(client, ns, 'kafkatopics', 'terminal', { spec: { partitions: 2 } });
      await waitFor('the changed object reconciled again', async () => calls.get('terminal') === 2);
    } finally {
      await controller.stop(5000);
      await informer.stop();
      await recorder.flush();
    }
  });
});
