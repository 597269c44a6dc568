// The repository explains itself: no tracked file points at a design folder that lives next to
// it (the API reference is docs/api.md). A file that does fails here, with its line.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
// Spelled in pieces, so this file does not match itself.
const outside = [['shared', 'design'].join('/'), ['..', 'shared', ''].join('/')];

function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f !== '' && f !== 'package-lock.json');
}

describe('tracked files', () => {
  it(`mention no path outside the repository (${outside.join(', ')})`, () => {
    const found: string[] = [];
    for (const file of trackedFiles()) {
      let text: string;
      try {
        text = readFileSync(join(root, file), 'utf8');
      } catch {
        continue; // listed but absent from the work tree (e.g. a deletion not yet staged)
      }
      text.split('\n').forEach((line, i) => {
        if (outside.some((o) => line.includes(o))) found.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(found).toEqual([]);
  });
});
