import type { LoadSourceText } from "../src/audit/source-files.ts";
import { PII_KINDS, type PiiKind } from "../src/text/pii.ts";
import { loadDocument } from "./loaders/index.ts";
import { redactText } from "./redact.ts";

const isPiiKind = (kind: string): kind is PiiKind =>
  (PII_KINDS as readonly string[]).includes(kind);

/**
 * The text ingestion stores for a file's bytes, derived as ingest/pipeline.ts derives it (load and
 * normalise by format, then redact): what source-file checks compare the stored text with.
 */
export const loadSourceText: LoadSourceText = async ({ path, bytes, redact }) => {
  const loaded = await loadDocument(path, bytes);
  return redactText(loaded.text, redact.filter(isPiiKind)).text;
};
