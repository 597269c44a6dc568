// How the consumer-group benches print a trace: one row per measure, a column per autoscaler,
// the ratios between them. Shared by evaluate.ts (the model) and real/side-by-side.ts (real pods).

import type { Measures } from './measures.ts';
import type { Timeline } from './replay.ts';

export function fmt(n: number | null, digits = 1): string {
  if (n === null) return 'none';
  return Number.isInteger(n) ? String(n) : n.toFixed(digits);
}

export function ratio(a: number | null, b: number | null): string {
  if (a === null || b === null) return '—';
  if (b === 0) return a === 0 ? '1.00' : '∞';
  return (a / b).toFixed(2);
}

/** The first cell left-aligned, the rest right-aligned, each to its width. */
export function tableRow(cells: string[], widths: number[], separator = '  '): string {
  return cells
    .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
    .join(separator);
}

export function changesLine(t: Timeline): string {
  return t.changes.map((c) => `${c.time}s:${c.from}→${c.to}`).join(' ');
}

/** The measures as rows; backlog in millions (the model's scale) or thousands of message·s. */
export function measureRows(
  backlogIn: 'millions' | 'thousands',
): [string, (m: Measures) => number | null][] {
  const divisor = backlogIn === 'millions' ? 1e6 : 1e3;
  return [
    ['time to first decision (s)', (m) => m.firstDecision],
    ['time to final size (s)', (m) => m.timeToFinal],
    ['final size', (m) => m.finalSize],
    ['peak lag (messages)', (m) => Math.round(m.peakLag)],
    [`backlog (message·s, ${backlogIn})`, (m) => m.lagMessageSeconds / divisor],
    ['replica·s above ideal', (m) => m.excessReplicaSeconds],
    ['size changes', (m) => m.changes],
    ['direction reversals', (m) => m.reversals],
    ['changed in last 10 min (1=yes)', (m) => (m.stillChanging ? 1 : 0)],
  ];
}
