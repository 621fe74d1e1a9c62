/** Where a command writes: results to stdout, notes and errors to stderr. */
export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export interface Column<T> {
  readonly header: string;
  /** undefined: an empty cell (trailing empty cells are left off the line). */
  readonly cell: (row: T) => string | undefined;
}

/**
 * A list as a table (a header row, then one tab-separated line per row; an empty list prints
 * nothing on stdout and says so on stderr) or, with --json, as one JSON array.
 */
export function printList<T>(
  io: Io,
  rows: readonly T[],
  options: { readonly json: boolean | undefined; readonly columns: readonly Column<T>[]; readonly noun: string },
): void {
  if (options.json) {
    io.out(JSON.stringify(rows));
    return;
  }
  if (rows.length === 0) {
    io.err(`(no ${options.noun})`);
    return;
  }
  io.out(options.columns.map((c) => c.header).join('\t'));
  for (const row of rows) {
    const cells = options.columns.map((c) => c.cell(row) ?? '');
    while (cells.length > 0 && cells[cells.length - 1] === '') cells.pop();
    io.out(cells.join('\t'));
  }
}
