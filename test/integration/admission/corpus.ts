// Reads the admission corpus: YAML resources with their expected verdict in comment lines.
//
//   invalid/*.yaml      one resource, refused at creation; every `# expect: <text>` line must
//                       appear in the API server's message, and one must name the field.
//   transitions/*.yaml  two documents: `before` (accepted at creation) and `after` (the update).
//                       With `# expect:` lines the update must be refused with those messages;
//                       with `# outcome: accepted` it must be accepted.
//   valid/*.yaml        resources that must be accepted (edge cases beyond examples/).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAllYaml, type KubernetesObject } from '@kubernetes/client-node';

export const admissionDir = import.meta.dirname;

export interface InvalidCase {
  file: string;
  object: KubernetesObject;
  expect: string[];
}

export interface TransitionCase {
  file: string;
  before: KubernetesObject;
  after: KubernetesObject;
  /** Empty when the update must be accepted. */
  expect: string[];
}

export interface YamlFile {
  file: string;
  objects: KubernetesObject[];
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(dir, f));
}

function directive(text: string, name: string): string[] {
  const prefix = `# ${name}:`;
  return text
    .split('\n')
    .filter((line) => line.startsWith(prefix))
    .map((line) => line.slice(prefix.length).trim());
}

// A refusal users can act on names the field; the message alone is not enough.
function requireFieldNamed(path: string, expect: string[]): void {
  if (!expect.some((e) => /^(spec|metadata)\b/.test(e))) {
    throw new Error(`${path}: one "# expect:" line must name the field (spec.… or metadata.…)`);
  }
}

function documents(text: string): KubernetesObject[] {
  return (loadAllYaml(text) as unknown[]).filter(
    (doc): doc is KubernetesObject => typeof doc === 'object' && doc !== null,
  );
}

export function readYamlFiles(dir: string): YamlFile[] {
  return yamlFiles(dir).map((path) => ({
    file: path,
    objects: documents(readFileSync(path, 'utf8')),
  }));
}

export function readInvalidCases(dir = join(admissionDir, 'invalid')): InvalidCase[] {
  return yamlFiles(dir).map((path) => {
    const text = readFileSync(path, 'utf8');
    const objects = documents(text);
    const expect = directive(text, 'expect');
    if (objects.length !== 1) throw new Error(`${path}: want exactly one resource`);
    if (expect.length === 0) throw new Error(`${path}: missing "# expect: <message>" line`);
    requireFieldNamed(path, expect);
    return { file: path, object: objects[0]!, expect };
  });
}

export function readTransitionCases(dir = join(admissionDir, 'transitions')): TransitionCase[] {
  return yamlFiles(dir).map((path) => {
    const text = readFileSync(path, 'utf8');
    const objects = documents(text);
    const expect = directive(text, 'expect');
    const accepted = directive(text, 'outcome').includes('accepted');
    if (objects.length !== 2) throw new Error(`${path}: want two documents, before and after`);
    if (accepted === expect.length > 0) {
      throw new Error(`${path}: want either "# expect:" lines or "# outcome: accepted"`);
    }
    if (!accepted) requireFieldNamed(path, expect);
    return { file: path, before: objects[0]!, after: objects[1]!, expect };
  });
}
