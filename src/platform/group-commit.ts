/**
 * Group commit: many callers' writes sent to PostgreSQL as one statement. A caller submits an item and waits;
 * while fewer than `maxInFlight` batches are running, a batch starts at once with whatever is waiting, so an
 * idle server sends each item alone (no added delay) and a busy one sends one statement for many requests.
 * Each caller's promise settles only when the statement holding its item has committed (or failed): what is
 * acknowledged is stored, exactly as with one statement per item.
 *
 * With `isolateFailures`, a failed batch of several items is retried one item at a time, so one bad item
 * (say, a unique-key clash) fails only its own caller.
 */
export interface GroupCommitOptions {
  /** Batches running at once (each holds one database connection). */
  maxInFlight: number;
  /** Items per batch at most. */
  maxBatch: number;
  isolateFailures?: boolean;
}

interface Pending<T, R> {
  item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

export class GroupCommit<T, R> {
  private readonly queue: Pending<T, R>[] = [];
  private inFlight = 0;

  /** `run` writes a batch and returns one result per item, in order. */
  constructor(
    private readonly run: (items: T[]) => Promise<R[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.inFlight < this.options.maxInFlight) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.inFlight += 1;
    try {
      while (this.queue.length) await this.runBatch(this.queue.splice(0, this.options.maxBatch));
    } finally {
      this.inFlight -= 1;
    }
  }

  private async runBatch(batch: Pending<T, R>[]): Promise<void> {
    try {
      const results = await this.run(batch.map((p) => p.item));
      if (results.length !== batch.length)
        throw new Error(`group commit: ${results.length} results for ${batch.length} items`);
      batch.forEach((p, i) => p.resolve(results[i] as R));
    } catch (error) {
      if (this.options.isolateFailures && batch.length > 1) {
        for (const p of batch) await this.runBatch([p]);
        return;
      }
      for (const p of batch) p.reject(error);
    }
  }
}
