// loadDocument: bytes of a source file -> normalised readable text, a title and a media type.
// Format loaders only extract; the policy shared by all formats lives here.
import { extname } from "node:path";
import { normaliseText } from "../normalise.ts";
import { DocumentLoadError, UnsupportedFormatError } from "./errors.ts";
import { loadHtml } from "./html.ts";
import { loadMarkdown } from "./markdown.ts";
import { loadPdf } from "./pdf.ts";
import { loadText } from "./text.ts";
import { titleFromPath } from "./title-from-path.ts";
import { type ExtractedDocument, type FormatLoader, LoadedDocument } from "./types.ts";

export { DocumentLoadError, UnsupportedFormatError } from "./errors.ts";
export { LoadedDocument } from "./types.ts";

type Format = { mediaType: string; load: FormatLoader };

const MARKDOWN: Format = { mediaType: "text/markdown", load: loadMarkdown };
const HTML: Format = { mediaType: "text/html", load: loadHtml };
const FORMATS: Readonly<Record<string, Format>> = {
  ".md": MARKDOWN,
  ".markdown": MARKDOWN,
  ".txt": { mediaType: "text/plain", load: loadText },
  ".html": HTML,
  ".htm": HTML,
  ".pdf": { mediaType: "application/pdf", load: loadPdf },
};

export const SUPPORTED_EXTENSIONS: readonly string[] = Object.keys(FORMATS);

export async function loadDocument(path: string, bytes: Uint8Array): Promise<LoadedDocument> {
  const format = FORMATS[extname(path).toLowerCase()];
  if (!format) throw new UnsupportedFormatError(path);

  let extracted: ExtractedDocument;
  try {
    extracted = await format.load(bytes);
  } catch (error) {
    throw new DocumentLoadError(path, describe(error), { cause: error });
  }
  const text = normaliseText(extracted.text);
  if (!text) throw new DocumentLoadError(path, "no text after normalisation");

  const title = normaliseText(extracted.title ?? "").replace(/\s+/g, " ");
  return LoadedDocument.parse({
    title: title || titleFromPath(path),
    text,
    mediaType: format.mediaType,
  });
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.name === "Error" ? error.message : `${error.name}: ${error.message}`;
}
