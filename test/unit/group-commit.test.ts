import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/platform/group-commit.ts';

/** A batch writer that records its batches and can be told which items fail. */
function recorder(options: { failOn?: (item: number) => boolean; delayMs?: number } = {}) {
  const batches: number[][] = [];
  let running = 0;
  let maxRunning = 0;
  const run = async (items: number[]) => {
    batches.push(items);
    running += 1;
    maxRunning = Math.max(maxRunning, running);
    await new Promise((r) => setTimeout(r, options.delayMs ?? 5));
    running -= 1;
    if (items.some((i) => options.failOn?.(i))) throw new Error(`batch with a bad item: ${items.join()}`);
    return items.map((i) => i * 10);
  };
  return { run, batches, maxRunning: () => maxRunning };
}

describe('group commit', () => {
  it('sends a lone item at once, and items that arrive meanwhile together', async () => {
    const r = recorder();
    const committer = new GroupCommit(r.run, { maxInFlight: 1, maxBatch: 100 });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => committer.submit(i)));
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i * 10));
    // The first item went alone; the 19 that arrived while it was in flight went as one batch.
    expect(r.batches).toEqual([[0], Array.from({ length: 19 }, (_, i) => i + 1)]);
  });

  it('keeps to the batch size and the number of batches in flight', async () => {
    const r = recorder();
    const committer = new GroupCommit(r.run, { maxInFlight: 2, maxBatch: 7 });
    await Promise.all(Array.from({ length: 50 }, (_, i) => committer.submit(i)));
    expect(Math.max(...r.batches.map((b) => b.length))).toBeLessThanOrEqual(7);
    expect(r.batches.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(r.maxRunning()).toBe(2);
  });

  it('fails only the bad item when failures are isolated, and the whole batch otherwise', async () => {
    const isolated = new GroupCommit(recorder({ failOn: (i) => i === 3 }).run, {
      maxInFlight: 1,
      maxBatch: 100,
      isolateFailures: true,
    });
    const settled = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => isolated.submit(i)));
    expect(settled.map((s) => s.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);

    const together = new GroupCommit(recorder({ failOn: (i) => i === 3 }).run, {
      maxInFlight: 1,
      maxBatch: 100,
    });
    const all = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => together.submit(i)));
    expect(all.map((s) => s.status)).toEqual([
      'fulfilled',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
    ]);
  });

  it('rejects every caller when the writer returns the wrong number of results', async () => {
    const committer = new GroupCommit(async (items: number[]) => items.slice(1), {
      maxInFlight: 1,
      maxBatch: 10,
    });
    await expect(committer.submit(1)).rejects.toThrow(/0 results for 1 items/);
  });
});
