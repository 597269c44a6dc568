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
});
operator.manager.handleSignals();
operator.manager.done.then(
  async (reason) => {
    await operator.kafka.closeAll();
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
