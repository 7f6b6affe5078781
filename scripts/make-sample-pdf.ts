/**
 * Generates the sample corpus PDF `sources/acme/policies/service-level-agreement.pdf`.
 *
 * There is no PDF tool on the build machine, so this script writes a minimal, valid PDF 1.4
 * file by hand: standard Type1 fonts (Helvetica, Helvetica-Bold) with WinAnsiEncoding, one
 * uncompressed content stream per page, text drawn with BT / Tf / Td / Tj (one Tj per line),
 * an Info dictionary with a /Title, and an xref table with exact byte offsets.
 *
 * Usage: npx tsx scripts/make-sample-pdf.ts [output-path]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const DEFAULT_OUT = resolve(ROOT, "sources/acme/policies/service-level-agreement.pdf");

// US Letter, 1 inch margins.
const PAGE_WIDTH = 612;
const PAGE_HEIGHT = 792;
const MARGIN = 72;
const TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN;
const MAX_CHARS = 90;

type Style = "title" | "heading" | "body" | "table" | "small";

interface StyleSpec {
  font: "F1" | "F2";
  size: number;
  leading: number;
  /** Extra space before a block in this style. */
  before: number;
}

const STYLES: Record<Style, StyleSpec> = {
  title: { font: "F2", size: 16, leading: 20, before: 0 },
  heading: { font: "F2", size: 12, leading: 16, before: 10 },
  body: { font: "F1", size: 10, leading: 13.5, before: 5 },
  table: { font: "F1", size: 10, leading: 14, before: 0 },
  small: { font: "F1", size: 8, leading: 10, before: 5 },
};

/** One block of text: a paragraph, a heading, or a table row. */
interface Block {
  style: Style;
  text: string;
}

const b = (text: string): Block => ({ style: "body", text });
const h = (text: string): Block => ({ style: "heading", text });
const row = (text: string): Block => ({ style: "table", text });

// ---------------------------------------------------------------------------------------------
// Document content. ASCII only (checked below). Each page is listed explicitly; the script
// fails if a page overflows, so the output always has exactly these two pages.
// ---------------------------------------------------------------------------------------------

const TITLE = "Acme Cloud Storage Service Level Agreement";

const PAGES: Block[][] = [
  [
    { style: "title", text: TITLE },
    b("Version 3.2, effective 1 January 2025. Published by Acme Inc."),
    h("1. Scope"),
    b(
      "This Service Level Agreement (SLA) applies to all paid Acme Cloud Storage subscriptions on " +
        "the Basic, Team, and Premium plans. This SLA does not apply to beta features or to " +
        "third-party integrations.",
    ),
    h("2. Uptime commitment"),
    b("Acme commits to a Monthly Uptime Percentage of at least 99.9% for Acme Cloud Storage."),
    b(
      "If Acme does not meet this commitment in a calendar month, eligible customers can receive " +
        "a service credit as described in section 4.",
    ),
    h("3. Definitions"),
    b(
      "Monthly Uptime Percentage means the total number of minutes in a calendar month, minus the " +
        "number of minutes of Downtime in that month, divided by the total number of minutes in " +
        "that month, and expressed as a percentage.",
    ),
    b(
      "Downtime means a period of five or more consecutive minutes in which more than 5% of " +
        "requests to the Acme Cloud Storage service fail with server errors, as measured by Acme.",
    ),
    b(
      "Monthly Fee means the amount that the customer paid for Acme Cloud Storage for the calendar " +
        "month in which the Downtime occurred, before taxes. For annual subscriptions, the Monthly " +
        "Fee is one twelfth of the annual fee.",
    ),
    b(
      "Scheduled Maintenance means maintenance that Acme announces on the Acme status page at " +
        "least 72 hours in advance.",
    ),
    h("Maintenance windows"),
    b(
      "Scheduled Maintenance takes place on Sundays between 02:00 and 06:00 UTC and does not exceed " +
        "4 hours in any calendar month.",
    ),
    b(
      "Scheduled Maintenance is not counted as Downtime when Acme calculates the Monthly Uptime Percentage.",
    ),
  ],
  [
    h("4. Service credits"),
    b(
      "If the Monthly Uptime Percentage falls below 99.9%, the customer is eligible for a service " +
        "credit according to the following table:",
    ),
    { style: "heading", text: "Monthly Uptime Percentage  -  Service credit" },
    row("Less than 99.9% but at least 99.0%  -  10% of the Monthly Fee"),
    row("Less than 99.0% but at least 95.0%  -  25% of the Monthly Fee"),
    row("Less than 95.0%  -  50% of the Monthly Fee"),
    b(
      "If the Monthly Uptime Percentage is less than 99.9% but at least 99.0%, the customer " +
        "receives a service credit of 10% of the Monthly Fee.",
    ),
    b(
      "If the Monthly Uptime Percentage is less than 99.0% but at least 95.0%, the customer " +
        "receives a service credit of 25% of the Monthly Fee.",
    ),
    b(
      "If the Monthly Uptime Percentage is less than 95.0%, the customer receives a service credit " +
        "of 50% of the Monthly Fee.",
    ),
    b("The total service credit for any calendar month cannot exceed 50% of the Monthly Fee."),
    h("5. Requesting a service credit"),
    b(
      "To receive a service credit, the customer must open a support ticket at support@acme.example " +
        "within 30 days after the end of the month in which the Downtime occurred.",
    ),
    b(
      "The request must include the dates and times of each period of Downtime and the names of " +
        "the affected workspaces.",
    ),
    b(
      "Acme reviews each service credit request and confirms its decision within 10 business days.",
    ),
    b(
      "Approved service credits are applied to the customer's next invoice and are never paid out " +
        "as cash refunds.",
    ),
    h("6. Exclusions"),
    b(
      "Downtime caused by Scheduled Maintenance, by events beyond Acme's reasonable control, by the " +
        "customer's own equipment or internet connection, or by the suspension of a workspace for " +
        "unpaid invoices is not counted when Acme calculates the Monthly Uptime Percentage.",
    ),
    {
      style: "small",
      text: "Copyright (c) 2025 Acme Inc. Questions about this SLA: legal@acme.example",
    },
  ],
];

