// The client side of SCRAM (RFC 5802, SHA-256 per RFC 7677, SHA-512 as Kafka names it) on
// node:crypto. No channel binding ("n,,"), no authorization id, no extensions. Passwords are
// used as their UTF-8 bytes without SASLprep, as Kafka's own ScramFormatter does, so a password
// Kafka stored is the password that works here.
//
// The server's messages come from whatever answers at a configured address, so the parsers
// accept only the RFC's grammar and throw ScramError for anything else; the connection turns
// that into a failed call. The iteration count is bounded both ways: below 4096 (RFC 7677's
// floor, Kafka's minimum) would let a server weaken the proof, and a huge count would let it
// burn the operator's CPU.

import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { KafkaError } from './errors.ts';

export type ScramHash = 'sha1' | 'sha256' | 'sha512';

/** The SCRAM mechanisms Kafka offers, and the hash each is built on. */
export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
export const SCRAM_HASHES: Readonly<Record<ScramMechanism, ScramHash>> = {
  'SCRAM-SHA-256': 'sha256',
  'SCRAM-SHA-512': 'sha512',
};

/** A server message that is not valid SCRAM, or a server that failed to prove itself. */
export class ScramError extends KafkaError {
  override name = 'ScramError';
}

export const MIN_ITERATIONS = 4096;
/** Kafka caps new credentials at 16384 (KIP-554); older tools allowed more. */
export const MAX_ITERATIONS = 1_000_000;

/** RFC 5802 saslname: ',' and '=' are the attribute syntax, so they are escaped. */
export function saslName(name: string): string {
  return name.replace(/[=,]/g, (c) => (c === '=' ? '=3D' : '=2C'));
}

export interface ServerFirst {
  nonce: string;
  salt: Buffer;
  iterations: number;
}

/** `r=<nonce>,s=<base64 salt>,i=<count>[,extensions]`. */
export function parseServerFirst(message: string): ServerFirst {
  const attrs = attributes(message, 'server-first-message');
  if (attrs[0]?.[0] === 'm')
    throw new ScramError('server-first-message demands an extension this client does not know');
  const [r, s, i] = attrs;
  if (r?.[0] !== 'r' || s?.[0] !== 's' || i?.[0] !== 'i')
    throw new ScramError(`server-first-message is not r=…,s=…,i=…: ${quote(message)}`);
  if (!/^[\x21-\x2b\x2d-\x7e]+$/.test(r[1]))
    throw new ScramError('server-first-message has an empty or unprintable nonce');
  if (!/^[1-9][0-9]{0,9}$/.test(i[1]))
    throw new ScramError(`server-first-message has a bad iteration count: ${quote(i[1])}`);
  return { nonce: r[1], salt: base64(s[1], 'salt'), iterations: Number(i[1]) };
}

export type ServerFinal = { verifier: Buffer } | { error: string };

/** `v=<base64 signature>` or `e=<error>`, either followed by extensions. */
export function parseServerFinal(message: string): ServerFinal {
  const [first] = attributes(message, 'server-final-message');
  if (first?.[0] === 'e') return { error: first[1] };
  if (first?.[0] === 'v') return { verifier: base64(first[1], 'server signature') };
  throw new ScramError(`server-final-message is neither v=… nor e=…: ${quote(message)}`);
}

export interface ScramClientOptions {
  hash: ScramHash;
  username: string;
  password: string;
  /** Fixed only by tests (RFC vectors); 24 random bytes otherwise. */
  nonce?: string;
}

/** One SCRAM conversation: first → final(server-first) → verify(server-final). */
export class ScramClient {
  readonly #hash: ScramHash;
  readonly #password: string;
  readonly #nonce: string;
  readonly #clientFirstBare: string;
  #authMessage: string | undefined;
  #serverKey: Buffer | undefined;

