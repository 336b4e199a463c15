import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  gridOf,
  kindsOf,
  shareOf,
  suppressCount,
  suppressGrid,
  suppressList,
  type CountGrid,
  type LineKind,
  type SuppressedGrid,
} from '../../src/modules/reports/reports.suppress.ts';

/** Members of the augmented grid as [row, col] with row R = column totals and col C = row totals. */
function augmented(grid: CountGrid): number[][] {
  return [...grid.cells.map((row, r) => [...row, grid.rowTotals[r]!]), [...grid.colTotals, grid.total]];
}
function published(s: SuppressedGrid): (number | null)[][] {
  return [...s.cells.map((row, r) => [...row, s.rowTotals[r]!]), [...s.colTotals, s.total]];
}

/**
 * The attacker: knows every published value and that rows and columns add up to their totals; tries every
 * non-negative integer value of the hidden members (bounded by `bound`). Returns, for each hidden member,
 * the set of values it can take in some consistent completion.
 */
function feasibleValues(pub: (number | null)[][], bound: number): Map<string, Set<number>> {
  const R = pub.length - 1;
  const C = (pub[0]?.length ?? 1) - 1;
  const hidden: [number, number][] = [];
  pub.forEach((row, r) => row.forEach((v, c) => v === null && hidden.push([r, c])));
  const values = pub.map((row) => row.slice());
  const result = new Map<string, Set<number>>(hidden.map(([r, c]) => [`${r},${c}`, new Set<number>()]));
  const lineOk = (): boolean => {
    for (let r = 0; r <= R; r++) {
      const row = values[r]!;
      if (row.some((v) => v === null)) continue;
      const sum = row.slice(0, C).reduce<number>((a, b) => a + (b ?? 0), 0);
      if (sum !== row[C]) return false;
    }
    for (let c = 0; c <= C; c++) {
      const col = values.map((row) => row[c] ?? null);
      if (col.some((v) => v === null)) continue;
      const sum = col.slice(0, R).reduce<number>((a, b) => a + (b ?? 0), 0);
      if (sum !== col[R]) return false;
    }
    return true;
  };
  const search = (i: number): void => {
    if (!lineOk()) return;
    if (i === hidden.length) {
      for (const [r, c] of hidden) result.get(`${r},${c}`)!.add(values[r]![c]!);
      return;
    }
    const [r, c] = hidden[i]!;
    for (let v = 0; v <= bound; v++) {
      values[r]![c] = v;
      search(i + 1);
    }
    values[r]![c] = null;
  };
  search(0);
  return result;
}

