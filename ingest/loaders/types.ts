import { z } from "zod";

/** A source file turned into normalised, readable plain text, ready for chunking. */
export const LoadedDocument = z.object({
  title: z.string().min(1),
  text: z.string().min(1),
  mediaType: z.string().min(1),
});
export type LoadedDocument = z.infer<typeof LoadedDocument>;

/**
 * What a format loader extracts before the shared policy (normalisation, title fallback, empty
 * check) is applied in index.ts. `title` is undefined when the format has no title of its own.
 */
export type ExtractedDocument = { title: string | undefined; text: string };

export type FormatLoader = (bytes: Uint8Array) => Promise<ExtractedDocument>;
