// PDF text through pdf-parse (pdf.js). Pages are separated by a blank line.
import { PDFParse } from "pdf-parse";
import type { ExtractedDocument } from "./types.ts";

// pdf.js logs recoverable font and structure warnings to the console; only errors matter here.
const PDFJS_ERRORS_ONLY = 0;

export async function loadPdf(bytes: Uint8Array): Promise<ExtractedDocument> {
  // pdf.js transfers (detaches) the buffer it is given; a copy keeps the caller's bytes usable.
  const parser = new PDFParse({ data: new Uint8Array(bytes), verbosity: PDFJS_ERRORS_ONLY });
  try {
    const info = await parser.getInfo();
    const result = await parser.getText({ pageJoiner: "" });
    const pages = result.pages.map((page) => reflowLines(page.text));
    return { title: metadataTitle(info.info), text: pages.join("\n\n") };
  } finally {
    await parser.destroy();
  }
}

function metadataTitle(info: unknown): string | undefined {
  if (typeof info !== "object" || info === null || !("Title" in info)) return undefined;
  const title = info.Title;
  return typeof title === "string" && title.trim() ? title : undefined;
}

/**
 * pdf.js reports every visual line as a line, but a newline ends a sentence downstream, so a line
 * that stops mid-sentence is joined to the next when that one starts in lower case. Headings and
 * lines ending in punctuation keep their break. A word hyphenated across lines stays hyphenated.
 */
export function reflowLines(pageText: string): string {
  const lines = pageText.split("\n");
  let out = lines[0] ?? "";
  for (const line of lines.slice(1)) {
    const previous = out.trimEnd();
    const continues = /^\s*\p{Ll}/u.test(line) && !/[.!?:;]["'\u201d\u2019)\]]*$/u.test(previous);
    if (!continues) out += `\n${line}`;
    else if (/\p{L}-$/u.test(previous)) out = previous + line.trimStart();
    else out = `${previous} ${line.trimStart()}`;
  }
  return out;
}
