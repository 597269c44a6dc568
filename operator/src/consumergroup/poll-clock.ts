// When a group polls next. Every group polls on the shared clock — the multiples of its
// interval since the epoch — rather than one interval after its own last poll, so groups with the
// same interval poll in the same moment and their Kafka reads fill shared batches (one
// OffsetFetch, DescribeGroups, Metadata and ListOffsets for many groups) instead of being spread
// evenly over the interval, one group per request. Nothing random is added: spreading is what
// this avoids.

/**
 * Milliseconds from `now` until the next poll of a group whose poll started at `startedAt`: the
 * first multiple of `intervalMs` at least a tenth of an interval after the start. A poll that
 * started on a tick (or a little after it) polls again on the next tick. One that started late,
 * because the queue was long, polls on the next tick too unless that is very close: when a tick's
 * polls take longer than the interval, groups poll as often as the machine allows, rather than
 * skipping a tick.
 */
export function nextPollDelayMs(startedAt: number, now: number, intervalMs: number): number {
  const next = Math.ceil((startedAt + intervalMs / 10) / intervalMs) * intervalMs;
  return Math.max(0, next - now);
}
