// What the benchmarks share: process figures from /proc, a bounded-concurrency loop, and
// request counts read from the operator's and kube-apiserver's /metrics.
import { readFileSync } from 'node:fs';
import { get as httpsGet, type RequestOptions } from 'node:https';
import type { KubeClient } from '../operator/src/runtime/kube-client.ts';

/** Resident set (VmRSS) or its peak (VmHWM) of a process, in MB. */
export function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** User + system CPU time a process has used so far, in seconds (0 without a pid). */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks
}

/** The 1, 5 and 15 minute load averages, as one string. */
export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** Runs `fn` over `items`, `width` at a time. */
export async function pool<T>(
  items: readonly T[],
  width: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/** The sum of one metric's samples whose labels contain `label`, from the operator's /metrics. */
export async function metric(port: number, name: string, label: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name) && l.includes(label))
    .reduce((s, l) => s + Number(l.split(' ').pop()), 0);
}

/** kube-apiserver's apiserver_request_total summed by "VERB resource[/subresource]". */
export async function apiRequests(client: KubeClient): Promise<Map<string, number>> {
  // Not client.request: it parses JSON, and this is Prometheus text.
  const k = client.kubeConfig;
  const text = await new Promise<string>((resolve, reject) => {
    const req = httpsGet(
      `${client.server}/metrics`,
      { ca: k.ca, cert: k.cert, key: k.key } as RequestOptions,
      (res) => {
        let b = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (b += d));
        res.on('end', () => resolve(b));
      },
    );
    req.on('error', reject);
  });
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const label = (k: string) => new RegExp(`${k}="([^"]*)"`).exec(line)?.[1] ?? '';
    const key = `${label('verb')} ${label('resource')}${label('subresource') ? `/${label('subresource')}` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(line.split(' ').pop()));
  }
  return counts;
}

/** What grew between two counts. */
export function diff(after: Map<string, number>, before: Map<string, number>): Map<string, number> {
  const d = new Map<string, number>();
  for (const [k, v] of after) if (v - (before.get(k) ?? 0) > 0) d.set(k, v - (before.get(k) ?? 0));
  return d;
}
