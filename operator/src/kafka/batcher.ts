// Coalesces single-item calls into batched Kafka requests, the way Strimzi's batching topic
// controller turns many topic events into one describe/create/alter per batch: items wait up to
// `lingerMs` (or until `maxBatch` are queued), one request carries them all, and each caller gets
// its own item's result. At most `concurrency` batches are in flight; the rest wait their turn.

export interface BatcherOptions {
  maxBatch: number;
  lingerMs: number;
  concurrency: number;
  /** Items with equal keys in one batch share one slot and one result (reads). Otherwise a
   *  repeated key starts a new batch, so writes to one item stay ordered. */
  shareDuplicates: boolean;
}

/** The result for one key: a value, or the error that item failed with. */
export type ItemResult<R> = { ok: true; value: R } | { ok: false; error: unknown };

/** Runs one batch; returns a result per key. A rejection fails every item of the batch. */
export type BatchRunner<I, R> = (
  items: readonly I[],
) => Promise<ReadonlyMap<string, ItemResult<R>>>;

interface Waiter<R> {
  resolve(value: R): void;
  reject(error: unknown): void;
}

interface Slot<I, R> {
  key: string;
  item: I;
  waiters: Waiter<R>[];
}

export class Batcher<I, R> {
  readonly #run: BatchRunner<I, R>;
  readonly #keyOf: (item: I) => string;
  readonly #opts: BatcherOptions;
  #pending: Slot<I, R>[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #sealed: Slot<I, R>[][] = [];
  #inFlight = 0;
  #due = false;
  /** Requests issued so far; a benchmark and test figure. */
  batchesRun = 0;

  constructor(keyOf: (item: I) => string, run: BatchRunner<I, R>, opts: BatcherOptions) {
    if (opts.maxBatch < 1 || opts.concurrency < 1)
      throw new RangeError('maxBatch and concurrency must be ≥ 1');
    this.#keyOf = keyOf;
    this.#run = run;
    this.#opts = opts;
  }

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const key = this.#keyOf(item);
      const same = this.#pending.find((s) => s.key === key);
      if (same && this.#opts.shareDuplicates) {
        same.waiters.push({ resolve, reject });
        return;
      }
      if (same) this.#seal();
      this.#pending.push({ key, item, waiters: [{ resolve, reject }] });
      if (this.#pending.length >= this.#opts.maxBatch) this.#seal();
      else this.#timer ??= setTimeout(() => this.#lingered(), this.#opts.lingerMs);
      this.#pump();
    });
  }

  /** Items waiting plus batches running: zero means idle. */
  get load(): number {
    return this.#pending.length + this.#sealed.reduce((n, b) => n + b.length, 0) + this.#inFlight;
  }

  /** The batch is closed to new items: it goes out as soon as a slot is free. */
  #seal(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#due = false;
    if (this.#pending.length > 0) this.#sealed.push(this.#pending);
    this.#pending = [];
  }

  #lingered(): void {
    this.#timer = undefined;
    this.#due = true;
    this.#pump();
  }

  #pump(): void {
    while (this.#inFlight < this.#opts.concurrency) {
      // A batch whose linger ran out while every slot was busy kept filling up; it goes now.
      if (this.#sealed.length === 0 && this.#due) this.#seal();
      const batch = this.#sealed.shift();
      if (batch === undefined) return;
      this.#inFlight++;
      this.batchesRun++;
      void this.#execute(batch).finally(() => {
        this.#inFlight--;
        this.#pump();
      });
    }
  }

  async #execute(batch: Slot<I, R>[]): Promise<void> {
    let results: ReadonlyMap<string, ItemResult<R>>;
    try {
      results = await this.#run(batch.map((s) => s.item));
    } catch (error) {
      for (const s of batch) for (const w of s.waiters) w.reject(error);
      return;
    }
    for (const s of batch) {
      const r = results.get(s.key);
      for (const w of s.waiters) {
        if (r === undefined) w.reject(new Error(`batch returned no result for ${s.key}`));
        else if (r.ok) w.resolve(r.value);
        else w.reject(r.error);
      }
    }
  }
}
