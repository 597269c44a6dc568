import { afterEach, describe, expect, it } from 'vitest';
import { checkReport, startHealthServer } from './health-server.ts';
import type { HealthServer } from './health-server.ts';
import { createOperatorMetrics } from './operator-metrics.ts';

let server: HealthServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('health server', () => {
  it('serves metrics, liveness and readiness', async () => {
    const metrics = createOperatorMetrics();
    metrics.reconcileTotal.inc({ kind: 'KafkaTopic', result: 'success' });
    let synced = false;
    server = await startHealthServer({
      port: 0,
      host: '127.0.0.1',
      registry: metrics.registry,
      liveness: { ping: () => true },
      readiness: { informers: () => synced },
    });
    const base = `http://127.0.0.1:${server.port}`;
    const m = await fetch(`${base}/metrics`);
    expect(m.headers.get('content-type')).toContain('version=0.0.4');
    expect(await m.text()).toContain(
      'kraftwerk_reconcile_total{kind="KafkaTopic",result="success"} 1',
    );
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.text()).toContain('[-]informers failed');
    synced = true;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  it('reports each check when verbose, and a throwing check fails', () => {
    const r = checkReport(
      {
        a: () => true,
        b: () => {
          throw new Error('x');
        },
      },
      true,
    );
    expect(r).toEqual({ status: 503, body: '[+]a ok\n[-]b failed\ncheck failed\n' });
  });
});
