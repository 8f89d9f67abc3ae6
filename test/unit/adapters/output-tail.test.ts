import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OutputTail } from '../../../src/adapters/shell/output-tail.js';

describe('OutputTail', () => {
  it('keeps everything while under the cap', () => {
    const tail = new OutputTail(100);
    tail.push(Buffer.from('hello '));
    tail.push(Buffer.from('world'));
    expect(tail.text()).toBe('hello world');
  });

  it('keeps exactly the last bytes of whatever was pushed, in whatever chunks (ASCII)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ max: 0x7f, maxLength: 50 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 200 }),
        (chunks, cap) => {
          const tail = new OutputTail(cap);
          for (const chunk of chunks) tail.push(Buffer.from(chunk));
          const all = Buffer.concat(chunks.map((chunk) => Buffer.from(chunk)));
          expect(tail.totalBytes).toBe(all.length);
          const text = tail.text();
          if (all.length <= cap) {
            expect(text).toBe(all.toString('utf8'));
          } else {
            const kept = all.subarray(all.length - cap).toString('utf8');
            expect(text).toBe(`[dbwave: ${all.length - cap} earlier bytes dropped]\n${kept}`);
          }
        },
      ),
    );
  });

  it('never starts the kept text in the middle of a character', () => {
    const tail = new OutputTail(5);
    tail.push(Buffer.from('ab€€')); // € is three bytes: the cut lands inside the first one
    expect(tail.text()).toBe('[dbwave: 5 earlier bytes dropped]\n€');
  });
});
