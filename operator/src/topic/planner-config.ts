// Topic config diff: the topic's dynamic (per-topic) configs must equal the declared map exactly.
// Broker-level and default values are never written; a key leaves the topic by being reset, so
// it falls back to whatever the broker's default is.

export type ConfigSource = 'topic' | 'broker' | 'default' | 'other';

export interface ObservedConfig {
  /** null when Kafka hides the value (sensitive); such a key is never compared. */
  readonly value: string | null;
  /** 'topic' is a dynamic per-topic override; everything else is inherited. */
  readonly source: ConfigSource;
}

export interface ConfigChange {
  readonly key: string;
  /** The value the topic has now, when it is a per-topic override. */
  readonly from?: string;
  readonly to: string;
}

export interface ConfigDiff {
  /** Keys whose per-topic value must be set (absent or different). */
  readonly set: readonly ConfigChange[];
  /** Per-topic overrides that the spec does not declare: reset to the broker default. */
  readonly reset: readonly { readonly key: string; readonly from: string | null }[];
}

export function diffTopicConfig(
  declared: Readonly<Record<string, string>>,
  observed: Readonly<Record<string, ObservedConfig>>,
): ConfigDiff {
  const set: ConfigChange[] = [];
  for (const key of Object.keys(declared).sort()) {
    const want = declared[key]!;
    const have = observed[key];
    if (have?.source === 'topic') {
      if (have.value === null || sameConfigValue(have.value, want)) continue;
      set.push({ key, from: have.value, to: want });
    } else {
      // Equal to an inherited default still needs an override: the spec pins it to the topic.
      set.push({ key, to: want });
    }
  }
  const reset = Object.keys(observed)
    .filter((key) => observed[key]!.source === 'topic' && !Object.hasOwn(declared, key))
    .sort()
    .map((key) => ({ key, from: observed[key]!.value }));
  return { set, reset };
}

/**
 * Kafka stores a parsed, re-rendered value, not the text it was given: lists lose the spaces
 * around commas ("compact, delete" → "compact,delete"), numbers are re-printed ("01000" → "1000",
 * "+5" → "5", "1" → "1.0" for a double), booleans go lower case. Comparing raw text would "fix"
 * such a value on every resync and report drift that never happened; compare the parsed forms.
 */
export function sameConfigValue(a: string, b: string): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: string): string {
  return value
    .split(',')
    .map((part) => {
      const v = part.trim();
      if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v)) return String(Number(v));
      const lower = v.toLowerCase();
      return lower === 'true' || lower === 'false' ? lower : v;
    })
    .join(',');
}

export function isEmptyDiff(diff: ConfigDiff): boolean {
  return diff.set.length === 0 && diff.reset.length === 0;
}

/** A short human description, for Events and condition messages. */
export function describeDiff(diff: ConfigDiff): string {
  const parts = [
    ...diff.set.map((c) =>
      c.from === undefined ? `${c.key}=${c.to} (was default)` : `${c.key}=${c.to} (was ${c.from})`,
    ),
    ...diff.reset.map((r) => `${r.key} reset to default (was ${r.from ?? 'hidden'})`),
  ];
  return parts.join(', ');
}
