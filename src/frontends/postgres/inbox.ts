/** FIFO between the socket's data events and a connection's sequential message loop; O(1) push/shift. */

export class Inbox<T> {
  private items: (T | undefined)[] = [];
  private head = 0;
  private waiter: ((item: T) => void) | undefined;

  /** Items queued and not yet taken. */
  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    const w = this.waiter;
    if (w !== undefined) {
      this.waiter = undefined;
      w(item);
      return;
    }
    this.items.push(item);
  }

  /** The next item, waiting for one if none is queued. Only one taker at a time. */
  take(): Promise<T> {
    if (this.head < this.items.length) {
      const item = this.items[this.head] as T;
      this.items[this.head++] = undefined;
      if (this.head === this.items.length) {
        this.items.length = 0;
        this.head = 0;
      } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      return Promise.resolve(item);
    }
    return new Promise<T>((resolve) => {
      this.waiter = resolve;
    });
  }
}
