// /metrics, /healthz and /readyz on one small HTTP server.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './logger.ts';
import { silentLogger } from './logger.ts';
import type { Registry } from './metrics.ts';
import { prometheusContentType } from './metrics.ts';

export type HealthChecks = Record<string, () => boolean>;

export interface HealthServerOptions {
  port: number;
  host?: string;
  registry: Registry;
  /** All must pass for /healthz (liveness): the process is working, not stuck. */
  liveness?: HealthChecks;
  /** All must pass for /readyz: caches are synced. Leadership is deliberately not one. */
  readiness?: HealthChecks;
  logger?: Logger;
}

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/** Pure: the status code and body for a set of checks (`verbose` lists each one). */
export function checkReport(
  checks: HealthChecks,
  verbose: boolean,
): { status: number; body: string } {
  const results = Object.entries(checks).map(([name, check]) => {
    let ok: boolean;
    try {
      ok = check();
    } catch {
      ok = false;
    }
    return { name, ok };
  });
  const failed = results.filter((r) => !r.ok);
  const status = failed.length === 0 ? 200 : 503;
  if (!verbose) {
    return {
      status,
      body: status === 200 ? 'ok\n' : failed.map((r) => `[-]${r.name} failed`).join('\n') + '\n',
    };
  }
  const lines = results.map((r) => `[${r.ok ? '+' : '-'}]${r.name} ${r.ok ? 'ok' : 'failed'}`);
  lines.push(status === 200 ? 'check passed' : 'check failed');
  return { status, body: lines.join('\n') + '\n' };
}

export function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const log = options.logger ?? silentLogger;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const verbose = url.searchParams.has('verbose');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    if (url.pathname === '/metrics') {
      res.writeHead(200, { 'Content-Type': prometheusContentType });
      res.end(options.registry.render());
      return;
    }
    const checks =
      url.pathname === '/healthz' || url.pathname === '/livez'
        ? (options.liveness ?? {})
        : url.pathname === '/readyz'
          ? (options.readiness ?? {})
          : undefined;
    if (!checks) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    const report = checkReport(checks, verbose);
    res.writeHead(report.status, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(report.body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      const port = (server.address() as AddressInfo).port;
      log.info('health server listening', { port });
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
