// When an e2e scenario fails, keep what could say why before the next scenario (or a `finally`)
// changes the cluster: for every namespace of ours (kraftwerk-system and kraftwerk-e2e*), the
// logs of every pod's containers (current and previous), `kubectl describe` of each pod and the
// namespace's Events, and the nodes (describe, every pod's placement), under <logRoot>/e2e-evidence/<scenario>-<time>/. The failure names the
// directory. Registered for every test by vitest.config.ts (setupFiles of the e2e project).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, onTestFailed } from 'vitest';
import { logRoot } from '../fixtures/process.ts';
import { kubectl } from './lib.ts';

/** kubectl's output, or its error as text: one missing piece must not lose the rest. */
async function capture(args: string[]): Promise<string> {
  try {
    return await kubectl(...args);
  } catch (e) {
    return `kubectl ${args.join(' ')} failed: ${e instanceof Error ? e.message : String(e)}\n`;
  }
}

export async function keepEvidence(scenario: string): Promise<string> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = join(logRoot, 'e2e-evidence', `${scenario.replace(/[^\w.-]+/g, '_')}-${stamp}`);
  mkdirSync(dir, { recursive: true });
  // On several nodes a pod's trouble is often its node's: conditions, taints, what runs there.
  writeFileSync(
    join(dir, 'nodes.txt'),
    (await capture(['get', 'nodes', '-o', 'wide', '--show-labels'])) +
      '\n' +
      (await capture(['describe', 'nodes'])) +
      '\n' +
      (await capture(['get', 'pods', '-A', '-o', 'wide'])),
  );
  const namespaces = (await capture(['get', 'namespaces', '-o', 'name']))
    .split('\n')
    .map((l) => l.replace(/^namespace\//, '').trim())
    .filter((n) => n === 'kraftwerk-system' || n.startsWith('kraftwerk-e2e'));
  for (const ns of namespaces) {
    const nsDir = join(dir, ns);
    mkdirSync(nsDir, { recursive: true });
    const [events, resources, pods] = await Promise.all([
      capture(['-n', ns, 'get', 'events', '--sort-by=.lastTimestamp', '-o', 'wide']),
      capture(['-n', ns, 'get', 'kafka,statefulsets,pods,pvc', '-o', 'wide']),
      capture(['-n', ns, 'get', 'pods', '-o', 'name']),
    ]);
    writeFileSync(join(nsDir, 'events.txt'), events);
    writeFileSync(join(nsDir, 'resources.txt'), resources);
    const names = pods
      .split('\n')
      .map((l) => l.replace(/^pod\//, '').trim())
      .filter(Boolean);
    await Promise.all(
      names.map(async (pod) => {
        const [describe, current, previous] = await Promise.all([
          capture(['-n', ns, 'describe', 'pod', pod]),
          capture(['-n', ns, 'logs', pod, '--all-containers', '--timestamps']),
          capture(['-n', ns, 'logs', pod, '--all-containers', '--timestamps', '--previous']),
        ]);
        writeFileSync(join(nsDir, `${pod}.describe.txt`), describe);
        writeFileSync(join(nsDir, `${pod}.log`), current);
        writeFileSync(join(nsDir, `${pod}.previous.log`), previous);
      }),
    );
  }
  return dir;
}

beforeEach((ctx) => {
  onTestFailed(async ({ task }) => {
    const dir = await keepEvidence(`${ctx.task.file.name.replace(/^.*\//, '')}-${ctx.task.name}`);
    const note = `evidence (pod logs, previous logs, describe, Events): ${dir}`;
    console.error(note);
    for (const e of task.result?.errors ?? []) e.message = `${e.message}\n${note}`;
  }, 180_000);
});
