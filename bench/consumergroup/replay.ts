// Replays one trace through an autoscaler over the simulator and records the timeline.

import type { AutoscalerMemory } from '../../operator/src/consumergroup/autoscale.ts';
import { autoscaleStep, freshMemory } from '../../operator/src/consumergroup/autoscale.ts';
import type { ObserveSettings } from '../../operator/src/consumergroup/observe.ts';
import { defaultObserveSettings } from '../../operator/src/consumergroup/observe.ts';
import type { ScalingSettings } from '../../operator/src/consumergroup/policy.ts';
import type { KedaSettings } from './keda-model.ts';
import { hpaSync, initialKedaState, kedaPoll } from './keda-model.ts';
import type { World, WorldConfig } from './simulator.ts';
import {
  assignments,
  createWorld,
  members,
  readOffsets,
  setReplicas,
  step,
  trueLag,
} from './simulator.ts';
import type { Trace } from './traces.ts';

/**
 * Ours as both consumer-group benches run it: the settings of
 * examples/kafka-consumer-group-demo-consumer.yaml with the bench's threshold and a maxReplicas
 * above the partition count, so both ceilings are exercised (KEDA's default maximum is 100).
 */
export function oursSettings(lagThreshold: number, maxReplicas: number): ScalingSettings {
  return {
    minReplicas: 0,
    maxReplicas,
    lagThreshold,
    activationLagThreshold: 10,
    drainTargetSeconds: 60,
    allowIdleConsumers: false,
    scaleDownStabilizationSeconds: 120,
    scaleDownMaxStepPercent: 50,
    dwellSeconds: 40,
    rebalanceSeconds: 15,
  };
}

export interface Environment {
  partitions: number;
  perReplicaRate: number;
  rebalancePauseSeconds: number;
  commitIntervalSeconds: number;
}

export interface Timeline {
  /** Per second. */
  replicas: number[];
  lag: number[];
  ideal: number[];
  changes: { time: number; from: number; to: number }[];
}

/** Called once per second before the world steps; returns the replicas to set. */
type Controller = (world: World, t: number) => number;

function replay(trace: Trace, env: Environment, controller: Controller): Timeline {
  const config: WorldConfig = { ...env, ...trace.world };
  const world = createWorld(config);
  const out: Timeline = { replicas: [], lag: [], ideal: [], changes: [] };
  for (let t = 0; t < trace.durationSeconds; t++) {
    trace.at?.(world);
    const to = controller(world, t);
    if (to !== world.replicas) {
      out.changes.push({ time: t, from: world.replicas, to });
      setReplicas(world, to);
    }
    const rate = trace.rate(t);
    step(world, rate);
    out.replicas.push(world.replicas);
    out.lag.push(trueLag(world));
    out.ideal.push(Math.min(env.partitions, Math.ceil(rate / env.perReplicaRate)));
  }
  return out;
}

export function replayOurs(
  trace: Trace,
  env: Environment,
  settings: ScalingSettings,
  pollIntervalSeconds: number,
): Timeline {
  const observeSettings: ObserveSettings = {
    ...defaultObserveSettings,
    offsetResetPolicy: trace.world.offsetResetPolicy,
  };
  let memory: AutoscalerMemory | null = null;
  return replay(trace, env, (world, t) => {
    if (t % pollIntervalSeconds !== 0) return world.replicas;
    const now = t * 1000;
    memory ??= freshMemory(now, world.replicas, null);
    const step = autoscaleStep(
      memory,
      {
        kind: 'offsets',
        time: now,
        partitions: readOffsets(world),
        members: members(world),
        assignments: assignments(world),
      },
      world.replicas,
      settings,
      observeSettings,
    );
    memory = step.memory;
    return step.decision.desiredReplicas;
  });
}

export function replayKeda(trace: Trace, env: Environment, s: KedaSettings): Timeline {
  const state = initialKedaState();
  return replay(trace, env, (world, t) => {
    let replicas = world.replicas;
    if (t % s.pollingIntervalSeconds === 0) {
      replicas = kedaPoll(s, state, readOffsets(world), replicas, t);
    }
    // The HPA's clock is not KEDA's: offset its syncs from the polls.
    if (t % s.hpaSyncSeconds === 7) replicas = hpaSync(s, state, readOffsets(world), replicas, t);
    return replicas;
  });
}