  constructor(opts: ScramClientOptions) {
    this.#hash = opts.hash;
    this.#password = opts.password;
    this.#nonce = opts.nonce ?? randomBytes(24).toString('base64');
    this.#clientFirstBare = `n=${saslName(opts.username)},r=${this.#nonce}`;
  }

  firstMessage(): string {
    return `n,,${this.#clientFirstBare}`;
  }

  /** The client-final-message (with the proof) answering `serverFirst`. */
  async finalMessage(serverFirst: string): Promise<string> {
    const { nonce, salt, iterations } = parseServerFirst(serverFirst);
    if (!nonce.startsWith(this.#nonce) || nonce.length === this.#nonce.length)
      throw new ScramError('server nonce does not extend the client nonce');
    if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS)
      throw new ScramError(
        `server asks for ${iterations} iterations (accepted: ${MIN_ITERATIONS}–${MAX_ITERATIONS})`,
      );
    const salted = await saltedPassword(this.#password, salt, iterations, this.#hash);
    const clientKey = this.#hmac(salted, 'Client Key');
    const storedKey = createHash(this.#hash).update(clientKey).digest();
    const withoutProof = `c=biws,r=${nonce}`; // biws = base64("n,,")
    const authMessage = `${this.#clientFirstBare},${serverFirst},${withoutProof}`;
    const signature = this.#hmac(storedKey, authMessage);
    const proof = Buffer.alloc(clientKey.length);
    for (let k = 0; k < proof.length; k++) proof[k] = clientKey[k]! ^ signature[k]!;
    this.#authMessage = authMessage;
    this.#serverKey = this.#hmac(salted, 'Server Key');
    return `${withoutProof},p=${proof.toString('base64')}`;
  }

  /** Throws unless the server proved it knows the password (or said why it refused). */
  verifyServerFinal(serverFinal: string): void {
    if (this.#authMessage === undefined || this.#serverKey === undefined)
      throw new ScramError('server-final-message before the client-final-message');
    const answer = parseServerFinal(serverFinal);
    if ('error' in answer) throw new ScramError(`server refused: ${answer.error}`);
    const expected = this.#hmac(this.#serverKey, this.#authMessage);
    if (answer.verifier.length !== expected.length || !timingSafeEqual(answer.verifier, expected))
      throw new ScramError(
        'server signature does not match: the server does not know the password',
      );
  }

  #hmac(key: Buffer, data: string): Buffer {
    return createHmac(this.#hash, key).update(data, 'utf8').digest();
  }
}

/** Splits `a=…,b=…` into [name, value] pairs; each name is one letter. */
function attributes(message: string, what: string): [string, string][] {
  if (message.length === 0) throw new ScramError(`empty ${what}`);
  return message.split(',').map((part) => {
    if (!/^[a-zA-Z]=/.test(part))
      throw new ScramError(`${what} has a malformed attribute: ${quote(part)}`);
    return [part[0]!, part.slice(2)];
  });
}

function base64(text: string, what: string): Buffer {
  if (text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text))
    throw new ScramError(`${what} is not base64: ${quote(text)}`);
  return Buffer.from(text, 'base64');
}

/** A bounded, printable rendering of server text for an error message. */
function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

/**
 * SaltedPassword = Hi(password, salt, i) of RFC 5802, i.e. PBKDF2 with the hash's output length:
 * what a client proves knowledge of, and what Kafka stores (AlterUserScramCredentials) so it can
 * derive the stored and server keys. Off the event loop: thousands of iterations of SHA-512 take
 * milliseconds each.
 */
export function saltedPassword(
  password: string,
  salt: Buffer,
  iterations: number,
  hash: ScramHash,
): Promise<Buffer> {
  const length = createHash(hash).digest().length;
  return new Promise((resolve, reject) => {
    pbkdf2(Buffer.from(password, 'utf8'), salt, iterations, length, hash, (e, key) =>
      e ? reject(e) : resolve(key),
    );
  });
}
