import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['operator/src/**/*.test.ts', 'cdk8s/**/*.test.ts', 'hack/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          // One real control plane and Kafka are shared by every file (see globalSetup); the
          // machines have 2 cores, so files run one at a time against them.
          globalSetup: ['test/integration/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          // One kind cluster and one KafkaCluster (see globalSetup) serve every scenario, in
          // file order: each leaves the cluster as it found it (3 brokers, Ready).
          globalSetup: ['test/e2e/global-setup.ts'],
          // A failed scenario keeps pod logs, describe and Events (test/e2e/evidence.ts).
          setupFiles: ['test/e2e/evidence.ts'],
          fileParallelism: false,
          sequence: { concurrent: false },
          testTimeout: 15 * 60_000,
          hookTimeout: 20 * 60_000,
        },
      },
    ],
  },
});
