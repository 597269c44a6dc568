// Runs KafkaConfigDefs.java against the jars of one cached Kafka version: the generator uses
// it to write the config-definition table, the tests to ask Kafka's own ConfigDef.parse.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const source = join(import.meta.dirname, 'KafkaConfigDefs.java');

export interface KafkaJava {
  /** The definitions as the Java program prints them (JSON text). */
  defs(): string;
  /** Kafka's verdict per [key, value]: undefined when accepted, else its message. */
  parse(cases: readonly (readonly [string, string])[]): (string | undefined)[];
  close(): void;
}

/** Compiles the helper against `<kafkaHome>/libs/*` (needs a JDK: hack/toolchain/apt.sh). */
export function kafkaJava(kafkaHome: string): KafkaJava {
  const classes = mkdtempSync(join(tmpdir(), 'kafka-configdefs-'));
  const classpath = `${join(kafkaHome, 'libs', '*')}`;
  execFileSync('javac', ['-nowarn', '-d', classes, '-cp', classpath, source], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const run = (mode: string, input = '') =>
    execFileSync('java', ['-cp', `${classes}:${classpath}`, 'KafkaConfigDefs', mode], {
      input,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      // Kafka's classes log through log4j; its warnings are not our output.
      stdio: ['pipe', 'pipe', 'ignore'],
    });
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return {
    defs: () => run('defs'),
    parse(cases) {
      const out = run('parse', cases.map(([k, v]) => `${b64(k)} ${b64(v)}\n`).join(''));
      return out
        .split('\n')
        .filter((line) => line !== '')
        .map((line) =>
          line === 'ok'
            ? undefined
            : Buffer.from(line.slice('refused '.length), 'base64').toString('utf8'),
        );
    },
    close: () => rmSync(classes, { recursive: true, force: true }),
  };
}
