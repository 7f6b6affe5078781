// Turns a parsed HTML tree into plain text in which every block element starts a new line,
// list items and table rows sit one per line, and paragraphs are separated by a blank line.
import { type AnyNode, type Element, isTag, isText } from "domhandler";
import { rowText } from "../../src/text/table-rows.ts";

// Breaks are requested by elements and written lazily before the next text, so that empty
// elements and nested blocks produce one separator rather than a pile of newlines.
const Break = { None: 0, Cell: 1, Line: 2, Paragraph: 3 } as const;
type Break = (typeof Break)[keyof typeof Break];
const SEPARATORS = ["", " | ", "\n", "\n\n"] as const;

const PARAGRAPH_ELEMENTS = new Set([
  ...["address", "article", "aside", "blockquote", "body", "caption", "center", "details"],
  ...["dialog", "div", "dl", "fieldset", "figcaption", "figure", "footer", "h1", "h2", "h3"],
  ...["h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend", "main", "menu", "nav"],
  ...["ol", "p", "pre", "section", "summary", "table", "ul"],
]);
const LINE_ELEMENTS = new Set(["li", "dt", "dd", "tr", "br", "option"]);
const CELL_ELEMENTS = new Set(["td", "th"]);
const HTML_WHITESPACE = /[ \t\n\r\f]+/g;
// The HTML standard clamps colspan to 1000, so a bigger value cannot make a row wider.
const MAX_COLUMN_SPAN = 1000;

type Writer = { parts: string[]; pending: Break; preDepth: number };

export function htmlNodesToText(nodes: readonly AnyNode[]): string {
  const writer: Writer = { parts: [], pending: Break.None, preDepth: 0 };
  for (const node of nodes) visit(node, writer);
  return writer.parts.join("").trim();
}

function visit(node: AnyNode, writer: Writer): void {
  if (isText(node)) write(writer, node.data);
  else if (isTag(node)) visitElement(node, writer);
}

function visitElement(element: Element, writer: Writer): void {
  const name = element.name.toLowerCase();
  const cells = name === "tr" ? element.children.filter(isCell) : [];
  if (cells.length > 0) {
    writeRow(cells, writer);
    return;
  }
  const breakKind = blockBreak(name);
  request(writer, breakKind);
  if (name === "br" || name === "hr") return;
  if (name === "pre") writer.preDepth++;
  for (const child of element.children) visit(child, writer);
  if (name === "pre") writer.preDepth--;
  // A cell's separator goes before the next cell only; the row's line break ends the last one.
  if (breakKind !== Break.Cell) request(writer, breakKind);
}

/**
 * A table row as one line in the shared row form (table-rows.ts), whatever its cells hold: a
 * paragraph, <br> or nested table inside a cell must not end the row or add a cell. A cell that
 * spans columns is followed by empty cells, so every row keeps the header's cell count.
 */
function writeRow(cells: readonly Element[], writer: Writer): void {
  const texts = cells.flatMap((cell) => [
    htmlNodesToText(cell.children),
    ...Array.from({ length: columnSpan(cell) - 1 }, () => ""),
  ]);
  request(writer, Break.Line);
  // Even an empty row is written: dropping an empty header row would make the first data row
  // read as the header.
  write(writer, rowText(texts));
  request(writer, Break.Line);
}

function isCell(node: AnyNode): node is Element {
  return isTag(node) && CELL_ELEMENTS.has(node.name.toLowerCase());
}

function columnSpan(cell: Element): number {
  const span = Number.parseInt(cell.attribs["colspan"] ?? "1", 10);
  return Number.isFinite(span) && span >= 1 ? Math.min(span, MAX_COLUMN_SPAN) : 1;
}

function blockBreak(name: string): Break {
  if (PARAGRAPH_ELEMENTS.has(name)) return Break.Paragraph;
  if (LINE_ELEMENTS.has(name)) return Break.Line;
  if (CELL_ELEMENTS.has(name)) return Break.Cell;
  return Break.None;
}

function request(writer: Writer, kind: Break): void {
  if (kind > writer.pending) writer.pending = kind;
}

function write(writer: Writer, raw: string): void {
  let text = writer.preDepth > 0 ? raw : raw.replace(HTML_WHITESPACE, " ");
  const { parts } = writer;
  if (writer.pending !== Break.None || parts.length === 0) {
    text = writer.preDepth > 0 ? text : text.trimStart();
    if (!text) return;
    if (parts.length > 0) {
      trimLastPart(parts);
      parts.push(SEPARATORS[writer.pending]);
    }
    writer.pending = Break.None;
  }
  if (text) parts.push(text);
}

function trimLastPart(parts: string[]): void {
  const last = parts.length - 1;
  parts[last] = parts[last]!.replace(/[ \t]+$/, "");
}
