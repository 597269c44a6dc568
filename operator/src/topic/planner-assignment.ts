// Replica assignment for a replication-factor change: pure, deterministic, topic-local.
//
// Goals, in order: keep every replica that can stay (moving data is the expensive part), keep
// each partition's preferred leader (the first replica) where it survives, balance replica and
// leader counts across brokers, and give the same answer for the same input every time.

export interface PartitionReplicas {
  readonly partition: number;
  /** Broker ids; the first is the preferred leader. */
  readonly replicas: readonly number[];
}

export function assignReplicas(
  partitions: readonly PartitionReplicas[],
  brokers: readonly number[],
  replicationFactor: number,
): PartitionReplicas[] {
  const live = [...new Set(brokers)].sort((a, b) => a - b);
  if (replicationFactor < 1 || replicationFactor > live.length) {
    throw new RangeError(
      `replication factor ${replicationFactor} needs ${replicationFactor} brokers, have ${live.length}`,
    );
  }
  const liveSet = new Set(live);
  const ordered = [...partitions].sort((a, b) => a.partition - b.partition);

  // Start from what may stay: replicas on live brokers, without duplicates, in their order.
  const kept = ordered.map((p) => [...new Set(p.replicas.filter((b) => liveSet.has(b)))]);
  const load = new Map<number, number>(live.map((b) => [b, 0]));
  for (const replicas of kept) for (const b of replicas) load.set(b, load.get(b)! + 1);

  // Shrink: drop followers on the most loaded brokers first; the leader goes only if alone over.
  for (const replicas of kept) {
    while (replicas.length > replicationFactor) {
      const followers = replicas.slice(1);
      const victim = pickBy(followers, (b) => [-load.get(b)!, -b]);
      replicas.splice(replicas.indexOf(victim), 1);
      load.set(victim, load.get(victim)! - 1);
    }
  }

  // Leaders: a partition that lost its leader (or all replicas) gets the broker leading least.
  const leaders = new Map<number, number>(live.map((b) => [b, 0]));
  const hadLeader = kept.map(
    (replicas, i) => replicas[0] !== undefined && replicas[0] === ordered[i]!.replicas[0],
  );
  kept.forEach((replicas, i) => {
    if (hadLeader[i]) leaders.set(replicas[0]!, leaders.get(replicas[0]!)! + 1);
  });
  kept.forEach((replicas, i) => {
    if (hadLeader[i]) return;
    if (replicas.length === 0) {
      const b = pickBy(live, (c) => [leaders.get(c)!, load.get(c)!, c]);
      replicas.push(b);
      load.set(b, load.get(b)! + 1);
    } else {
      // Promote the surviving replica that leads least, rather than adding data movement.
      const b = pickBy(replicas, (c) => [leaders.get(c)!, c]);
      replicas.splice(replicas.indexOf(b), 1);
      replicas.unshift(b);
    }
    leaders.set(replicas[0]!, leaders.get(replicas[0]!)! + 1);
  });

  // Grow: add the least loaded brokers, ties broken by distance from the leader so partitions
  // with different leaders fan out to different followers.
  kept.forEach((replicas) => {
    while (replicas.length < replicationFactor) {
      const leader = replicas[0]!;
      const candidates = live.filter((b) => !replicas.includes(b));
      const b = pickBy(candidates, (c) => [load.get(c)!, ringDistance(live, leader, c)]);
      replicas.push(b);
      load.set(b, load.get(b)! + 1);
    }
  });

  return ordered.map((p, i) => ({ partition: p.partition, replicas: kept[i]! }));
}

/** The changed partitions only: what an AlterPartitionReassignments request should carry. */
export function reassignmentFor(
  partitions: readonly PartitionReplicas[],
  brokers: readonly number[],
  replicationFactor: number,
): PartitionReplicas[] {
  const target = assignReplicas(partitions, brokers, replicationFactor);
  const current = new Map(partitions.map((p) => [p.partition, p.replicas]));
  return target.filter((t) => !sameList(current.get(t.partition) ?? [], t.replicas));
}

function ringDistance(ring: readonly number[], from: number, to: number): number {
  const i = ring.indexOf(from);
  const j = ring.indexOf(to);
  return (j - i + ring.length) % ring.length;
}

/** The element whose key sorts first (keys compared lexicographically). */
function pickBy<T>(items: readonly T[], key: (item: T) => number[]): T {
  let best: T = items[0]!;
  let bestKey = key(best);
  for (const item of items.slice(1)) {
    const k = key(item);
    if (compareKeys(k, bestKey) < 0) {
      best = item;
      bestKey = k;
    }
  }
  return best;
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return a.length - b.length;
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
