// Structured JSON logs, one object per line, so log shippers need no parsing rules.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  fields?: LogFields;
  /** Where lines go; stderr by default (stdout stays free for tools). */
  write?: (line: string) => void;
  now?: () => Date;
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function parseLogLevel(value: string | undefined, fallback: LogLevel = 'info'): LogLevel {
  return value === 'debug' || value === 'info' || value === 'warn' || value === 'error'
    ? value
    : fallback;
}

/** Errors do not serialise with JSON.stringify; keep what a person needs to act on them. */
function plain(value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown; statusCode?: unknown }).code;
    const statusCode = (value as { statusCode?: unknown }).statusCode;
    return {
      name: value.name,
      message: value.message,
      ...(code !== undefined ? { code } : {}),
      ...(statusCode !== undefined ? { statusCode } : {}),
      ...(value.stack ? { stack: value.stack } : {}),
    };
  }
  return value;
}

export function formatLogLine(time: Date, level: LogLevel, msg: string, fields: LogFields): string {
  const record: LogFields = { ts: time.toISOString(), level, msg };
  for (const [k, v] of Object.entries(fields)) {
    if (v !== undefined) record[k] = plain(v);
  }
  try {
    return JSON.stringify(record);
  } catch {
    // Circular or BigInt fields must not take the process down with them.
    return JSON.stringify({ ts: record.ts, level, msg, fieldsError: 'unserialisable fields' });
  }
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = rank[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const now = options.now ?? (() => new Date());
  const base = options.fields ?? {};
  const log =
    (level: LogLevel) =>
    (msg: string, fields?: LogFields): void => {
      if (rank[level] < threshold) return;
      write(formatLogLine(now(), level, msg, fields ? { ...base, ...fields } : base));
    };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

/** For tests and libraries that must take a logger but have nothing to say. */
export const silentLogger: Logger = createLogger({ write: () => {} });
