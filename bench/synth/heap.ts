// Min-heap of flow slots keyed by the time of each slot's next packet. Every slot always has exactly
// one pending event, so the only operation needed is "re-key the root and sift it down".

export class SlotHeap {
  readonly key: Float64Array;
  private readonly heap: Int32Array;

  constructor(readonly size: number) {
    this.key = new Float64Array(size);
    this.heap = new Int32Array(size);
    for (let i = 0; i < size; i++) this.heap[i] = i;
  }

  /** Call once after filling `key` for every slot. */
  build(): void {
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  /** The slot whose event comes first. */
  top(): number { return this.heap[0]; }

  /** Gives the root slot its next event time (never earlier than the current one). */
  rekeyTop(t: number): void {
    this.key[this.heap[0]] = t;
    this.siftDown(0);
  }

  private siftDown(i: number): void {
    const h = this.heap, k = this.key, n = this.size;
    const slot = h[i], t = k[slot];
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && k[h[c + 1]] < k[h[c]]) c++;
      if (k[h[c]] >= t) break;
      h[i] = h[c];
      i = c;
    }
    h[i] = slot;
  }
}
