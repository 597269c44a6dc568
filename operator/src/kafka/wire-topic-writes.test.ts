import { describe, expect, it } from 'vitest';
import { Reader, Writer, ZERO_UUID } from './wire-codec.ts';
import { decodeDeleteTopicsResponse, encodeDeleteTopicsRequest } from './wire-topic-writes.ts';

// A topic id as Kafka prints it (base64url of 16 bytes).
const id = Buffer.from('00112233445566778899aabbccddeeff', 'hex').toString('base64url');

describe('DeleteTopics v6', () => {
  it('names each topic by name or by id, never both', () => {
    const r = new Reader(encodeDeleteTopicsRequest([{ name: 'a' }, { topicId: id }], 100));
    const topics = r.compactArray((t) => {
      const item = [t.compactString(), t.uuid()];
      t.tags();
      return item;
    });
    expect(topics).toEqual([
      ['a', ZERO_UUID],
      [null, id],
    ]);
    expect(r.int32()).toBe(100);
    r.tags();
    expect(r.remaining).toBe(0);
  });

  it('decodes per-topic outcomes by name and id, with an unknown id as Kafka answers it', () => {
    const body = new Writer()
      .int32(0)
      .compactArray(
        [
          ['a', id, 0, null],
          [null, ZERO_UUID, 100, 'This server does not host this topic ID.'],
        ] as const,
        (w, [name, topicId, code, message]) =>
          w.compactString(name).uuid(topicId).int16(code).compactString(message).tags(),
      )
      .tags()
      .bytes();
    expect(decodeDeleteTopicsResponse(body)).toEqual([
      { name: 'a', topicId: id, errorCode: 0, errorMessage: null },
      {
        name: '',
        topicId: ZERO_UUID,
        errorCode: 100,
        errorMessage: 'This server does not host this topic ID.',
      },
    ]);
  });
});
