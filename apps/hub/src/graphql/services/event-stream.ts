/**
 * A push-fed async iterator for one subscription. Bounded: a client that reads slower than the
 * region writes is ended (it should page with `envelopes(after:)` and subscribe again) instead
 * of growing the hub's memory. `return()` unsubscribes at once, even while a read is waiting.
 */
export class EventStream<T> implements AsyncIterableIterator<T> {
  private queue: T[] = [];
  private readonly waiting: Array<(r: IteratorResult<T>) => void> = [];
  private ended = false;

  constructor(
    private readonly onEnd: () => void,
    private readonly maxQueued: number,
  ) {}

  push(items: T[]): void {
    for (const value of items) {
      if (this.ended) return;
      const reader = this.waiting.shift();
      if (reader) reader({ value, done: false });
      else if (this.queue.push(value) > this.maxQueued) this.end();
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.queue.length) return Promise.resolve({ value: this.queue.shift() as T, done: false });
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(err: unknown): Promise<IteratorResult<T>> {
    this.end();
    return Promise.reject(err);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue = [];
    for (const reader of this.waiting.splice(0)) reader({ value: undefined, done: true });
    this.onEnd();
  }
}
