// kraftwerk's entry point: `node operator/src/main.ts`. Out of the cluster it uses KUBECONFIG
// (or ~/.kube/config); in a pod, its service account.
import { configFromEnv } from './config.ts';
import { createOperator } from './operator.ts';
import { loadKubeConfig } from './runtime/kube-client.ts';
import { createLogger } from './runtime/logger.ts';

const config = configFromEnv(process.env);
const logger = createLogger({ level: config.logLevel, fields: { app: 'kraftwerk' } });
const operator = createOperator({
  kubeConfig: loadKubeConfig(config.kubeconfig),
  logger,
  namespaces: config.namespaces,
  ...(config.leaderElection ? { leaderElection: config.leaderElection } : {}),
  httpPort: config.httpPort,
  resyncMs: config.resyncMs,
  reconcileTimeoutMs: config.reconcileTimeoutMs,
  identity: config.leaderElection?.identity ?? 'kraftwerk',
  ...(config.operatorPods ? { operatorPods: config.operatorPods } : {}),
  readNodes: config.readNodes,
});
operator.manager.handleSignals();
// Closing Kafka connections is a courtesy: once the health server is down, a close that waits
// on a broker mid-restart would leave a process the liveness probe has to kill (exit 137), and
// a fenced leader must be seen to exit by itself. So it gets a few seconds, no more.
const CLOSE_GRACE_MS = 5_000;
operator.manager.done.then(
  async (reason) => {
    const closed = await Promise.race([
      operator.kafka.closeAll().then(
        () => true,
        (err: unknown) => {
          logger.warn('closing Kafka connections failed', { err: String(err) });
          return true;
        },
      ),
      new Promise<false>((resolve) => setTimeout(resolve, CLOSE_GRACE_MS, false).unref()),
    ]);
    if (!closed)
      logger.warn('Kafka connections did not close in time', { graceMs: CLOSE_GRACE_MS });
    logger.info('exiting', { reason });
    process.exit(reason === 'error' || reason === 'leadership-lost' ? 1 : 0);
  },
  () => process.exit(1),
);
logger.info('starting', {
  namespaces: config.namespaces.length ? config.namespaces : 'all',
  leaderElection: Boolean(config.leaderElection),
  httpPort: config.httpPort,
});
await operator.start();
