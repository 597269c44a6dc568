// Shares one in-flight or recent answer among callers for a short time, so a burst of
// reconciles asking the same cluster-wide question (which brokers are there?) costs one request.
export class Recent<K, V> {
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<K, { at: number; value: Promise<V> }>();

  constructor(ttlMs: number, now: () => number = Date.now) {
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  get(key: K, load: () => Promise<V>): Promise<V> {
    const hit = this.#entries.get(key);
    if (hit && this.#now() - hit.at < this.#ttlMs) return hit.value;
    const value = load();
    this.#entries.set(key, { at: this.#now(), value });
    // A failure must not be served to later callers.
    value.catch(() => {
      if (this.#entries.get(key)?.value === value) this.#entries.delete(key);
    });
    return value;
  }
}
