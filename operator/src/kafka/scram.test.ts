// SCRAM is hand-written crypto glue, so it is held to the RFCs' own conversations (RFC 7677 for
// SHA-256, RFC 5802 for SHA-1 through the same code), to the checks a client owes the server
// (its signature, its nonce, its iteration count), and to a seeded fuzz of the two parsers of
// server text: whatever a server sends ends as a value or a ScramError.
import { describe, expect, it } from 'vitest';
import { seededRandom, type Random } from '../consumergroup/seeded-random.ts';
import {
  MAX_ITERATIONS,
  ScramClient,
  ScramError,
  parseServerFinal,
  parseServerFirst,
  saslName,
} from './scram.ts';

const rfc7677 = {
  hash: 'sha256' as const,
  nonce: 'rOprNGfwEbeRWgbNEkqO',
  serverFirst:
    'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal:
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};

const rfc5802 = {
  hash: 'sha1' as const,
  nonce: 'fyko+d2lbbFgONRv9qkxdawL',
  serverFirst: 'r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096',
  clientFinal: 'c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=',
  serverFinal: 'v=rmF9pqV8S7suAoZWja4dJRkFsKQ=',
};

function client(v: typeof rfc7677 | typeof rfc5802, password = 'pencil'): ScramClient {
  return new ScramClient({ hash: v.hash, username: 'user', password, nonce: v.nonce });
}

describe('ScramClient against the RFC test vectors', () => {
  for (const [name, v] of [
    ['RFC 7677 (SCRAM-SHA-256)', rfc7677],
    ['RFC 5802 (SCRAM-SHA-1)', rfc5802],
  ] as const) {
    it(`${name}: same messages, accepts the server's signature`, async () => {
      const c = client(v);
      expect(c.firstMessage()).toBe(`n,,n=user,r=${v.nonce}`);
      expect(await c.finalMessage(v.serverFirst)).toBe(v.clientFinal);
      expect(() => c.verifyServerFinal(v.serverFinal)).not.toThrow();
    });
  }

  it('another password gives another proof, and the right server signature fails', async () => {
    const c = client(rfc7677, 'pencil2');
    expect(await c.finalMessage(rfc7677.serverFirst)).not.toBe(rfc7677.clientFinal);
    expect(() => c.verifyServerFinal(rfc7677.serverFinal)).toThrow(ScramError);
  });
});

describe("ScramClient checks the server's side", () => {
  it('rejects a wrong server signature', async () => {
    const c = client(rfc7677);
    await c.finalMessage(rfc7677.serverFirst);
    const flipped = Buffer.from(rfc7677.serverFinal.slice(2), 'base64');
    flipped[0]! ^= 1;
    expect(() => c.verifyServerFinal(`v=${flipped.toString('base64')}`)).toThrow(
      /server signature does not match/,
    );
    expect(() => c.verifyServerFinal('v=AAAA')).toThrow(/server signature does not match/);
  });

  it("reports the server's e= error", async () => {
    const c = client(rfc7677);
    await c.finalMessage(rfc7677.serverFirst);
    expect(() => c.verifyServerFinal('e=invalid-proof')).toThrow('server refused: invalid-proof');
  });

  it('wants the client-final-message first', () => {
    expect(() => client(rfc7677).verifyServerFinal(rfc7677.serverFinal)).toThrow(ScramError);
  });

  it('rejects fewer than 4096 iterations, and absurdly many', async () => {
    await expect(
      client(rfc7677).finalMessage(rfc7677.serverFirst.replace('i=4096', 'i=4095')),
    ).rejects.toThrow(/4095 iterations/);
    await expect(
      client(rfc7677).finalMessage(rfc7677.serverFirst.replace('i=4096', 'i=1')),
    ).rejects.toBeInstanceOf(ScramError);
    await expect(
      client(rfc7677).finalMessage(
        rfc7677.serverFirst.replace('i=4096', `i=${MAX_ITERATIONS + 1}`),
      ),
    ).rejects.toBeInstanceOf(ScramError);
  });

  it('rejects a server nonce that does not extend the client nonce', async () => {
    const other = rfc7677.serverFirst.replace('r=rOprNGfwEbeRWgbNEkqO', 'r=XOprNGfwEbeRWgbNEkqO');
    await expect(client(rfc7677).finalMessage(other)).rejects.toThrow(
      /nonce does not extend the client nonce/,
    );
    const same = `r=${rfc7677.nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`;
    await expect(client(rfc7677).finalMessage(same)).rejects.toThrow(/nonce/);
  });

  it('rejects a mandatory extension it does not know', () => {
    expect(() => parseServerFirst(`m=x,${rfc7677.serverFirst}`)).toThrow(/extension/);
  });

  it('allows extensions after the attributes it reads', () => {
    expect(parseServerFirst(`${rfc7677.serverFirst},x=1`).iterations).toBe(4096);
    expect(parseServerFinal(`${rfc7677.serverFinal},x=1`)).toHaveProperty('verifier');
  });
});

