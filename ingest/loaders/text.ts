import { normaliseText } from "../normalise.ts";
import { decodeUtf8 } from "./decode-utf8.ts";
import type { ExtractedDocument } from "./types.ts";

// A first line longer than this is prose, not a title.
const MAX_TITLE_CHARS = 100;

export async function loadText(bytes: Uint8Array): Promise<ExtractedDocument> {
  const text = decodeUtf8(bytes);
  const firstLine = normaliseText(text).split("\n", 1)[0] ?? "";
  return { title: firstLine.length < MAX_TITLE_CHARS ? firstLine : undefined, text };
}
