import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { enumsToConsts, generateImports, importsFile } from './import-crds.ts';

describe('cdk8s/imports', () => {
  it('is what `node cdk8s/hack/import-crds.ts` generates from crds/ now', async () => {
    const committed = readFileSync(importsFile, 'utf8');
    // A failure here means crds/ changed: run `node cdk8s/hack/import-crds.ts` and commit.
    expect(await generateImports()).toBe(committed);
  }, 120_000);

  it('turns enums into erasable const objects with a union type of the same name', () => {
    const out = enumsToConsts(
      'export enum Policy {\n  /** a */\n  RETAIN = "Retain",\n  DELETE = "Delete",\n}\n',
    );
    expect(out).toContain(
      'export const Policy = {\n  /** a */\n  RETAIN: "Retain",\n  DELETE: "Delete"\n} as const;',
    );
    expect(out).toContain('export type Policy = (typeof Policy)[keyof typeof Policy];');
  });
});