// ---------------------------------------------------------------------------------------------
// Text measurement and wrapping (Helvetica AFM widths, units of 1/1000 em, ASCII 32..126).
// Helvetica-Bold is measured with the Helvetica widths plus a safety margin.
// ---------------------------------------------------------------------------------------------

// prettier-ignore
const HELVETICA_WIDTHS = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // 32-47
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 48-63
  1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // 64-79
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // 80-95
  333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // 96-111
  556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // 112-126
];

function textWidth(text: string, spec: StyleSpec): number {
  let units = 0;
  for (const ch of text) {
    units += HELVETICA_WIDTHS[ch.charCodeAt(0) - 32] ?? 1000;
  }
  const boldFactor = spec.font === "F2" ? 1.1 : 1;
  return (units / 1000) * spec.size * boldFactor;
}

/** Greedy word wrap that keeps every word in reading order. */
function wrap(text: string, spec: StyleSpec): string[] {
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  const lines: string[] = [];
  let current = "";
  for (const word of words) {
    const candidate = current ? `${current} ${word}` : word;
    if (current && (candidate.length > MAX_CHARS || textWidth(candidate, spec) > TEXT_WIDTH)) {
      lines.push(current);
      current = word;
    } else {
      current = candidate;
    }
  }
  if (current) lines.push(current);
  for (const line of lines) {
    if (textWidth(line, spec) > TEXT_WIDTH) throw new Error(`Word too wide for the page: ${line}`);
  }
  return lines;
}

/** Escapes a string for use inside a PDF literal string: backslash and parentheses. */
function escapePdfString(text: string): string {
  return text.replace(/[\\()]/g, (c) => `\\${c}`);
}

function assertAscii(text: string): void {
  if (!/^[\x20-\x7e]*$/.test(text)) {
    throw new Error(`Non-ASCII or control character in PDF text: ${JSON.stringify(text)}`);
  }
}

