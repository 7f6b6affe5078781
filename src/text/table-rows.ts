// The plain-text form of a table, shared by the loaders that write it and the readers that parse
// it back (chunking, evidence units): one row per line, header row first, cells separated by
// " | ". Writer and reader live together so the two can never disagree about the format.
import type { Span } from "./sentences.ts";

export const CELL_SEPARATOR = " | ";

// A bar with whitespace or a cell edge beside it would read as a cell boundary; "a|b" is safe.
const LOOSE_BAR = /(?<=^|\s)\||\|(?=\s|$)/g;
// Written instead of such a bar: it looks like one and cannot be mistaken for a separator.
const BROKEN_BAR = "\u00a6";
// What a separator becomes once normalisation has squeezed an empty cell's spaces: the bar is
// the boundary, and the spaces either side (or a line edge) are padding.
const CELL_BOUNDARY = /(?<=^|\s)\|(?=\s|$)/;
// A Markdown delimiter row ("---", ":--:") that a table written as plain text may carry.
const DELIMITER_CELL = /^:?-+:?$/;
const LINE_BREAK = /\r\n?|[\n\u0085\u2028\u2029]/g;

/** One cell's text made safe for a row line: a single line with no bar that reads as a boundary. */
export function cellText(text: string): string {
  return text.replace(/\s+/g, " ").trim().replace(LOOSE_BAR, BROKEN_BAR);
}

/**
 * A row as one line. Empty cells stay, as nothing between two bars, so every row keeps its cell
 * count; the line is trimmed like any other, which leaves a bar at an edge for an empty edge cell.
 */
export function rowText(cells: readonly string[]): string {
  return cells.map(cellText).join(CELL_SEPARATOR).trim();
}

/** The trimmed cells of a line; a line that is not a row gives a single cell. */
export function splitRow(line: string): string[] {
  return line.split(CELL_BOUNDARY).map((cell) => cell.trim());
}

export type TableRow = Span & { cells: string[] };

/** A run of row lines; `header` is null when the text starts inside a table, after its header. */
export type TableBlock = Span & { header: TableRow | null; rows: TableRow[] };

/** Every line of `text` as a trimmed span (a blank line is an empty span at its position). */
export function lineSpans(text: string): Span[] {
  const spans: Span[] = [];
  let start = 0;
  const push = (end: number) => {
    let s = start;
    let e = end;
    while (s < e && /\s/.test(text[s]!)) s++;
    while (e > s && /\s/.test(text[e - 1]!)) e--;
    spans.push({ start: s, end: e });
  };
  for (const match of text.matchAll(LINE_BREAK)) {
    push(match.index);
    start = match.index + match[0].length;
  }
  push(text.length);
  return spans;
}

/**
 * The tables of a text: two or more consecutive row lines with the same number of cells, the
 * first being the header. With `startsInTable` (the text is a slice that begins after a table's
 * header), rows at the very start form a block of their own with no header, even a single row.
 */
export function findTableBlocks(
  text: string,
  { startsInTable = false }: { startsInTable?: boolean } = {},
): TableBlock[] {
  const blocks: TableBlock[] = [];
  let run: TableRow[] = [];
  let runLeads = false;
  let seenText = false;
  const flush = () => {
    const headerless = runLeads && startsInTable;
    if (run.length >= (headerless ? 1 : 2)) {
      const [header, ...rows] = headerless ? [null, ...run] : run;
      blocks.push({
        start: run[0]!.start,
        end: run.at(-1)!.end,
        header,
        rows: rows.filter((row): row is TableRow => !!row && !isDelimiterRow(row.cells)),
      });
    }
    run = [];
  };
  for (const line of lineSpans(text)) {
    const cells = line.end > line.start ? splitRow(text.slice(line.start, line.end)) : [];
    const row = cells.length >= 2 ? { ...line, cells } : null;
    if (row && run.length > 0 && row.cells.length === run[0]!.cells.length) {
      run.push(row);
    } else {
      flush();
      if (row) [run, runLeads] = [[row], !seenText];
    }
    if (line.end > line.start) seenText = true;
  }
  flush();
  return blocks;
}

function isDelimiterRow(cells: readonly string[]): boolean {
  return cells.some(Boolean) && cells.every((cell) => !cell || DELIMITER_CELL.test(cell));
}
