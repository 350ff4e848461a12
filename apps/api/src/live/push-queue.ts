/**
 * An async iterator fed by pushes: what a GraphQL subscription returns. `next()` waits for the
 * next item; `return()` (the client unsubscribed or went away) closes it and runs `onClose`.
 * More than `limit` undelivered items fail it: a subscriber that does not read is dropped rather
 * than buffered without bound.
 */
export class PushQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private readonly waiting: {
    resolve: (result: IteratorResult<T>) => void;
    reject: (error: unknown) => void;
  }[] = [];
  private readonly roomWaiters: { below: number; resolve: () => void }[] = [];
  private failure: Error | null = null;
  private closed = false;

  constructor(
    private readonly options: { limit: number; onClose?: () => void; overflowMessage?: string },
  ) {}

  /** Items pushed but not read yet. */
  get size(): number {
    return this.items.length;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  push(item: T): void {
    if (this.closed) return;
    const waiter = this.waiting.shift();
    if (waiter) {
      waiter.resolve({ value: item, done: false });
      return;
    }
    this.items.push(item);
    if (this.items.length > this.options.limit) {
      this.fail(
        new Error(
          this.options.overflowMessage ??
            `more than ${this.options.limit} undelivered items: the subscriber is too slow`,
        ),
      );
    }
  }

  /** Ends the iterator with an error: the pending and the next `next()` reject with it. */
  fail(error: Error): void {
    if (this.closed) return;
    this.items.length = 0;
    if (this.waiting.length) {
      for (const waiter of this.waiting.splice(0)) waiter.reject(error);
    } else {
      this.failure = error;
    }
    this.close();
  }

  /** Resolves once fewer than `below` items wait (at once when closed). */
  whenBelow(below: number): Promise<void> {
    if (this.closed || this.items.length < below) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push({ below, resolve }));
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length) {
      const value = this.items.shift()!;
      this.wakeRoomWaiters();
      return Promise.resolve({ value, done: false });
    }
    if (this.failure) {
      const failure = this.failure;
      this.failure = null;
      return Promise.reject(failure);
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    this.items.length = 0;
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.items.length = 0;
    this.close();
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) waiter.resolve({ value: undefined, done: true });
    for (const waiter of this.roomWaiters.splice(0)) waiter.resolve();
    this.options.onClose?.();
  }

  private wakeRoomWaiters(): void {
    if (!this.roomWaiters.length) return;
    const still = [];
    for (const waiter of this.roomWaiters) {
      if (this.items.length < waiter.below) waiter.resolve();
      else still.push(waiter);
    }
    this.roomWaiters.splice(0, this.roomWaiters.length, ...still);
  }
}