describe('small-count suppression', () => {
  it('hides counts from 1 to threshold − 1 and keeps zeros and larger counts', () => {
    expect(suppressCount(0)).toBe(0);
    expect(suppressCount(1)).toBeNull();
    expect(suppressCount(4)).toBeNull();
    expect(suppressCount(5)).toBe(5);
    expect(suppressCount(9, 10)).toBeNull();
    expect(suppressCount(3, 1)).toBe(3);
  });

  it('hides a second count in a list so the small one cannot be recovered from the total', () => {
    // Published total 30: hiding only the 2 would let anyone compute 30 − 6 − 7 − 15 = 2.
    const result = suppressList([2, 6, 7, 15]);
    expect(result.total).toBe(30);
    expect(result.counts[0]).toBeNull();
    expect(result.counts[1]).toBeNull(); // the smallest other count, 6
    expect(result.counts[2]).toBe(7);
    expect(result.counts[3]).toBe(15);
    // What subtraction gives: the two hidden together, 8, not either one.
    expect(30 - 7 - 15).toBe(8);
  });

  it('keeps hiding until the hidden counts together are not themselves small', () => {
    // 1 and 2 hidden primarily; together they are 3 < 5, so the next smallest (6) is hidden too.
    const result = suppressList([1, 2, 6, 20]);
    expect(result.counts).toEqual([null, null, null, 20]);
  });

  it('hides the total when nothing else can protect a single hidden count', () => {
    const result = suppressList([3, 0, 0]);
    expect(result.counts).toEqual([null, 0, 0]);
    expect(result.total).toBeNull();
  });

  it('leaves a list without small counts untouched', () => {
    expect(suppressList([5, 0, 12, 30])).toEqual({ counts: [5, 0, 12, 30], total: 47 });
  });

  it('treats a total larger than the list as a list with a remainder (e.g. “not said”)', () => {
    const result = suppressList([2, 10, 10], 5, 40);
    expect(result.total).toBe(40);
    // The 2 and the smallest other listed count (10) are hidden: 40 − 10 gives the 2, the 10 and the remainder 18 together.
    expect(result.counts).toEqual([null, null, 10]);
  });

  it('protects a cross-table cell against subtraction along its row and its column', () => {
    //            female male
    // under 14      2     9
    // 18–29        12    20
    const grid = gridOf([
      [2, 9],
      [12, 20],
    ]);
    const s = suppressGrid(grid);
    expect(s.cells[0]![0]).toBeNull();
    const pub = published(s);
    // Every row and every column with a hidden member has at least two.
    for (const line of [...pub, ...pub[0]!.map((_, c) => pub.map((row) => row[c]!))]) {
      const hiddenCount = line.filter((v) => v === null).length;
      expect(hiddenCount === 0 || hiddenCount >= 2).toBe(true);
    }
    const feasible = feasibleValues(pub, grid.total);
    expect(feasible.get('0,0')!.size).toBeGreaterThan(1);
  });

  it('publishes shares only from published parts', () => {
    expect(shareOf(5, 20)).toBe(0.25);
    expect(shareOf(null, 20)).toBeNull();
    expect(shareOf(5, null)).toBeNull();
    expect(shareOf(0, 0)).toBeNull();
  });

  it('rejects bad input', () => {
    expect(() => gridOf([[1, -1]])).toThrow(RangeError);
    expect(() => gridOf([[1, 2], [3]])).toThrow(RangeError);
    expect(() => suppressGrid(gridOf([[1]]), 0)).toThrow(RangeError);
    expect(() => suppressList([3, 4], 5, 2)).toThrow(RangeError);
  });

  it('property: nothing small is published, published values are unchanged, every line hides 0 or ≥ 2 members', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((rows) =>
          fc.integer({ min: 1, max: 5 }).chain((cols) =>
            fc.array(fc.array(fc.nat({ max: 30 }), { minLength: cols, maxLength: cols }), {
              minLength: rows,
              maxLength: rows,
            }),
          ),
        ),
        fc.integer({ min: 2, max: 10 }),
        (cells, k) => {
          const grid = gridOf(cells);
          const s = suppressGrid(grid, k);
          const truth = augmented(grid);
          const pub = published(s);
          pub.forEach((row, r) =>
            row.forEach((v, c) => {
              if (v !== null) {
                expect(v).toBe(truth[r]![c]);
                expect(v === 0 || v >= k).toBe(true);
              }
            }),
          );
          const R = cells.length;
          const C = cells[0]!.length;
          const lines: [number, number][][] = [
            ...Array.from({ length: R + 1 }, (_, r) =>
              Array.from({ length: C + 1 }, (_, c) => [r, c] as [number, number]),
            ),
            ...Array.from({ length: C + 1 }, (_, c) =>
              Array.from({ length: R + 1 }, (_, r) => [r, c] as [number, number]),
            ),
          ];
          for (const line of lines) {
            const hiddenMembers = line.filter(([r, c]) => pub[r]![c] === null);
            expect(hiddenMembers.length === 0 || hiddenMembers.length >= 2).toBe(true);
            const [tr, tc] = line[line.length - 1]!;
            if (pub[tr]![tc] !== null) {
              // With the line total published, the hidden cells together are never a small number.
              const hiddenSum = hiddenMembers.reduce((a, [r, c]) => a + truth[r]![c]!, 0);
              expect(hiddenSum === 0 || hiddenSum >= k).toBe(true);
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('property: an attacker who solves every row and column equation cannot pin down any hidden small count', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 }).chain((rows) =>
          fc.integer({ min: 1, max: 3 }).chain((cols) =>
            fc.array(fc.array(fc.nat({ max: 9 }), { minLength: cols, maxLength: cols }), {
              minLength: rows,
              maxLength: rows,
            }),
          ),
        ),
        (cells) => {
          const grid = gridOf(cells);
          const s = suppressGrid(grid, 5);
          const truth = augmented(grid);
          const pub = published(s);
          const hiddenCount = pub.flat().filter((v) => v === null).length;
          fc.pre(hiddenCount > 0 && hiddenCount <= 7);
          const feasible = feasibleValues(pub, grid.total);
          for (const [key, values] of feasible) {
            const [r, c] = key.split(',').map(Number) as [number, number];
            const actual = truth[r]![c]!;
            expect(values.has(actual)).toBe(true);
            if (actual > 0 && actual < 5) expect(values.size).toBeGreaterThan(1);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('suppression that hides as little as it must (issue 13)', () => {
  it('does not protect a small “not said”: one skipped answer no longer hides the children-witnessing figure', () => {
    // yes / no / not said: 8 saw violence, 20 did not, 1 did not say. Before: the 1 was hidden, and with it the 8.
    const keys = ['yes', 'no', 'not_said'];
    expect(suppressList([8, 20, 1], 5, 29, kindsOf(keys, ['yes']))).toEqual({
      counts: [8, 20, 1],
      total: 29,
    });
    // Unknown and not assessed are not cells to protect either.
    expect(suppressList([12, 3, 30], 5, 45, kindsOf(['high', 'not_assessed', 'variable']))).toEqual({
      counts: [12, 3, 30],
      total: 45,
    });
  });

  it('chooses the complement to spare the headline rows: “not said” first, a headline row last', () => {
    // spouse 30, parent→child 7 (headline: the parent–child figure), other 2 (small), not said 9.
    const keys = ['spouse', 'parent_to_child', 'other', 'not_said'];
    const result = suppressList([30, 7, 2, 9], 5, 48, kindsOf(keys, ['parent_to_child']));
    expect(result).toEqual({ counts: [30, 7, null, null], total: 48 });
    // Without a “not said” to hide, an ordinary row goes before the headline even when it is larger.
    const noOpen = suppressList(
      [30, 7, 2, 9],
      5,
      48,
      kindsOf(['spouse', 'parent_to_child', 'other', 'friend'], ['parent_to_child']),
    );
    expect(noOpen.counts).toEqual([30, 7, null, null]);
    // Without kinds the smallest goes (the old rule), which is what hid the headline.
    expect(suppressList([30, 7, 2, 9], 5, 48).counts).toEqual([30, null, null, 9]);
  });

  it('keeps the minors’ figures in a minor × gender table by hiding unknown cells as complements', () => {
    //            female male other not said
    // minor         8     4    0     0       (headline row)
    // adult        21     5    0     2
    // unknown       0     6    0     7       (open row)
    const rows: LineKind[] = kindsOf(['minor', 'adult', 'unknown'], ['minor']);
    const cols: LineKind[] = kindsOf(['female', 'male', 'other', 'not_said']);
    const grid = gridOf([
      [8, 4, 0, 0],
      [21, 5, 0, 2],
      [0, 6, 0, 7],
    ]);
    const s = suppressGrid(grid, 5, { rows, cols });
    expect(s.rowTotals[0]).toBe(12); // the minors
    expect(s.cells[0]![1]).toBeNull(); // the 4 boys
    expect(s.cells[1]![3]).toBeNull(); // 2 adults of gender not said: an adult is an attribute
    // Nobody's small count can be worked out from what is published.
    const feasible = feasibleValues(published(s), grid.total);
    expect(feasible.get('0,1')!.size).toBeGreaterThan(1);
    expect(feasible.get('1,3')!.size).toBeGreaterThan(1);
  });

  it('property: with kinds, a small count that is not open is never published nor recoverable', () => {
    const kind = fc.constantFrom<LineKind>('open', 'normal', 'headline');
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 }).chain((rows) =>
          fc.integer({ min: 1, max: 3 }).chain((cols) =>
            fc.tuple(
              fc.array(fc.array(fc.nat({ max: 9 }), { minLength: cols, maxLength: cols }), {
                minLength: rows,
                maxLength: rows,
              }),
              fc.array(kind, { minLength: rows, maxLength: rows }),
              fc.array(kind, { minLength: cols, maxLength: cols }),
            ),
          ),
        ),
        ([cells, rowKinds, colKinds]) => {
          const grid = gridOf(cells);
          const s = suppressGrid(grid, 5, { rows: rowKinds, cols: colKinds });
          const truth = augmented(grid);
          const pub = published(s);
          const R = cells.length;
          const C = cells[0]!.length;
          const open = (r: number, c: number) => {
            const kinds = [...(r < R ? [rowKinds[r]] : []), ...(c < C ? [colKinds[c]] : [])];
            return kinds.length > 0 && kinds.every((k) => k === 'open');
          };
          pub.forEach((row, r) =>
            row.forEach((v, c) => v !== null && expect(v === 0 || v >= 5 || open(r, c)).toBe(true)),
          );
          const hiddenCount = pub.flat().filter((v) => v === null).length;
          fc.pre(hiddenCount > 0 && hiddenCount <= 7);
          for (const [key, values] of feasibleValues(pub, grid.total)) {
            const [r, c] = key.split(',').map(Number) as [number, number];
            const actual = truth[r]![c]!;
            expect(values.has(actual)).toBe(true);
            if (actual > 0 && actual < 5 && !open(r, c)) expect(values.size).toBeGreaterThan(1);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
