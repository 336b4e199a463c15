/**
 * Small-count suppression for anything published or exported (SAFETY.md: "small counts suppressed in
 * published statistics"). Pure functions, no I/O.
 *
 * A table is a grid of counts with its margins: `cells[r][c]`, a total per row, a total per column and a
 * grand total (a one-dimensional table is a grid with one row). Every row and every column is a *line*: its
 * cells plus its total, which must add up. Rules, applied until nothing changes:
 *
 * 1. Primary: any member (cell or total) with 0 < count < threshold is suppressed.
 * 2. Complementary: in every line, if exactly one member is suppressed it could be recovered by subtraction
 *    (total − the others, or the sum of the cells), so another member is suppressed too: the smallest
 *    non-zero published cell, else the line total. And when the line total is published, the suppressed
 *    cells of the line must add up to at least the threshold, otherwise subtraction would still show that
 *    each of them is small; more cells are suppressed until they do.
 *
 * Zero cells are published (a zero identifies nobody). Suppressed values become `null` in the output.
 *
 * Rows and columns may be marked (`SuppressOptions`): an `open` one ("not said", unknown) holds no attribute
 * of anyone, so a member that is open in every dimension it has is never a cell to protect, and it is the
 * first complement to hide; a `headline` one (children witnessing, minors) is hidden as a complement only when
 * nothing else in the line protects as well. So one skipped answer no longer hides a headline figure.
 */

export interface CountGrid {
  cells: number[][];
  rowTotals: number[];
  colTotals: number[];
  total: number;
}

export interface SuppressedGrid {
  cells: (number | null)[][];
  rowTotals: (number | null)[];
  colTotals: (number | null)[];
  total: number | null;
  /** How many members were suppressed because they were small (rule 1) and to protect others (rule 2). */
  primary: number;
  complementary: number;
}

/** The default threshold: counts 1–4 are never published. */
export const DEFAULT_SUPPRESSION_THRESHOLD = 5;

/** A member of the augmented grid: an interior cell, a row total, a column total or the grand total. */
type Member = readonly [row: number, col: number];

/** How a row or column is treated: see the file comment. */
export type LineKind = 'open' | 'normal' | 'headline';
export interface SuppressOptions {
  rows?: readonly LineKind[];
  cols?: readonly LineKind[];
}

/** The keys of a breakdown that hold no attribute of anyone: "not said", unknown, not assessed. */
export const OPEN_KEYS: readonly string[] = ['not_said', 'unknown', 'not_assessed'];

/** Line kinds for a list of keys: open for "not said" and the like, headline for the keys given. */
export function kindsOf(keys: readonly string[], headline: readonly string[] = []): LineKind[] {
  return keys.map((k) => (OPEN_KEYS.includes(k) ? 'open' : headline.includes(k) ? 'headline' : 'normal'));
}

/** Build a grid with its margins from interior cells. */
export function gridOf(cells: number[][]): CountGrid {
  const cols = cells[0]?.length ?? 0;
  for (const row of cells) {
    if (row.length !== cols) throw new RangeError('Every row of a count grid must have the same length');
    for (const value of row) {
      if (!Number.isInteger(value) || value < 0) throw new RangeError('Counts must be non-negative integers');
    }
  }
  const rowTotals = cells.map((row) => row.reduce((a, b) => a + b, 0));
  const colTotals = Array.from({ length: cols }, (_, c) => cells.reduce((a, row) => a + (row[c] ?? 0), 0));
  return { cells, rowTotals, colTotals, total: rowTotals.reduce((a, b) => a + b, 0) };
}

/**
 * Suppress small counts in a grid with its margins so that no suppressed count can be recovered by
 * subtraction from what is published. `threshold` ≥ 1; 1 publishes everything.
 */
