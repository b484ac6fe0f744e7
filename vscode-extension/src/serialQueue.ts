// Server starts, stops and restarts in the order they were asked for (pure, no vscode).

/**
 * Runs async tasks one at a time, in the order they were queued: two overlapping restarts
 * never interleave, so one cannot start a server the other then loses track of.
 */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();

  /** Queues `task` after every task queued before it; resolves or rejects with its result. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Resolves once every task queued so far has finished (whatever their outcome). */
  idle(): Promise<void> {
    return this.tail;
  }
}
