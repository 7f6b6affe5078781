// What a passage offers as evidence: its statements and its table rows, each an exact span of the
// passage (what a citation quotes) with a reading (what is scored and shown). A table row alone
// ("Basic | 30 days | 90 days") means little; read with its header it states a fact. Headings and
// header rows are context, never answers.
import { splitSentences, type Span } from "./sentences.ts";
import { findTableBlocks, lineSpans, type TableRow } from "./table-rows.ts";

export type EvidenceUnit = {
  /** Offsets into the passage: `text.slice(start, end)` is the quotable span. */
  start: number;
  end: number;
  kind: "sentence" | "row";
  /** The unit's reading: the sentence itself, or the row read with its header. */
  text: string;
  /** The nearest heading above the unit in the passage, if any. */
  heading: string | null;
};

export type EvidenceUnitOptions = {
  /** The passage is a slice that begins after a table's header, so its first rows have none. */
  startsInTable?: boolean;
};

/** Words below which an unpunctuated line is a heading or a label, not a claim. */
const MIN_HEADING_WORDS = 6;

/**
 * Only statements can be quoted as answers: a question in the sources (an FAQ heading) restates
 * the ask, and a short unpunctuated line ("Data centre regions") is a heading, not a claim.
 */
export function isStatement(sentence: string): boolean {
  if (sentence.endsWith("?")) return false;
  if (/[.!:;)"'”’]$/.test(sentence)) return true;
  return sentence.split(/\s+/).length >= MIN_HEADING_WORDS;
}

export function evidenceUnits(text: string, options: EvidenceUnitOptions = {}): EvidenceUnit[] {
  const tables = new Map(findTableBlocks(text, options).map((block) => [block.start, block]));
  const sentences = splitSentences(text);
  const lines = lineSpans(text);
  const units: EvidenceUnit[] = [];
  let heading: string | null = null;
  let next = 0; // the first sentence not yet assigned to a line
  let tableEnd = -1;
  // A heading stands alone (the passage starts there, or a blank line comes before it) and
  // introduces something below it, after a blank line or as a table right under it.
  const first = lines.findIndex((line) => !isBlank(line));
  const last = lines.findLastIndex((line) => !isBlank(line));
  const introduces = (i: number) =>
    (i === first || isBlank(lines[i - 1]!)) &&
    i < last &&
    (isBlank(lines[i + 1]!) || tables.has(lines[i + 1]!.start));
  lines.forEach((line, i) => {
    if (line.start < tableEnd || line.end === line.start) return;
    const table = tables.get(line.start);
    if (table) {
      tableEnd = table.end;
      for (const row of table.rows) {
        const reading = readRow(row, table.header);
        if (reading) units.push({ ...span(row), kind: "row", text: reading, heading });
      }
      return;
    }
    while (next < sentences.length && sentences[next]!.end <= line.start) next++;
    const own: Span[] = [];
    while (next < sentences.length && sentences[next]!.start < line.end)
      own.push(sentences[next++]!);
    const isHeading = introduces(i);
    const lineText = text.slice(line.start, line.end);
    if (isHeading && own.length === 1 && !isStatement(lineText)) {
      heading = lineText;
      return;
    }
    own.forEach((sentence, k) => {
      const sentenceText = text.slice(sentence.start, sentence.end);
      // "The plans differ as follows:" introduces what comes next rather than stating a fact.
      if (isHeading && k === own.length - 1 && sentenceText.endsWith(":")) heading = sentenceText;
      else if (isStatement(sentenceText))
        units.push({ ...span(sentence), kind: "sentence", text: sentenceText, heading });
    });
  });
  return units;
}

/** "Plan: Basic; Trash retention: 30 days": each filled cell under its column's header. */
function readRow(row: TableRow, header: TableRow | null): string {
  return row.cells
    .flatMap((cell, i) => {
      if (!cell) return [];
      const label = header?.cells[i];
      return [label ? `${label}: ${cell}` : cell];
    })
    .join("; ");
}

const span = ({ start, end }: Span): Span => ({ start, end });

function isBlank(line: Span): boolean {
  return line.end === line.start;
}
