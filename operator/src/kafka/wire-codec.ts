// Kafka wire primitives for the operator's own Kafka client (wire-*.ts). Only what its requests
// need: fixed-width integers, doubles, (compact) strings, bytes and arrays, UUIDs and empty
// tagged-field buffers (KIP-482).
//
// The Reader reads bytes from any endpoint a user names, so every way a response can be wrong
// (cut short, a length or count past the end) throws KafkaDecodeError and nothing else; the
// connection turns that into a failed call.

import { KafkaDecodeError } from './errors.ts';

export class Writer {
  #chunks: Buffer[] = [];

  int8(v: number): this {
    const b = Buffer.alloc(1);
    b.writeInt8(v);
    return this.#push(b);
  }
  int16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    return this.#push(b);
  }
  int32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    return this.#push(b);
  }
  int64(v: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(v);
    return this.#push(b);
  }
  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }
  /** FLOAT64: IEEE 754 double, big-endian. */
  float64(v: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v);
    return this.#push(b);
  }
  /** Classic ARRAY: int32 count. */
  array<T>(items: readonly T[], each: (w: this, item: T) => void): this {
    this.int32(items.length);
    for (const item of items) each(this, item);
    return this;
  }
  uvarint(v: number): this {
    const bytes: number[] = [];
    let n = v >>> 0;
    while (n >= 0x80) {
      bytes.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    bytes.push(n);
    return this.#push(Buffer.from(bytes));
  }
  /** Classic STRING / NULLABLE_STRING: int16 length (-1 for null). */
  string(v: string | null): this {
    if (v === null) return this.int16(-1);
    const b = Buffer.from(v, 'utf8');
    return this.int16(b.length).#push(b);
  }
  /** COMPACT_(NULLABLE_)STRING: uvarint length + 1 (0 for null). */
  compactString(v: string | null): this {
    if (v === null) return this.uvarint(0);
    const b = Buffer.from(v, 'utf8');
    return this.uvarint(b.length + 1).#push(b);
  }
  /** COMPACT_BYTES: uvarint length + 1. */
  compactBytes(v: Buffer): this {
    return this.uvarint(v.length + 1).#push(v);
  }
  /** COMPACT_(NULLABLE_)ARRAY. */
  compactArray<T>(items: readonly T[] | null, each: (w: this, item: T) => void): this {
    if (items === null) return this.uvarint(0);
    this.uvarint(items.length + 1);
    for (const item of items) each(this, item);
    return this;
  }
  uuid(base64url: string | null): this {
    const b = base64url === null ? Buffer.alloc(16) : Buffer.from(base64url, 'base64url');
    if (b.length !== 16) throw new RangeError(`not a Kafka UUID: ${base64url}`);
    return this.#push(b);
  }
  /** No tagged fields. */
  tags(): this {
    return this.uvarint(0);
  }
  bytes(): Buffer {
    return Buffer.concat(this.#chunks);
  }
  #push(b: Buffer): this {
    this.#chunks.push(b);
    return this;
  }
}

export class Reader {
  readonly #buf: Buffer;
  #at = 0;

  constructor(buf: Buffer) {
    this.#buf = buf;
  }

  int8(): number {
    return this.#take(1).readInt8();
  }
  int16(): number {
    return this.#take(2).readInt16BE();
  }
  int32(): number {
    return this.#take(4).readInt32BE();
  }
  int64(): bigint {
    return this.#take(8).readBigInt64BE();
  }
  bool(): boolean {
    return this.int8() !== 0;
  }
  float64(): number {
    return this.#take(8).readDoubleBE();
  }
  string(): string | null {
    const n = this.int16();
    return n < 0 ? null : this.#take(n).toString('utf8');
  }
  array<T>(each: (r: Reader) => T): T[] {
    const n = this.int32();
    this.#count(n);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(each(this));
    return out;
  }
  uvarint(): number {
    let value = 0;
    for (let shift = 0; shift <= 28; shift += 7) {
      const byte = this.#take(1)[0]!;
      value |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value >>> 0;
    }
    throw new KafkaDecodeError('malformed Kafka response (uvarint longer than 5 bytes)');
  }
  compactString(): string | null {
    const n = this.uvarint();
    return n === 0 ? null : this.#take(n - 1).toString('utf8');
  }
  compactArray<T>(each: (r: Reader) => T): T[] {
    const n = this.uvarint();
    this.#count(n - 1);
    const out: T[] = [];
    for (let i = 1; i < n; i++) out.push(each(this));
    return out;
  }
  /** COMPACT_NULLABLE_ARRAY: null for length 0. */
  compactNullableArray<T>(each: (r: Reader) => T): T[] | null {
    const n = this.uvarint();
    if (n === 0) return null;
    this.#count(n - 1);
    const out: T[] = [];
    for (let i = 1; i < n; i++) out.push(each(this));
    return out;
  }
  /** COMPACT_(NULLABLE_)BYTES: uvarint length + 1 (0 for null, read as empty). */
  compactBytes(): Buffer {
    const n = this.uvarint();
    return n === 0 ? Buffer.alloc(0) : this.#take(n - 1);
  }
  /** base64url, as Kafka prints ids; the all-zero id means "none". */
  uuid(): string {
    return this.#take(16).toString('base64url');
  }
  /** Skips tagged fields: we ask for none we understand. */
  tags(): void {
    const n = this.uvarint();
    for (let i = 0; i < n; i++) {
      this.uvarint(); // tag
      this.#take(this.uvarint());
    }
  }
  /** Skips `n` bytes (a tagged field we do not read). */
  skip(n: number): void {
    this.#take(n);
  }
  get remaining(): number {
    return this.#buf.length - this.#at;
  }
  /** Every element we decode takes at least one byte: a larger count cannot be true. */
  #count(n: number): void {
    if (n > this.remaining)
      throw new KafkaDecodeError(
        `malformed Kafka response (${n} items claimed, ${this.remaining} bytes left at ${this.#at})`,
      );
  }
  #take(n: number): Buffer {
    if (n < 0 || this.#at + n > this.#buf.length)
      throw new KafkaDecodeError(`truncated Kafka response (${n} bytes wanted at ${this.#at})`);
    const b = this.#buf.subarray(this.#at, this.#at + n);
    this.#at += n;
    return b;
  }
}

export const ZERO_UUID = Buffer.alloc(16).toString('base64url');
