// Test-only helpers shared by the runtime's unit tests (no production code imports this).
import type { ListWatchSource } from './informer.ts';
import type { KubeObject } from './resource.ts';

/** Lets queued promise callbacks and setImmediate work run `rounds` times. */
export async function flush(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

/** A list/watch source that lists `items` once and lets the test push watch events. */
export function staticSource(items: KubeObject[]) {
  let push: ((type: string, obj: unknown) => void) | undefined;
  const source: ListWatchSource = {
    list: async () => ({ metadata: { resourceVersion: '1' }, items }),
    watch: async (_p, _q, onEvent) => {
      push = onEvent;
      return { abort: () => {} };
    },
  };
  return { source, push: (t: string, o: KubeObject) => push!(t, o) };
}
