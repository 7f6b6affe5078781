// `fatal` makes invalid UTF-8 throw instead of silently becoming U+FFFD, which would otherwise
// end up quoted in citations. A leading BOM is dropped by the decoder.
const decoder = new TextDecoder("utf-8", { fatal: true });

export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch (error) {
    throw new Error("bytes are not valid UTF-8", { cause: error });
  }
}
