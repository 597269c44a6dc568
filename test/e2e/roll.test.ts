// Scenario 4: a configuration change Kafka cannot apply at runtime rolls the cluster while an
// idempotent acks=all producer (librdkafka) writes without pause to a topic with replication
// factor 3 and min.insync.replicas=2: controllers first, then brokers, one pod at a time, and
// every message Kafka acknowledged is there afterwards.
import { describe, expect, it } from 'vitest';
import { expectSafeRoll, rollWithConfig } from './roll.ts';

describe('rolling restart under load', () => {
  it('rolls every pod one at a time and loses no acknowledged message', async () => {
    const report = await rollWithConfig('e2e-roll');
    expect(report.acked).toBeGreaterThan(1000);
    expectSafeRoll(report);
  });
});
