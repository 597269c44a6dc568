import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderCrd, type ResourceDefinition } from '../operator/src/api/crd.ts';
import { resourceDefinitions } from '../operator/src/api/resources.ts';
import { enm, int, obj, optional, str } from '../operator/src/api/schema-dsl.ts';
import { API_DOCS_HEADER, API_DOCS_PATH, renderApiDocs } from './api-docs.ts';

const repoRoot = join(import.meta.dirname, '..');
const rendered = renderApiDocs(resourceDefinitions);

it(`the committed ${API_DOCS_PATH} is current`, () => {
  const committed = readFileSync(join(repoRoot, API_DOCS_PATH), 'utf8');
  // toBe would print a huge diff; the instruction matters more than the diff.
  expect(committed === rendered, `${API_DOCS_PATH} is stale: run node hack/gen-crds.ts`).toBe(true);
});

it('starts with the do-not-edit header', () => {
  expect(rendered.startsWith(API_DOCS_HEADER)).toBe(true);
});

describe.each(resourceDefinitions.map((d) => [d.kind, d] as const))('%s', (kind, def) => {
  const section = rendered.slice(rendered.indexOf(`## ${kind}\n`));

  it('lists every spec and status field', () => {
    const root = renderCrd(def).spec.versions[0]!.schema.openAPIV3Schema;
    for (const top of ['spec', 'status'] as const) {
      const names = Object.keys(root.properties?.[top]?.properties ?? {});
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) expect(section).toContain(`| \`${top}.${name}\` |`);
    }
  });

  it('gives every CEL rule with its message', () => {
    const messages = JSON.stringify(renderCrd(def))
      .match(/"message":"[^"]{8}/g)!
      .map((m) => m.slice('"message":"'.length));
    expect(messages.length).toBeGreaterThan(0);
    for (const start of messages) expect(section).toContain(start);
  });
});

describe('a synthetic kind', () => {
  const def: ResourceDefinition = {
    kind: 'Probe',
    plural: 'probes',
    singular: 'probe',
    shortNames: ['pr'],
    description: 'A kind only this test knows.',
    spec: obj({
      mode: enm('a', 'b').default('a').describe('Which *mode*, a <b> or _c_.'),
      count: optional(int().min(1).max(9).describe('How many.')),
      expr: str()
        .maxLength(8)
        .pattern('^(x|y)$')
        .rule('self == "x" || self == "y"', 'x or y')
        .describe('An expression.'),
    }).describe('Desired state.'),
    status: obj({ seen: optional(str().describe('Seen.')) }).describe('Observed state.'),
    printerColumns: [
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Age.' },
    ],
  };
  const page = renderApiDocs([def]);

  it('gives type, required, default, constraints and description in one row', () => {
    expect(page).toContain(
      '| `spec.mode` | string |  | `"a"` | one of `a`, `b` | Which \\*mode\\*, a \\<b\\> or \\_c\\_. |',
    );
    expect(page).toContain('| `spec.count` | integer |  |  | value 1–9 | How many. |');
  });

  it('escapes a pipe inside code so it does not end the table cell', () => {
    expect(page).toContain('| `spec.expr` | string | yes |  | length ≤ 8; pattern `^(x\\|y)$` |');
    expect(page).toContain('| `spec.expr` | `self == "x" \\|\\| self == "y"` | x or y |  |');
  });
});
