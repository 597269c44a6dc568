// Where the replicas of leaving brokers go: each one moves to the remaining broker that
// carries the fewest replicas (the fewest leaders for a leader slot), preferring a rack the
// partition does not use yet. The replication factor and replica order are kept.
import type { PartitionState } from '../model/observed-state.ts';

export interface PartitionMove {
  topic: string;
  partition: number;
  /** The full target replica list, preferred leader first. */
  replicas: number[];
}

export function planDrain(
  partitions: PartitionState[],
  leaving: number[],
  remaining: number[],
  racks: Record<number, string> = {},
): PartitionMove[] {
  const leavingSet = new Set(leaving);
  const load = new Map(remaining.map((id) => [id, 0]));
  const leaders = new Map(remaining.map((id) => [id, 0]));
  for (const p of partitions) {
    p.replicas.forEach((id, i) => {
      if (load.has(id)) load.set(id, load.get(id)! + 1);
      if (i === 0 && leaders.has(id)) leaders.set(id, leaders.get(id)! + 1);
    });
  }
  const sorted = [...partitions].sort(
    (a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition,
  );
  const moves: PartitionMove[] = [];
  for (const p of sorted) {
    if (!p.replicas.some((id) => leavingSet.has(id))) continue;
    const target = [...p.replicas];
    for (let i = 0; i < target.length; i++) {
      if (!leavingSet.has(target[i]!)) continue;
      const usedRacks = new Set(
        target
          .filter((id) => !leavingSet.has(id))
          .map((id) => racks[id])
          .filter(Boolean),
      );
      const candidates = remaining.filter((id) => !target.includes(id));
      if (candidates.length === 0) return []; // cannot keep the RF; the caller refuses first
      const score = (id: number) => [
        racks[id] !== undefined && usedRacks.has(racks[id]) ? 1 : 0,
        i === 0 ? leaders.get(id)! : 0,
        load.get(id)!,
        id,
      ];
      const best = candidates.reduce((a, b) => (lexLess(score(b), score(a)) ? b : a));
      target[i] = best;
      load.set(best, load.get(best)! + 1);
      if (i === 0) leaders.set(best, leaders.get(best)! + 1);
    }
    moves.push({ topic: p.topic, partition: p.partition, replicas: target });
  }
  return moves;
}

function lexLess(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}
