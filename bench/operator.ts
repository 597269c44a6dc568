// The operator as the benchmarks run it: a separate `node` process with the shipped
// NODE_OPTIONS, watching one namespace, without leader election, on a free HTTP port (its
// /metrics), with a one-hour resync so no resync falls inside a measurement.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { operatorNodeOptions } from '../operator/src/node-options.ts';
import { freePort } from '../test/fixtures/ports.ts';
import { waitFor } from '../test/fixtures/process.ts';
import { repoRoot } from '../test/fixtures/toolchain.ts';

export interface BenchOperator {
  child: ChildProcess;
  pid: number;
  port: number;
  /** Seconds from the spawn until /readyz answered. */
  startS: number;
  /** SIGTERM, then the exit. */
  stop(): Promise<void>;
}

export interface BenchOperatorOptions {
  kubeconfig: string;
  namespace: string;
  /** The entry point; BENCH_OPERATOR_MAIN (another checkout's, for before/after) or ours. */
  main?: string;
  env?: Record<string, string>;
  /** Called if the process exits without stop(): an operator that died (out of memory, say). */
  onUnaskedExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

export async function startBenchOperator(opts: BenchOperatorOptions): Promise<BenchOperator> {
  const main =
    opts.main ?? process.env.BENCH_OPERATOR_MAIN ?? join(repoRoot, 'operator/src/main.ts');
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      // As shipped (chart, cdk8s); OPERATOR_NODE_OPTIONS='' measures V8's defaults instead.
      NODE_OPTIONS: process.env.OPERATOR_NODE_OPTIONS ?? operatorNodeOptions,
      KUBECONFIG: opts.kubeconfig,
      KRAFTWERK_WATCH_NAMESPACES: opts.namespace,
      KRAFTWERK_LEADER_ELECTION: 'false',
      KRAFTWERK_HTTP_PORT: String(port),
      KRAFTWERK_RESYNC_SECONDS: '3600',
      KRAFTWERK_LOG_LEVEL: 'warn',
      ...opts.env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let stopping = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      if (!stopping) opts.onUnaskedExit?.(code, signal);
      resolve();
    }),
  );
  await waitFor(
    'operator /readyz',
    async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok,
  );
  return {
    child,
    pid: child.pid!,
    port,
    startS: (performance.now() - started) / 1000,
    stop: async () => {
      stopping = true;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