/** Builds the content stream of one page: one BT block, one Tj per line. */
function pageContent(blocks: Block[], pageNumber: number, pageCount: number): string {
  const ops: string[] = ["BT"];
  let y = PAGE_HEIGHT - MARGIN;
  let x = MARGIN;
  let first = true;
  let currentFont = "";

  const moveTo = (nx: number, ny: number): void => {
    // Td is relative to the start of the previous line; the first Td is relative to the origin.
    ops.push(`${fmt(nx - (first ? 0 : x))} ${fmt(ny - (first ? 0 : y))} Td`);
    first = false;
    x = nx;
    y = ny;
  };

  for (const block of blocks) {
    assertAscii(block.text);
    const spec = STYLES[block.style];
    const font = `/${spec.font} ${spec.size} Tf`;
    if (font !== currentFont) {
      ops.push(font);
      currentFont = font;
    }
    const lines = wrap(block.text, spec);
    let lineY = first ? y - spec.size : y - spec.before - spec.leading;
    for (const line of lines) {
      moveTo(MARGIN, lineY);
      ops.push(`(${escapePdfString(line)}) Tj`);
      lineY -= spec.leading;
    }
  }

  // Page footer.
  const footer = `${TITLE} - page ${pageNumber} of ${pageCount}`;
  const small = STYLES.small;
  if (y - small.leading < MARGIN) {
    throw new Error(`Page ${pageNumber} overflows the bottom margin (y=${y.toFixed(1)})`);
  }
  ops.push(`/F1 ${small.size} Tf`);
  moveTo(MARGIN, MARGIN - 30);
  ops.push(`(${escapePdfString(footer)}) Tj`);
  ops.push("ET");
  return ops.join("\n") + "\n";
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

// ---------------------------------------------------------------------------------------------
// PDF serialisation. All strings are ASCII (plus the latin1 binary marker in the header), so
// byte offsets are computed with Buffer.byteLength(..., 'latin1').
// ---------------------------------------------------------------------------------------------

function buildPdf(pages: Block[][]): Buffer {
  const pageCount = pages.length;
  // Object numbers: 1 catalog, 2 pages, 3 Helvetica, 4 Helvetica-Bold, 5 info,
  // then for each page i: page object 6 + 2i, content stream 7 + 2i.
  const pageObj = (i: number): number => 6 + 2 * i;
  const contentObj = (i: number): number => 7 + 2 * i;

  const objects = new Map<number, string>();
  objects.set(1, "<< /Type /Catalog /Pages 2 0 R >>");
  objects.set(
    2,
    `<< /Type /Pages /Kids [${pages.map((_, i) => `${pageObj(i)} 0 R`).join(" ")}] /Count ${pageCount} >>`,
  );
  objects.set(
    3,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
  );
  objects.set(
    4,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
  );
  objects.set(
    5,
    `<< /Title (${escapePdfString(TITLE)}) /Author (Acme Inc.) /Subject (Service Level Agreement) ` +
      "/Creator (Verity scripts/make-sample-pdf.ts) /Producer (Verity make-sample-pdf) " +
      "/CreationDate (D:20250101000000Z) /ModDate (D:20250101000000Z) >>",
  );
  pages.forEach((blocks, i) => {
    const content = pageContent(blocks, i + 1, pageCount);
    objects.set(
      pageObj(i),
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_WIDTH} ${PAGE_HEIGHT}] ` +
        `/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents ${contentObj(i)} 0 R >>`,
    );
    objects.set(
      contentObj(i),
      `<< /Length ${Buffer.byteLength(content, "latin1")} >>\nstream\n${content}endstream`,
    );
  });

  const maxObj = Math.max(...objects.keys());
  let out = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
  const offsets: number[] = [];
  for (let n = 1; n <= maxObj; n++) {
    const body = objects.get(n);
    if (body === undefined) throw new Error(`Missing PDF object ${n}`);
    offsets[n] = Buffer.byteLength(out, "latin1");
    out += `${n} 0 obj\n${body}\nendobj\n`;
  }

  const xrefOffset = Buffer.byteLength(out, "latin1");
  // Each xref entry is exactly 20 bytes: 10-digit offset, space, 5-digit generation, space,
  // type, and a two-byte end of line (space + LF).
  out += `xref\n0 ${maxObj + 1}\n`;
  out += "0000000000 65535 f \n";
  for (let n = 1; n <= maxObj; n++) {
    out += `${String(offsets[n]).padStart(10, "0")} 00000 n \n`;
  }
  out += `trailer\n<< /Size ${maxObj + 1} /Root 1 0 R /Info 5 0 R >>\n`;
  out += `startxref\n${xrefOffset}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}

function main(): void {
  const outPath = resolve(process.argv[2] ?? DEFAULT_OUT);
  const pdf = buildPdf(PAGES);
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, pdf);
  console.log(`Wrote ${pdf.length} bytes, ${PAGES.length} pages, to ${outPath}`);
}

main();
