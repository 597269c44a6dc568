// A watch is one long GET whose body is newline-delimited JSON, one {type, object} per line.
// This turns such a body into onEvent calls and exactly one onDone, with an idle timeout.
import type { IncomingMessage } from 'node:http';
import { StringDecoder } from 'node:string_decoder';

/**
 * Splits a byte stream into lines. Chunks end anywhere, even inside a UTF-8 character or an
 * event of several megabytes, so bytes are decoded statefully and a partial line is kept
 * (as parts, joined once its newline arrives) until the rest comes.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private parts: string[] = [];
  private readonly onLine: (line: string) => void;

  constructor(onLine: (line: string) => void) {
    this.onLine = onLine;
  }

  push(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      this.parts.push(text.slice(start, nl));
      start = nl + 1;
      this.emit();
    }
    if (start < text.length) this.parts.push(text.slice(start));
  }

  /** The stream ended: a last line without a newline still counts. */
  end(): void {
    const rest = this.decoder.end();
    if (rest) this.parts.push(rest);
    if (this.parts.length > 0) this.emit();
  }

  private emit(): void {
    const line = this.parts.length === 1 ? this.parts[0]! : this.parts.join('');
    this.parts = [];
    if (line.trim() !== '') this.onLine(line);
  }
}

export interface WatchEvent {
  type: string;
  object: unknown;
}

export function parseWatchEvent(line: string): WatchEvent {
  const parsed = JSON.parse(line) as Partial<WatchEvent> | null;
  if (!parsed || typeof parsed.type !== 'string') {
    throw new Error(`not a watch event: ${line.slice(0, 200)}`);
  }
  return { type: parsed.type, object: parsed.object };
}

export interface WatchHandle {
  abort(): void;
}

export const defaultWatchIdleTimeoutMs = 30_000;

export interface WatchStreamOptions {
  /**
   * A stream silent this long (no bytes, not even a bookmark) is ended with a TimeoutError, so a
   * half-open connection cannot hang a watch; from the request's start until its headers, then
   * from the last byte. 30 s, as client-node's Watch did.
   */
  idleTimeoutMs?: number;
}

/**
 * Opens a watch with `open` (which resolves with a 200 response or rejects) and streams it.
 * onDone: null when the server closed the stream or abort() was called; a DOMException named
 * TimeoutError when it went silent; otherwise the error. A line that is not a watch event ends
 * the watch with an error rather than being skipped: a skipped event would leave the cache wrong.
 */
export function watchStream(
  open: (signal: AbortSignal) => Promise<IncomingMessage>,
  onEvent: (type: string, obj: unknown) => void,
  onDone: (err: unknown) => void,
  options: WatchStreamOptions = {},
): WatchHandle {
  const idleMs = options.idleTimeoutMs ?? defaultWatchIdleTimeoutMs;
  const controller = new AbortController();
  let done = false;
  let timer: NodeJS.Timeout | undefined;
  let response: IncomingMessage | undefined;

  const finish = (err: unknown) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    controller.abort();
    response?.destroy();
    onDone(err);
  };
  const resetTimer = () => {
    clearTimeout(timer);
    timer = setTimeout(
      () => finish(new DOMException(`watch silent for ${idleMs} ms`, 'TimeoutError')),
      idleMs,
    );
    timer.unref();
  };

  const lines = new LineSplitter((line) => {
    if (done) return;
    let event: WatchEvent;
    try {
      event = parseWatchEvent(line);
    } catch (err) {
      return finish(err);
    }
    try {
      onEvent(event.type, event.object);
    } catch (err) {
      finish(err);
    }
  });

  resetTimer();
  open(controller.signal).then(
    (res) => {
      if (done) {
        res.destroy();
        return;
      }
      response = res;
      resetTimer();
      res.on('data', (chunk: Buffer) => {
        if (done) return;
        resetTimer();
        lines.push(chunk);
      });
      res.on('end', () => {
        if (done) return;
        lines.end();
        finish(null);
      });
      res.on('error', (err) => finish(err));
      // A connection cut mid-body emits 'aborted'/'close' without 'end'.
      res.on('close', () => finish(res.complete ? null : new Error('watch connection closed')));
    },
    (err: unknown) => finish(err),
  );
  return { abort: () => finish(null) };
}
