// Canonical text for everything downstream: chunk offsets, quotes and hashes are all taken from
// this form, so it must be deterministic and idempotent.

// Unicode space separators (Zs) other than U+0020, which readers and tokenisers treat as a space.
const UNICODE_SPACES = /[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/g;
// Invisible characters that only break exact matching: zero-width space and BOM/ZWNBSP.
const INVISIBLE = /[\u200b\ufeff]/g;
// NEL, line separator and vertical tab end a line; paragraph separator and form feed (a PDF page
// break) end a block.
const LINE_SEPARATORS = /[\u0085\u2028\v]/g;
const BLOCK_SEPARATORS = /[\u2029\f]/g;
// What the stored text cannot hold or carries no text: NUL (PostgreSQL refuses it), the other C0
// controls but tab and the line breaks above, DEL, and lone UTF-16 surrogates (not Unicode, so no
// UTF-8 hash or database can take them). Removed here, so offsets index the text as stored.
const UNSTORABLE =
  /[\u0000-\u0008\u000e-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function normaliseText(text: string): string {
  return (
    text
      .replace(/\r\n?/g, "\n")
      .replace(LINE_SEPARATORS, "\n")
      .replace(BLOCK_SEPARATORS, "\n\n")
      .replace(INVISIBLE, "")
      .replace(UNSTORABLE, "")
      .replace(UNICODE_SPACES, " ")
      .replace(/[ \t]+/g, " ")
      .replace(/ \n/g, "\n")
      .replace(/\n{3,}/g, "\n\n")
      .trim()
      // NFC last: removing invisible characters can bring a base letter next to a combining mark,
      // and composing earlier would leave that pair for a second pass to change.
      .normalize("NFC")
  );
}
