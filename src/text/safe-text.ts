import { z } from "@hono/zod-openapi";

// A NUL cannot be stored in PostgreSQL text, and a lone UTF-16 surrogate cannot be written in any
// encoding (PostgreSQL and hashes see UTF-8): text holding either is refused at the door.
const NUL = /\u0000/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `text` cannot be accepted as text, or null when it can. */
export function unsafeTextReason(text: string): string | null {
  const nul = NUL.exec(text);
  if (nul) return `contains a NUL character (U+0000) at offset ${nul.index}`;
  const surrogate = LONE_SURROGATE.exec(text);
  if (surrogate) {
    const code = surrogate[0].charCodeAt(0).toString(16).toUpperCase();
    return `contains a lone surrogate (U+${code}) at offset ${surrogate.index}, which is not Unicode text`;
  }
  return null;
}

/**
 * A request's text field: refused (400, naming the field) when it holds a NUL or a lone
 * surrogate, and normalised to NFC, so "é" typed as e + U+0301 and as U+00E9 is the same text.
 */
export function safeText(schema: z.ZodString) {
  return schema
    .superRefine((value, ctx) => {
      const reason = unsafeTextReason(value);
      if (reason) ctx.addIssue({ code: "custom", message: reason });
    })
    .transform((value) => value.normalize("NFC"));
}
