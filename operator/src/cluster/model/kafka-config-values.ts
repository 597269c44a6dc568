// spec.config values judged the way Kafka's ConfigDef.parse judges them, from Kafka's own
// definitions (kafka-config-defs.ts, generated from the jars by hack/gen-kafka-configdefs.ts),
// so a value Kafka cannot parse is refused with Kafka's message before anything is rendered
// or rolled (it used to crash-loop the pods while the status said QuorumUnavailable).
// hack/kafka-configdefs/equivalence.test.ts runs Kafka's ConfigDef.parse on a corpus of good
// and bad values and checks every verdict and message here matches.
import { KAFKA_CONFIG_DEFINITIONS as versions } from './kafka-config-defs.ts';

export type ConfigType =
  'BOOLEAN' | 'STRING' | 'INT' | 'SHORT' | 'LONG' | 'DOUBLE' | 'LIST' | 'CLASS' | 'PASSWORD';

/** A bound as Java holds it: its type and its toString(), which Kafka's messages print. */
export interface JavaNumber {
  type: string;
  text: string;
}

export type Validator =
  | { kind: 'range'; min: JavaNumber | null; max: JavaNumber | null }
  | { kind: 'in' | 'in-ignore-case' | 'list-in'; values: string[] }
  | { kind: 'non-empty' | 'non-null' | 'non-empty-without-control-chars' }
  | { kind: 'all'; validators: Validator[] }
  | { kind: 'opaque'; class: string; description: string };

export interface ConfigDefinition {
  type: ConfigType;
  dynamic?: boolean;
  validator?: Validator;
}

export type ConfigDefinitions = Record<string, ConfigDefinition>;

/** The Kafka versions the table was generated for. */
export const KNOWN_KAFKA_VERSIONS: readonly string[] = Object.keys(versions);

/**
 * The definitions for a Kafka version: its own, else those of the newest patch release of
 * the same minor version in the table (patch releases do not change config definitions),
 * else none: values of other versions are not checked.
 */
export function configDefinitions(version: string): ConfigDefinitions | undefined {
  if (versions[version]) return versions[version];
  const minor = version.split('.').slice(0, 2).join('.');
  const same = KNOWN_KAFKA_VERSIONS.filter((v) => v.split('.').slice(0, 2).join('.') === minor);
  const newest = same.sort((a, b) => Number(b.split('.')[2]) - Number(a.split('.')[2]))[0];
  return newest ? versions[newest] : undefined;
}

/**
 * Whether configValueProblem says everything Kafka's ConfigDef.parse would: false for class
 * names (Kafka loads the class; plugins are on the image's class path, not ours) and for
 * validators Kafka implements in code the table cannot describe.
 */
export function isFullyChecked(def: ConfigDefinition): boolean {
  const modelled = (v: Validator | undefined): boolean =>
    v === undefined || (v.kind === 'all' ? v.validators.every(modelled) : v.kind !== 'opaque');
  return def.type !== 'CLASS' && modelled(def.validator);
}

/** Kafka's ConfigException(name, value, message) text. */
function invalid(key: string, value: string, message: string): string {
  return `Invalid value ${value} for configuration ${key}: ${message}`;
}

/** java.lang.String.trim(): strips every char up to U+0020, nothing else. */
export function javaTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 0x20) start++;
  while (end > start && s.charCodeAt(end - 1) <= 0x20) end--;
  return s.slice(start, end);
}

type Parsed =
  | { kind: 'string'; value: string }
  | { kind: 'integer'; value: bigint }
  | { kind: 'double'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'list'; value: string[] }
  | { kind: 'opaque' };

const INTEGER_BOUNDS: Record<string, readonly [bigint, bigint]> = {
  SHORT: [-(2n ** 15n), 2n ** 15n - 1n],
  INT: [-(2n ** 31n), 2n ** 31n - 1n],
  LONG: [-(2n ** 63n), 2n ** 63n - 1n],
};

/** Integer.parseInt and friends (ASCII digits; Java also takes other Unicode digits). */
function parseJavaInteger(s: string, type: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  const [min, max] = INTEGER_BOUNDS[type]!;
  return n < min || n > max ? undefined : n;
}

// Double.valueOf's grammar (FloatingDecimal.readJavaFormatString), after trimming.
const DECIMAL = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fFdD]?$/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?[0-9]+)[fFdD]?$/;