describe('saslName', () => {
  it("escapes ',' as =2C and '=' as =3D, and nothing else", () => {
    expect(saslName('alice')).toBe('alice');
    expect(saslName('a,b=c')).toBe('a=2Cb=3Dc');
    expect(saslName('==,,')).toBe('=3D=3D=2C=2C');
    expect(saslName('ü =2C')).toBe('ü =3D2C');
  });

  it('is what the client-first-message carries', () => {
    const c = new ScramClient({ hash: 'sha256', username: 'a,b=c', password: 'p', nonce: 'n0' });
    expect(c.firstMessage()).toBe('n,,n=a=2Cb=3Dc,r=n0');
  });
});

// ------------------------------------------------------------------------------------ fuzzing

const alphabet = 'rsivemnpcx=,+/AZaz09%$)\u0000\u00ff\u2028 ';

function randomText(rnd: Random, max: number): string {
  let s = '';
  const n = rnd.int(0, max);
  for (let i = 0; i < n; i++)
    s += rnd.bool(0.8) ? rnd.pick([...alphabet]) : String.fromCharCode(rnd.int(0, 0xffff));
  return s;
}

/** A valid message bent one way: cut, spliced, an attribute dropped/duplicated/renamed. */
function mutate(rnd: Random, valid: string): string {
  const attrs = valid.split(',');
  switch (rnd.int(0, 6)) {
    case 0:
      return valid.slice(0, rnd.int(0, valid.length));
    case 1:
      return valid.slice(rnd.int(0, valid.length));
    case 2: {
      const at = rnd.int(0, valid.length);
      return valid.slice(0, at) + randomText(rnd, 8) + valid.slice(at);
    }
    case 3:
      attrs.splice(rnd.int(0, attrs.length - 1), 1);
      return attrs.join(',');
    case 4:
      attrs.splice(rnd.int(0, attrs.length), 0, rnd.pick(attrs));
      return attrs.join(',');
    case 5: {
      const i = rnd.int(0, attrs.length - 1);
      attrs[i] = `${rnd.pick([...'rsivem'])}${attrs[i]!.slice(1)}`;
      return attrs.join(',');
    }
    default:
      return attrs
        .map((a) => (rnd.bool(0.3) ? a.replace('=', rnd.pick(['', '==', ':'])) : a))
        .join(',');
  }
}

function onlyScramErrors(f: () => unknown, input: string, seed: number, i: number): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof ScramError))
      throw new Error(`seed ${seed} case ${i}: ${JSON.stringify(input)} threw ${String(e)}`, {
        cause: e,
      });
  }
}

describe('server message parsers (seeded fuzz)', () => {
  const seed = 5802;
  const cases = 5000;

  it('parseServerFirst: random, truncated and malformed input throws only ScramError', () => {
    const rnd = seededRandom(seed);
    for (let i = 0; i < cases; i++) {
      const input = rnd.bool(0.3) ? randomText(rnd, 60) : mutate(rnd, rfc7677.serverFirst);
      onlyScramErrors(() => parseServerFirst(input), input, seed, i);
    }
  });

  it('parseServerFinal: random, truncated and malformed input throws only ScramError', () => {
    const rnd = seededRandom(seed + 1);
    for (let i = 0; i < cases; i++) {
      const input = rnd.bool(0.3) ? randomText(rnd, 60) : mutate(rnd, rfc7677.serverFinal);
      onlyScramErrors(() => parseServerFinal(input), input, seed + 1, i);
    }
  });

  it('a whole conversation with mutated server messages fails only with ScramError', async () => {
    const rnd = seededRandom(seed + 2);
    for (let i = 0; i < 200; i++) {
      const c = client(rfc7677);
      const first = mutate(rnd, rfc7677.serverFirst);
      const final = mutate(rnd, rfc7677.serverFinal);
      try {
        await c.finalMessage(first);
        c.verifyServerFinal(final);
      } catch (e) {
        if (!(e instanceof ScramError))
          throw new Error(`seed ${seed + 2} case ${i}: ${first} / ${final} threw ${String(e)}`, {
            cause: e,
          });
      }
    }
  });
});
