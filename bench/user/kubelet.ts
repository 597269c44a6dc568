// Stands in for the kubelet (there is none: the API server and controller-manager run alone):
// the cluster's one pod runs and is Ready. Copied, trimmed, from
// test/integration/user-controller.test.ts (markPodReady, runKubelet), which keeps it inside
// the test file.
import type { KubeClient } from '../../operator/src/runtime/kube-client.ts';
import type { KubeObject } from '../../operator/src/runtime/resource.ts';

interface Pod extends KubeObject {
  status?: { conditions?: { type: string; status: string }[] };
}

async function markPodReady(
  client: KubeClient,
  ns: string,
  name: string,
  version: string,
): Promise<void> {
  const t = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  await client.request('PATCH', `/api/v1/namespaces/${ns}/pods/${name}/status`, {
    contentType: 'application/merge-patch+json',
    body: {
      status: {
        phase: 'Running',
        podIP: '10.1.0.1',
        startTime: t,
        conditions: [
          { type: 'Ready', status: 'True', lastTransitionTime: t },
          { type: 'ContainersReady', status: 'True', lastTransitionTime: t },
          { type: 'PodScheduled', status: 'True', lastTransitionTime: t },
        ],
        containerStatuses: [
          {
            name: 'kafka',
            ready: true,
            started: true,
            restartCount: 0,
            image: `apache/kafka:${version}`,
            imageID: '',
            state: { running: { startedAt: t } },
          },
        ],
      },
    },
  });
}

/** Polls the pod every 300 ms (one GET: counted in the bench's API requests, ~3/s). */
export function runKubelet(
  client: KubeClient,
  ns: string,
  pod: string,
  version: string,
): { stop(): void; done: Promise<void> } {
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      try {
        const p = await client.request<Pod>('GET', `/api/v1/namespaces/${ns}/pods/${pod}`);
        const ready = p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
        if (!ready && !p.metadata?.deletionTimestamp) await markPodReady(client, ns, pod, version);
      } catch {
        // Not created yet, or gone between the read and the write: the next round sees.
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  })();
  return { stop: () => (stopped = true), done };
}
