// A one-second-step model of a topic and a consumer group: producers at a rate, consumers with a
// fixed per-replica throughput, a range-style assignment, periodic commits, a pause of every
// member on each membership change (eager rebalance plus pod start), an optional stuck
// partition, and offsetResetPolicy applied when a partition without a committed offset is
// assigned. Deliberately small: it exists to replay the same trace through two autoscalers.

import type { OffsetResetPolicy, PartitionOffsets } from '../../operator/src/consumergroup/lag.ts';

export interface WorldConfig {
  partitions: number;
  perReplicaRate: number;
  rebalancePauseSeconds: number;
  commitIntervalSeconds: number;
  offsetResetPolicy: OffsetResetPolicy;
  /** Offsets the partitions start with: end, log start and committed (null: none yet). */
  initial: { end: number; logStart: number; committed: number | null };
  initialReplicas: number;
}

interface Partition {
  end: number;
  logStart: number;
  committed: number | null;
  /** Where the owner reads next; null when unowned or not yet reset. */
  position: number | null;
  stuck: boolean;
  /** Fractional production carried between steps. */
  carry: number;
}

export interface World {
  readonly config: WorldConfig;
  time: number;
  replicas: number;
  pausedUntil: number;
  partitions: Partition[];
}

export function createWorld(config: WorldConfig): World {
  const { end, logStart, committed } = config.initial;
  return {
    config,
    time: 0,
    replicas: config.initialReplicas,
    pausedUntil: 0,
    partitions: Array.from({ length: config.partitions }, () => ({
      end,
      logStart,
      committed,
      position: null,
      stuck: false,
      carry: 0,
    })),
  };
}

/** The scale subresource: a change pauses every member while the group rebalances. */
export function setReplicas(world: World, replicas: number): void {
  if (replicas === world.replicas) return;
  // Members commit what they have on revoke (auto-commit does), then everyone stops.
  commitAll(world);
  for (const p of world.partitions) p.position = null;
  world.replicas = replicas;
  world.pausedUntil = world.time + world.config.rebalancePauseSeconds;
}

function commitAll(world: World): void {
  for (const p of world.partitions) if (p.position !== null) p.committed = p.position;
}

function owner(world: World, partition: number): number {
  return partition % world.replicas;
}

/** Advances one second: produce `rate` messages/s spread evenly, then consume. */
export function step(world: World, rate: number): void {
  const ps = world.partitions;
  for (const p of ps) {
    p.carry += rate / ps.length;
    const whole = Math.floor(p.carry);
    p.end += whole;
    p.carry -= whole;
  }
  world.time += 1;
  if (world.replicas === 0 || world.time <= world.pausedUntil) return;

  for (const p of ps) {
    if (p.position !== null) continue;
    // Resuming: the committed offset if it is in range, else the reset policy.
    const c = p.committed;
    const inRange = c !== null && c >= p.logStart && c <= p.end;
    p.position = inRange ? c : world.config.offsetResetPolicy === 'earliest' ? p.logStart : p.end;
  }
  // Each consumer shares its throughput among its partitions that have backlog (water-filling).
  const members = Math.min(world.replicas, ps.length);
  for (let m = 0; m < members; m++) {
    const mine = ps.filter((_, i) => owner(world, i) === m && !ps[i]!.stuck);
    let budget = world.config.perReplicaRate;
    let open = mine.filter((p) => p.end > p.position!);
    while (budget > 1e-9 && open.length > 0) {
      const share = budget / open.length;
      for (const p of open) {
        const take = Math.min(share, p.end - p.position!);
        p.position! += take;
        budget -= take;
      }
      open = open.filter((p) => p.end - p.position! > 1e-9);
    }
  }
  // Each member auto-commits on its own clock (the second it joined), not in step with the
  // lag reader's polls: between commits a consumer that keeps up still shows some lag.
  const every = world.config.commitIntervalSeconds;
  ps.forEach((p, i) => {
    if (p.position !== null && (world.time + owner(world, i)) % every === 0) {
      p.committed = Math.floor(p.position);
    }
  });
}

export function makeStuck(world: World, partition: number): void {
  world.partitions[partition]!.stuck = true;
}

/** What a lag reader sees: integer offsets, as Kafka reports them. */
export function readOffsets(world: World, topic = 'orders'): PartitionOffsets[] {
  return world.partitions.map((p, i) => ({
    topic,
    partition: i,
    committed: p.committed,
    end: p.end,
    logStart: p.logStart,
  }));
}

/** Members stay in the group through a rebalance; they just do not consume. */
export function members(world: World): number {
  return world.replicas;
}

/** Who owns what (DescribeGroups' member assignments): partition i goes to member i mod n. */
export function assignments(
  world: World,
  topic = 'orders',
): { topic: string; partition: number }[][] {
  const n = Math.min(world.replicas, world.partitions.length);
  return Array.from({ length: n }, (_, m) =>
    world.partitions.flatMap((_, i) => (i % world.replicas === m ? [{ topic, partition: i }] : [])),
  );
}

/** The true backlog: what the group will still have to read, by the policy it runs with. */
export function trueLag(world: World): number {
  let sum = 0;
  for (const p of world.partitions) {
    const from =
      p.position ??
      (p.committed !== null && p.committed >= p.logStart
        ? p.committed
        : world.config.offsetResetPolicy === 'earliest'
          ? p.logStart
          : p.end);
    sum += Math.max(0, p.end - from);
  }
  return sum;
}
