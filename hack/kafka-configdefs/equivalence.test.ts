// Proves the TypeScript config-value checks (operator/src/cluster/model/kafka-config-values.ts) say
// what Kafka says: for every key of every version's definitions, a corpus of good and bad
// values goes through Kafka's own ConfigDef.parse (KafkaConfigDefs.java against the real
// jars) and through configValueProblem, and verdicts and messages must be equal. Also checks
// the committed table is what the jars give. Needs the JDK and the cached Kafka builds, as
// npm test provides them (hack/toolchain/apt.sh, hack/toolchain/kafka.sh).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  configDefinitions,
  configValueProblem,
  isFullyChecked,
  type ConfigDefinition,
  type ConfigDefinitions,
  type Validator,
} from '../../operator/src/cluster/model/kafka-config-values.ts';
import { kafkaHome, kafkaVersions } from '../../test/fixtures/toolchain.ts';
import { CONFIG_DEFS_PATH, renderConfigDefs } from '../gen-kafka-configdefs.ts';
import { kafkaJava, type KafkaJava } from './java.ts';

// javac and the JVM on a busy 2-core machine: limits, not assertions about speed.
const JAVA_TIMEOUT_MS = 300_000;

const common = ['', ' ', 'abc', '1', '0', '-1', ' 7 ', 'true', 'x,y', '\t2\n'];
const byType: Record<ConfigDefinition['type'], string[]> = {
  BOOLEAN: ['true', 'false', 'TRUE', ' False ', 'yes', '1', 'tru'],
  STRING: ['value', '  padded  '],
  PASSWORD: ['secret'],
  CLASS: [],
  LIST: ['a,b', ' a , b ', 'a,,b', ',', 'a, b,c '],
  SHORT: ['32767', '32768', '-32768', '-32769', '+5', '007', '1.0', '1e3', '0x10'],
  INT: ['2147483647', '2147483648', '-2147483648', '-2147483649', '+5', '007', '1.5', '1e3'],
  LONG: ['9223372036854775807', '9223372036854775808', '-9223372036854775809', '+12', '1L'],
  DOUBLE: [
    '0.5',
    '1',
    '1e3',
    '1E-5',
    '.5',
    '5.',
    '-0.0',
    '1d',
    '2.5f',
    'NaN',
    'Infinity',
    '-Infinity',
    '0x1p3',
    '0x.8p1',
    '1e400',
    '1_0',
    '1.2.3',
    'e5',
    '12345678.9',
    '0.0001',
  ],
};

/** Values around the validator's edges: bounds and one past, each allowed word and a near miss. */
function edges(v: Validator | undefined, type: ConfigDefinition['type']): string[] {
  if (!v) return [];
  switch (v.kind) {
    case 'range': {
      const out: string[] = [];
      for (const bound of [v.min, v.max]) {
        if (!bound) continue;
        const n = Number(bound.text);
        if (type === 'DOUBLE') out.push(bound.text, String(n - 0.5), String(n + 0.5));
        else if (Number.isSafeInteger(n)) out.push(bound.text, String(n - 1), String(n + 1));
        else out.push(bound.text);
      }
      return out;
    }
    case 'in':
    case 'in-ignore-case':
      return v.values.flatMap((s) => [s, s.toLowerCase(), ` ${s} `, `${s}x`]);
    case 'list-in':
      return [v.values.join(','), `${v.values[0]},nope`, v.values.join(' , '), ''];
    case 'all':
      return v.validators.flatMap((inner) => edges(inner, type));
    default:
      return ['a\u0001b'];
  }
}

function corpus(defs: ConfigDefinitions): [string, string][] {
  const cases: [string, string][] = [];
  for (const [key, def] of Object.entries(defs)) {
    if (def.type === 'CLASS') continue; // Kafka loads the class: not judged here.
    for (const value of new Set([
      ...common,
      ...byType[def.type],
      ...edges(def.validator, def.type),
    ]))
      cases.push([key, value]);
  }
  return cases;
}

describe.each([...kafkaVersions])('Kafka %s config values', (version) => {
  let java: KafkaJava;
  beforeAll(() => {
    java = kafkaJava(kafkaHome(version));
  }, JAVA_TIMEOUT_MS);
  afterAll(() => java?.close());

  it(
    'are judged here exactly as ConfigDef.parse judges them',
    () => {
      const defs = configDefinitions(version)!;
      const cases = corpus(defs);
      expect(cases.length).toBeGreaterThan(3000);
      const kafka = java.parse(cases);
      expect(kafka).toHaveLength(cases.length);
      const disagreements: string[] = [];
      let refused = 0;
      cases.forEach(([key, value], i) => {
        const theirs = kafka[i];
        const ours = configValueProblem(defs, key, value);
        if (theirs !== undefined) refused++;
        // Where Kafka runs code the table cannot describe, we may accept what it refuses,
        // never the other way round.
        if (theirs !== undefined && ours === undefined && !isFullyChecked(defs[key]!)) return;
        if (ours !== theirs) {
          disagreements.push(`${key}=${JSON.stringify(value)}: kafka ${theirs}; ours ${ours}`);
        }
      });
      expect(disagreements).toEqual([]);
      // The corpus exercises both sides.
      expect(refused).toBeGreaterThan(cases.length / 4);
      expect(refused).toBeLessThan(cases.length);
    },
    JAVA_TIMEOUT_MS,
  );
});

describe('operator/src/cluster/model/kafka-config-defs.ts', () => {
  it(
    'is what the jars of every version in hack/versions.env give',
    async () => {
      expect(
        readFileSync(CONFIG_DEFS_PATH, 'utf8') === (await renderConfigDefs()),
        'stale: run node hack/gen-kafka-configdefs.ts',
      ).toBe(true);
    },
    JAVA_TIMEOUT_MS,
  );
});
