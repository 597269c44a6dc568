// The traces both autoscalers replay. Rates are chosen so the ideal size is not exactly at
// capacity (550/s for 100/s replicas, not 600/s): at 100% utilisation any backlog never drains
// and "ideal" would be a knife-edge no real deployment runs at.
// Each is a produce rate over time plus the world it starts
// in; `eventAt` is when the interesting thing happens (times are measured from it).

import type { World, WorldConfig } from './simulator.ts';
import { makeStuck } from './simulator.ts';

export interface Trace {
  name: string;
  description: string;
  durationSeconds: number;
  eventAt: number;
  rate: (t: number) => number;
  world: Omit<
    WorldConfig,
    'partitions' | 'perReplicaRate' | 'rebalancePauseSeconds' | 'commitIntervalSeconds'
  >;
  /** Something done to the world at a time (a stuck partition). */
  at?: (world: World) => void;
}

const settled = { end: 100_000, logStart: 0, committed: 100_000 };

export const traces: Trace[] = [
  {
    name: 'step',
    description: 'idle at zero, then 550 msg/s from t=60 on',
    durationSeconds: 2400,
    eventAt: 60,
    rate: (t) => (t < 60 ? 0 : 550),
    world: { offsetResetPolicy: 'latest', initial: settled, initialReplicas: 0 },
  },
  {
    name: 'burst',
    description: '180 msg/s, a burst of 1500 msg/s for 120 s at t=300',
    durationSeconds: 2400,
    eventAt: 300,
    rate: (t) => (t >= 300 && t < 420 ? 1500 : 180),
    world: { offsetResetPolicy: 'latest', initial: settled, initialReplicas: 2 },
  },
  {
    name: 'slow ramp',
    description: '100 -> 1050 msg/s linearly over t=60..1260, then flat',
    durationSeconds: 2700,
    eventAt: 60,
    rate: (t) => 100 + 950 * Math.min(1, Math.max(0, (t - 60) / 1200)),
    world: { offsetResetPolicy: 'latest', initial: settled, initialReplicas: 1 },
  },
  {
    name: 'stuck partition',
    description: '350 msg/s steady; partition 5 stops being consumed at t=120',
    durationSeconds: 2400,
    eventAt: 120,
    rate: () => 350,
    world: { offsetResetPolicy: 'latest', initial: settled, initialReplicas: 4 },
    at: (world) => {
      if (world.time === 120) makeStuck(world, 5);
    },
  },
  {
    name: 'no committed offsets',
    description: 'new group, earliest; 5k retained of 50k per partition; 250 msg/s',
    durationSeconds: 2400,
    eventAt: 0,
    rate: () => 250,
    world: {
      offsetResetPolicy: 'earliest',
      initial: { end: 50_000, logStart: 45_000, committed: null },
      initialReplicas: 0,
    },
  },
  {
    name: 'over-provisioned',
    description: '12 replicas left running for a steady 250 msg/s with no backlog',
    durationSeconds: 2400,
    eventAt: 0,
    rate: () => 250,
    world: { offsetResetPolicy: 'latest', initial: settled, initialReplicas: 12 },
  },
];
