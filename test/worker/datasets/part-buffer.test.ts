import { describe, expect, it } from 'vitest';
import { PartBuffer } from '../../../worker/datasets/part-buffer';

describe('PartBuffer', () => {
  it('cuts what was pushed into parts of exactly the asked size, across chunk edges, keeping the rest', () => {
    const b = new PartBuffer();
    b.push(new Uint8Array([1, 2, 3]));
    b.push(new Uint8Array([]));
    b.push(new Uint8Array([4, 5, 6, 7]));
    expect([...b.take(5)]).toEqual([1, 2, 3, 4, 5]);
    expect(b.bytes).toBe(2);
    b.push(new Uint8Array([8]));
    expect([...b.take(2)]).toEqual([6, 7]);
    expect([...b.take(10)]).toEqual([8]);
    expect([b.bytes, b.take(4).byteLength]).toEqual([0, 0]);
  });
});
