// Writes test/fixtures/docs/sample.pdf. The machine has no PDF authoring tool, so this builds a
// minimal PDF 1.4 by hand: Helvetica text objects, exact xref offsets and an Info dictionary.
// Run with `npx tsx scripts/make-fixture-pdf.ts`; the output is deterministic and committed.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export type FixturePage = { heading: string; lines: string[] };

const PAGE_WIDTH = 612; // US Letter in points
const PAGE_HEIGHT = 792;
const MARGIN = 72;
const LEADING = 16;

/** Escapes a string for a PDF literal string; only ASCII is supported (WinAnsi Helvetica). */
function pdfString(text: string): string {
  if (!/^[\x20-\x7e]*$/.test(text)) throw new Error(`non-ASCII text in fixture: ${text}`);
  return `(${text.replace(/[\\()]/g, (c) => `\\${c}`)})`;
}

function pageContent(page: FixturePage): string {
  const top = PAGE_HEIGHT - MARGIN;
  const body = page.lines.map((line) => (line === "" ? "T*" : `${pdfString(line)} Tj T*`));
  return [
    "BT",
    `/F1 18 Tf ${MARGIN} ${top} Td ${pdfString(page.heading)} Tj`,
    // An empty line between the heading and the body keeps them apart in extracted text.
    `/F1 11 Tf ${LEADING} TL 0 ${-2 * LEADING} Td`,
    ...body,
    "ET",
  ].join("\n");
}

export function buildPdf(title: string, pages: FixturePage[]): Buffer {
  const objects: string[] = [];
  const add = (body: string): number => objects.push(body);

  const catalog = add(""); // filled once the page tree's number is known
  const fontRef = add(
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
  );
  const pagesRef = add("");
  const pageRefs = pages.map((page) => {
    const content = pageContent(page);
    const contentRef = add(
      `<< /Length ${Buffer.byteLength(content, "latin1")} >>\nstream\n${content}\nendstream`,
    );
    return add(
      `<< /Type /Page /Parent ${pagesRef} 0 R /MediaBox [0 0 ${PAGE_WIDTH} ${PAGE_HEIGHT}] ` +
        `/Resources << /Font << /F1 ${fontRef} 0 R >> >> /Contents ${contentRef} 0 R >>`,
    );
  });
  objects[catalog - 1] = `<< /Type /Catalog /Pages ${pagesRef} 0 R >>`;
  objects[pagesRef - 1] =
    `<< /Type /Pages /Kids [${pageRefs.map((ref) => `${ref} 0 R`).join(" ")}] /Count ${pages.length} >>`;
  const infoRef = add(`<< /Title ${pdfString(title)} /Producer (Verity make-fixture-pdf) >>`);

  let out = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(Buffer.byteLength(out, "latin1"));
    out += `${index + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xrefOffset = Buffer.byteLength(out, "latin1");
  // Each xref entry must be exactly 20 bytes, hence the space before the newline.
  const entries = offsets.map((offset) => `${String(offset).padStart(10, "0")} 00000 n \n`);
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${entries.join("")}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R /Info ${infoRef} 0 R >>\n`;
  out += `startxref\n${xrefOffset}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}

export const SAMPLE_TITLE = "Field Notes on Coastal Erosion";

export const SAMPLE_PAGES: FixturePage[] = [
  {
    heading: "Survey findings",
    lines: [
      "The survey team measured the northern cliffs in March 2023. Average retreat",
      "was 0.8 metres per year, roughly twice the rate recorded in 1990.",
      "",
      "Dr. Amara Osei led the fieldwork with support from the regional council.",
    ],
  },
  {
    heading: "Recommendations",
    lines: [
      "Sea walls slow erosion locally but often move the problem further along the",
      "coast. The team recommends managed retreat for the three most exposed villages.",
      "Funding of approx. 2.4 million pounds is requested for the first phase.",
    ],
  },
];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = fileURLToPath(new URL("../test/fixtures/docs/sample.pdf", import.meta.url));
  writeFileSync(target, buildPdf(SAMPLE_TITLE, SAMPLE_PAGES));
  console.log(`wrote ${target}`);
}
