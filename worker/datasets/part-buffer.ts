/** Bytes produced but not uploaded yet, cut into parts of exactly `size` (R2 wants equal parts but the last). */
export class PartBuffer {
  #chunks: Uint8Array[] = [];
  bytes = 0;

  push(b: Uint8Array): void {
    if (b.byteLength) (this.#chunks.push(b), (this.bytes += b.byteLength));
  }

  /** The first `size` bytes (all of them when `size` is larger), removed from the buffer. */
  take(size: number): Uint8Array {
    const n = Math.min(size, this.bytes);
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const c = this.#chunks[0];
      const used = Math.min(c.byteLength, n - at);
      out.set(c.subarray(0, used), at);
      at += used;
      if (used === c.byteLength) this.#chunks.shift();
      else this.#chunks[0] = c.subarray(used);
    }
    this.bytes -= n;
    return out;
  }
}
