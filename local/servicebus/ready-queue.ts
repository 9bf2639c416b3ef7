/**
 * Sequence numbers of available messages, in order. Appends are O(1); an abandoned message goes back to
 * its place by sequence number; removal is lazy (the owner skips numbers that are no longer available).
 */
export class ReadyQueue {
  private items: number[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(sequenceNumber: number): void {
    const last = this.items[this.items.length - 1];
    if (this.size === 0 || last === undefined || sequenceNumber > last) {
      this.items.push(sequenceNumber);
      return;
    }
    let low = this.head;
    let high = this.items.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.items[middle] < sequenceNumber) low = middle + 1;
      else high = middle;
    }
    if (this.items[low] !== sequenceNumber) this.items.splice(low, 0, sequenceNumber);
  }

  shift(): number | undefined {
    if (this.head >= this.items.length) return undefined;
    const value = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return value;
  }

  /** Keeps only the numbers for which `keep` holds. */
  filter(keep: (sequenceNumber: number) => boolean): void {
    this.items = this.items.slice(this.head).filter(keep);
    this.head = 0;
  }

  *[Symbol.iterator](): IterableIterator<number> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i];
  }
}
