// Each folder's README says which of its files are pure (functional core) and which do I/O
// (shell). This keeps that true as files are added: a source file its README does not name
// fails here until someone says where it belongs.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = join(import.meta.dirname, '..', 'operator', 'src');
const folders = [
  'api',
  'runtime',
  'topic',
  'consumergroup',
  'cluster',
  'cluster/model',
  'cluster/render',
  'cluster/plan',
  'cluster/observe',
  'cluster/apply',
  'kafka',
  'pki',
  'user',
];

describe.each(folders)('operator/src/%s/README.md', (folder) => {
  const readme = readFileSync(join(src, folder, 'README.md'), 'utf8');
  const sources = readdirSync(join(src, folder)).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'),
  );

  it.each(sources)('names %s', (file) => {
    expect(readme.includes(`\`${file}\``), `${folder}/README.md does not mention ${file}`).toBe(
      true,
    );
  });

  it('names no file that is gone', () => {
    // A README may name its subfolders' files and tests too.
    const present = readdirSync(join(src, folder), { recursive: true }).map((f) =>
      String(f).split('/').pop()!,
    );
    const named = [...readme.matchAll(/`([\w.-]+\.ts)`/g)].map((m) => m[1]!);
    expect(named.filter((f) => !present.includes(f))).toEqual([]);
  });
});
