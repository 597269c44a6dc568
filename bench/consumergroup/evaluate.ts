// Evaluation harness (a benchmark that prints numbers, not a test):
//   node bench/consumergroup/evaluate.ts [--timeline]
// Replays each trace through our policy (operator/src/consumergroup, the real pure core) and
// through a model of KEDA's Kafka scaler + HPA defaults on the same simulated world, and prints
// one table per trace with the ratio ours / KEDA. `--timeline` also prints every size change.
// "none" means no size change after the trace's event (the size already fit). "time to final
// size" is the last change; a policy still changing in the trace's last ten minutes never
// settled, and the verdicts say so rather than credit its last oscillation.

import type { KedaSettings } from './keda-model.ts';
import { kedaDefaults } from './keda-model.ts';
import { measure } from './measures.ts';
import { changesLine, fmt, measureRows, ratio, tableRow } from './report.ts';
import type { Environment } from './replay.ts';
import { oursSettings, replayKeda, replayOurs } from './replay.ts';
import { traces } from './traces.ts';

const env: Environment = {
  partitions: 12,
  perReplicaRate: 100,
  rebalancePauseSeconds: 15,
  commitIntervalSeconds: 5,
};

const ours = oursSettings(1000, 24);
const pollIntervalSeconds = 5;

const showTimeline = process.argv.includes('--timeline');

const rows = measureRows('millions');
const row = tableRow;

console.log(
  `kraftwerk lag autoscaling vs KEDA Kafka scaler + HPA defaults — ${env.partitions} partitions, ` +
    `${env.perReplicaRate} msg/s per replica, ${env.rebalancePauseSeconds} s rebalance pause, ` +
    `commits every ${env.commitIntervalSeconds} s`,
);
console.log(
  `ours: poll ${pollIntervalSeconds}s, lagThreshold ${ours.lagThreshold}, drainTarget ${ours.drainTargetSeconds}s, ` +
    `scale-down window ${ours.scaleDownStabilizationSeconds}s/${ours.scaleDownMaxStepPercent}%, dwell ${ours.dwellSeconds}s, ` +
    `min ${ours.minReplicas} max ${ours.maxReplicas}; "ours, no drainTarget" is the same without rate-aware sizing`,
);
console.log(
  `KEDA: lagThreshold ${ours.lagThreshold}, activation ${ours.activationLagThreshold}, polling ${kedaDefaults.pollingIntervalSeconds}s, ` +
    `cooldown ${kedaDefaults.cooldownPeriodSeconds}s; HPA sync ${kedaDefaults.hpaSyncSeconds}s, tolerance ${kedaDefaults.hpaTolerance}, ` +
    `up max(+100%,+4)/15s, down window ${kedaDefaults.scaleDownStabilizationSeconds}s; min 0 max ${ours.maxReplicas}`,
);

/** "none" (no change after the event) counts as best: the size was already right. */
function verdict(ours: number | null, keda: number | null, better: string, worse: string): string {
  const a = ours ?? -1;
  const b = keda ?? -1;
  return a < b ? better : a > b ? worse : 'same';
}
const verdicts: string[] = [];

for (const trace of traces) {
  const keda: KedaSettings = {
    ...kedaDefaults,
    lagThreshold: ours.lagThreshold,
    activationLagThreshold: ours.activationLagThreshold,
    offsetResetPolicy: trace.world.offsetResetPolicy,
    maxReplicaCount: ours.maxReplicas,
  };
  const tOurs = replayOurs(trace, env, ours, pollIntervalSeconds);
  const tBacklog = replayOurs(
    trace,
    env,
    { ...ours, drainTargetSeconds: null },
    pollIntervalSeconds,
  );
  const tKeda = replayKeda(trace, env, keda);
  const [mOurs, mBacklog, mKeda] = [tOurs, tBacklog, tKeda].map((t) => measure(t, trace.eventAt));
  const widths = [31, 8, 8, 12, 22];
  console.log(
    `\n## ${trace.name}: ${trace.description} (event at t=${trace.eventAt}s, ${trace.durationSeconds}s)`,
  );
  console.log(row(['', 'ours', 'KEDA', 'ours/KEDA', 'ours, no drainTarget'], widths));
  for (const [label, get] of rows) {
    const a = get(mOurs!);
    const b = get(mKeda!);
    console.log(row([label, fmt(a), fmt(b), ratio(a, b), fmt(get(mBacklog!))], widths));
  }
  const finalVerdict =
    mKeda!.stillChanging && !mOurs!.stillChanging
      ? 'sooner (KEDA never settles)'
      : mOurs!.stillChanging && !mKeda!.stillChanging
        ? 'later (ours never settles)'
        : verdict(mOurs!.timeToFinal, mKeda!.timeToFinal, 'sooner', 'later');
  verdicts.push(
    `${trace.name.padEnd(22)} final size reached: ${finalVerdict}; ` +
      `reversals: ${verdict(mOurs!.reversals, mKeda!.reversals, 'fewer', 'more')}; ` +
      `peak lag: ${verdict(mOurs!.peakLag, mKeda!.peakLag, 'lower', 'higher')}`,
  );
  if (showTimeline) {
    console.log(`  ours: ${changesLine(tOurs)}`);
    console.log(`  KEDA: ${changesLine(tKeda)}`);
    console.log(`  ours, no drainTarget: ${changesLine(tBacklog)}`);
  }
}

console.log('\n## ours vs KEDA');
for (const v of verdicts) console.log(v);