export function suppressGrid(
  grid: CountGrid,
  threshold: number = DEFAULT_SUPPRESSION_THRESHOLD,
  options: SuppressOptions = {},
): SuppressedGrid {
  if (!Number.isInteger(threshold) || threshold < 1)
    throw new RangeError('The suppression threshold must be a whole number ≥ 1');
  const R = grid.cells.length;
  const C = grid.cells[0]?.length ?? 0;
  if ((options.rows && options.rows.length !== R) || (options.cols && options.cols.length !== C))
    throw new RangeError('One kind per row and per column');
  /** The kinds of the dimensions a member has (a total has none in the dimension it adds up). */
  const kindsAt = (r: number, c: number): LineKind[] => [
    ...(r < R && options.rows ? [options.rows[r]!] : []),
    ...(c < C && options.cols ? [options.cols[c]!] : []),
  ];
  const isOpen = (r: number, c: number): boolean => {
    const kinds = kindsAt(r, c);
    return kinds.length > 0 && kinds.every((k) => k === 'open');
  };
  /** Which complement to hide first: open members, then ordinary ones, then those of a headline row. */
  const cost = (r: number, c: number): number => {
    const kinds = kindsAt(r, c);
    if (kinds.includes('headline')) return 3;
    if (isOpen(r, c)) return 0;
    return kinds.includes('open') ? 1 : 2;
  };
  // The augmented matrix: (R+1) × (C+1); row R holds the column totals, column C the row totals.
  const value = (r: number, c: number): number => {
    if (r < R && c < C) return grid.cells[r]?.[c] ?? 0;
    if (r < R) return grid.rowTotals[r] ?? 0;
    if (c < C) return grid.colTotals[c] ?? 0;
    return grid.total;
  };
  const hidden: boolean[][] = Array.from({ length: R + 1 }, () => new Array<boolean>(C + 1).fill(false));
  let primary = 0;
  for (let r = 0; r <= R; r++) {
    for (let c = 0; c <= C; c++) {
      const v = value(r, c);
      if (v > 0 && v < threshold && !isOpen(r, c)) {
        hidden[r]![c] = true;
        primary++;
      }
    }
  }
  // Every row and column of the augmented matrix is a line whose last member is its total.
  const lines: { cells: Member[]; total: Member }[] = [];
  if (R > 0 && C > 0) {
    for (let r = 0; r < R; r++)
      lines.push({ cells: Array.from({ length: C }, (_, c) => [r, c] as const), total: [r, C] });
    for (let c = 0; c < C; c++)
      lines.push({ cells: Array.from({ length: R }, (_, r) => [r, c] as const), total: [R, c] });
    lines.push({ cells: Array.from({ length: R }, (_, r) => [r, C] as const), total: [R, C] });
    lines.push({ cells: Array.from({ length: C }, (_, c) => [R, c] as const), total: [R, C] });
  }
  const isHidden = ([r, c]: Member): boolean => hidden[r]![c]!;
  const hide = ([r, c]: Member): void => {
    hidden[r]![c] = true;
  };
  let complementary = 0;
  let changed = true;
  while (changed) {
    changed = false;
    for (const line of lines) {
      for (;;) {
        const hiddenCells = line.cells.filter(isHidden);
        const totalHidden = isHidden(line.total);
        const hiddenCount = hiddenCells.length + (totalHidden ? 1 : 0);
        if (hiddenCount === 0) break;
        const hiddenSum = hiddenCells.reduce((a, m) => a + value(m[0], m[1]), 0);
        const exposed = hiddenCount === 1 || (!totalHidden && hiddenSum > 0 && hiddenSum < threshold);
        if (!exposed) break;
        // A published non-zero cell protects (zeros only if nothing else): the one that costs least to hide —
        // "not said" before ordinary rows before headline rows — and of those the smallest.
        const candidates = line.cells
          .filter((m) => !isHidden(m))
          .sort((a, b) => {
            const va = value(a[0], a[1]);
            const vb = value(b[0], b[1]);
            return (va === 0 ? 1 : 0) - (vb === 0 ? 1 : 0) || cost(a[0], a[1]) - cost(b[0], b[1]) || va - vb;
          });
        const next =
          candidates.find((m) => value(m[0], m[1]) > 0) ?? (totalHidden ? candidates[0] : undefined);
        if (next) hide(next);
        else if (!totalHidden) hide(line.total);
        else break; // every member is hidden already
        complementary++;
        changed = true;
      }
    }
  }
  const out = (r: number, c: number): number | null => (hidden[r]![c] ? null : value(r, c));
  return {
    cells: Array.from({ length: R }, (_, r) => Array.from({ length: C }, (_, c) => out(r, c))),
    rowTotals: Array.from({ length: R }, (_, r) => out(r, C)),
    colTotals: Array.from({ length: C }, (_, c) => out(R, c)),
    total: out(R, C),
    primary,
    complementary,
  };
}

/**
 * A list of counts that add up to a published total (a one-dimensional table: by type, by region …).
 * Returns the published counts (`null` = suppressed) and the total (`null` when it is itself small).
 */
export function suppressList(
  counts: number[],
  threshold: number = DEFAULT_SUPPRESSION_THRESHOLD,
  total?: number,
  kinds?: readonly LineKind[],
): { counts: (number | null)[]; total: number | null } {
  if (counts.length === 0) {
    const t = total ?? 0;
    return { counts: [], total: t > 0 && t < threshold ? null : t };
  }
  const grid = gridOf([counts]);
  if (total !== undefined && total !== grid.total) {
    // The total counts members outside the list (e.g. "not said" shown elsewhere): add them as a cell of their own.
    if (total < grid.total) throw new RangeError('A total cannot be smaller than the sum of its counts');
    const withRest = suppressGrid(
      gridOf([[...counts, total - grid.total]]),
      threshold,
      kinds ? { cols: [...kinds, 'normal'] } : {},
    );
    return { counts: withRest.colTotals.slice(0, counts.length), total: withRest.total };
  }
  const result = suppressGrid(grid, threshold, kinds ? { cols: kinds } : {});
  return { counts: result.colTotals, total: result.total };
}

/** A single figure on its own (a headline count): published only when it is not small. */
export function suppressCount(
  count: number,
  threshold: number = DEFAULT_SUPPRESSION_THRESHOLD,
): number | null {
  return count > 0 && count < threshold ? null : count;
}

/** A share computed only from published figures: a suppressed part or whole gives a suppressed share. */
export function shareOf(part: number | null, whole: number | null): number | null {
  if (part === null || whole === null) return null;
  if (whole === 0) return null;
  return part / whole;
}
