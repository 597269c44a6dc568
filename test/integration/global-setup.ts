// Starts the real components the integration tier shares: one control plane and one Kafka
// (the default version), with kraftwerk's CRDs installed. Files needing something special (another Kafka version, several
// brokers, an API server they may stop) start their own fixtures.
import type { TestProject } from 'vitest/node';
import { KubeClient, loadKubeConfig } from '../../operator/src/runtime/kube-client.ts';
import { ControlPlane } from '../fixtures/control-plane.ts';
import { installCrds } from '../fixtures/crds.ts';
import { KafkaFixture } from '../fixtures/kafka.ts';
import { logRoot } from '../fixtures/process.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of an admin (system:masters) kubeconfig for the shared kube-apiserver. */
    kubeconfig: string;
    /** Bootstrap address of the shared single-node Kafka. */
    kafkaBootstrap: string;
    kafkaVersion: string;
    /** Where fixtures keep their logs (kept after the run). */
    logDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const [cp, kafka] = await Promise.all([
    ControlPlane.start({ name: 'shared-control-plane' }),
    KafkaFixture.start({ name: 'shared-kafka' }),
  ]);
  await installCrds(new KubeClient(loadKubeConfig(cp.kubeconfigPath)));
  console.log(
    `[global-setup] control plane ${cp.server} and Kafka ${kafka.version} ${kafka.bootstrapServers} ready in ${Date.now() - started} ms; logs in ${logRoot}`,
  );
  project.provide('kubeconfig', cp.kubeconfigPath);
  project.provide('kafkaBootstrap', kafka.bootstrapServers);
  project.provide('kafkaVersion', kafka.version);
  project.provide('logDir', logRoot);
  return async () => {
    await Promise.all([kafka.stop(), cp.stop()]);
  };
}