function parseJavaDouble(s: string): number | undefined {
  if (/^[+-]?NaN$/.test(s)) return NaN;
  if (/^[+-]?Infinity$/.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (DECIMAL.test(s)) return Number(s.replace(/[fFdD]$/, ''));
  const hex = HEX.exec(s);
  if (hex) {
    const [, sign, whole = '', fraction = '', exponent = '0'] = hex;
    if (whole === '' && fraction === '') return undefined;
    const mantissa = BigInt(`0x${whole}${fraction}` === '0x' ? '0' : `0x${whole}${fraction}`);
    const value = Number(mantissa) * 2 ** (Number(exponent) - 4 * fraction.length);
    return sign === '-' ? -value : value;
  }
  return undefined;
}

/** Double.toString, for the values Kafka prints in range messages. */
export function javaDoubleToString(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (d === Infinity) return 'Infinity';
  if (d === -Infinity) return '-Infinity';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(d);
  if (abs >= 1e-3 && abs < 1e7) {
    const text = String(d);
    return text.includes('.') ? text : `${text}.0`;
  }
  const [mantissa = '', exponent = ''] = d.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.replace('+', '')}`;
}

/** ConfigDef.parseType: the parsed value, or Kafka's message. */
function parseType(key: string, raw: string, type: ConfigType): Parsed | string {
  const trimmed = javaTrim(raw);
  switch (type) {
    case 'BOOLEAN': {
      const lower = trimmed.toLowerCase();
      if (lower === 'true' || lower === 'false')
        return { kind: 'boolean', value: lower === 'true' };
      return invalid(key, raw, 'Expected value to be either true or false');
    }
    case 'STRING':
    case 'PASSWORD':
      return { kind: 'string', value: trimmed };
    case 'SHORT':
    case 'INT':
    case 'LONG': {
      const n = parseJavaInteger(trimmed, type);
      if (n === undefined) return invalid(key, raw, `Not a number of type ${type}`);
      return { kind: 'integer', value: n };
    }
    case 'DOUBLE': {
      const d = parseJavaDouble(trimmed);
      if (d === undefined) return invalid(key, raw, `Not a number of type ${type}`);
      return { kind: 'double', value: d };
    }
    case 'LIST':
      return { kind: 'list', value: trimmed === '' ? [] : trimmed.split(/\s*,\s*/) };
    case 'CLASS':
      return { kind: 'opaque' };
  }
}

/** The parsed value as Java's toString() prints it in a ConfigException. */
function shown(p: Parsed): string {
  switch (p.kind) {
    case 'string':
      return p.value;
    case 'integer':
      return p.value.toString();
    case 'double':
      return javaDoubleToString(p.value);
    case 'boolean':
      return String(p.value);
    case 'list':
      return `[${p.value.join(', ')}]`;
    case 'opaque':
      return '';
  }
}

/** Java's String.toUpperCase(Locale.ROOT) for the ASCII values Kafka lists. */
const upper = (s: string) => s.toUpperCase();

function validate(key: string, p: Parsed, v: Validator): string | undefined {
  switch (v.kind) {
    case 'range': {
      if (p.kind !== 'integer' && p.kind !== 'double') return undefined;
      // Range compares doubleValue()s, whatever the type.
      const n = Number(p.value);
      if (v.min && n < Number(v.min.text)) {
        return invalid(key, shown(p), `Value must be at least ${v.min.text}`);
      }
      if (v.max && n > Number(v.max.text)) {
        return invalid(key, shown(p), `Value must be no more than ${v.max.text}`);
      }
      return undefined;
    }
    case 'in':
      if (p.kind !== 'string' || v.values.includes(p.value)) return undefined;
      return invalid(key, p.value, `String must be one of: ${v.values.join(', ')}`);
    case 'in-ignore-case':
      if (p.kind !== 'string' || v.values.includes(upper(p.value))) return undefined;
      return invalid(
        key,
        p.value,
        `String must be one of (case insensitive): ${v.values.join(', ')}`,
      );
    case 'list-in': {
      if (p.kind !== 'list') return undefined;
      const bad = p.value.find((item) => !v.values.includes(item));
      if (bad === undefined) return undefined;
      return invalid(key, bad, `String must be one of: ${v.values.join(', ')}`);
    }
    case 'non-empty':
      if (p.kind === 'string' && p.value === '') {
        return invalid(key, '', 'String must be non-empty');
      }
      return undefined;
    case 'non-empty-without-control-chars': {
      if (p.kind !== 'string') return undefined;
      if (p.value === '') return invalid(key, '', 'String may not be empty');
      const control = [...p.value].filter((c) => /\p{Cc}/u.test(c));
      if (control.length === 0) return undefined;
      return invalid(
        key,
        p.value,
        `String may not contain control sequences but had the following ASCII chars: ${control.map((c) => c.codePointAt(0)).join(', ')}`,
      );
    }
    case 'non-null':
    case 'opaque':
      return undefined;
    case 'all':
      for (const inner of v.validators) {
        const problem = validate(key, p, inner);
        if (problem) return problem;
      }
      return undefined;
  }
}

/**
 * Kafka's message refusing `value` for `key`, or undefined when Kafka would take it (or
 * cannot be judged here: unknown keys belong to plugins; see isFullyChecked).
 */
export function configValueProblem(
  defs: ConfigDefinitions,
  key: string,
  value: string | number | boolean,
): string | undefined {
  const def = Object.hasOwn(defs, key) ? defs[key] : undefined;
  if (!def) return undefined;
  const parsed = parseType(key, String(value), def.type);
  if (typeof parsed === 'string') return parsed;
  return def.validator ? validate(key, parsed, def.validator) : undefined;
}

/** Every value of spec.config the cluster's Kafka version would refuse, with Kafka's message. */
export function configValueProblems(
  version: string,
  config: Record<string, string | number | boolean>,
): string[] {
  const defs = configDefinitions(version);
  if (!defs) return [];
  return Object.keys(config)
    .sort()
    .flatMap((key) => configValueProblem(defs, key, config[key]!) ?? []);
}
