// The operator as operator/src/main.ts runs it (a process of its own, configured from the
// environment), plus the one thing main.ts cannot be told: where a KafkaCluster's REPLICATION
// listener is when nothing runs in a cluster (createOperator's clusterBootstrap, as the
// integration tests set it). The address is read from BENCH_CLUSTER_BOOTSTRAP_FILE, written by
// the bench once the secured Kafka is up (it needs the cluster CA the operator makes first);
// until then an address nothing listens on. Leader election off, as in the topic bench.
import { existsSync, readFileSync } from 'node:fs';
import { configFromEnv } from '../../operator/src/config.ts';
import { createOperator } from '../../operator/src/operator.ts';
import { loadKubeConfig } from '../../operator/src/runtime/kube-client.ts';
import { createLogger } from '../../operator/src/runtime/logger.ts';

const NOT_YET = '127.0.0.1:9';
const file = process.env.BENCH_CLUSTER_BOOTSTRAP_FILE ?? '';
let bootstrap: string | undefined;
const clusterBootstrap = (): string => {
  if (bootstrap) return bootstrap;
  if (!file || !existsSync(file)) return NOT_YET;
  bootstrap = readFileSync(file, 'utf8').trim();
  return bootstrap;
};

const config = configFromEnv(process.env);
const logger = createLogger({ level: config.logLevel, fields: { app: 'kraftwerk' } });
const operator = createOperator({
  kubeConfig: loadKubeConfig(config.kubeconfig),
  logger,
  namespaces: config.namespaces,
  httpPort: config.httpPort,
  resyncMs: config.resyncMs,
  reconcileTimeoutMs: config.reconcileTimeoutMs,
  identity: 'kraftwerk-bench',
  clusterBootstrap,
});
operator.manager.handleSignals();
void operator.manager.done.then(async () => {
  await Promise.race([
    operator.kafka.closeAll().catch(() => undefined),
    new Promise((r) => setTimeout(r, 5_000).unref()),
  ]);
  process.exit(0);
});
await operator.start();
