/** The file's extension names no format we can load; the pipeline skips such files. */
export class UnsupportedFormatError extends Error {
  override readonly name = "UnsupportedFormatError";

  constructor(readonly path: string) {
    super(`Unsupported document format: ${path}`);
  }
}

/** A file of a supported format that cannot be turned into text (bad bytes, broken PDF, empty). */
export class DocumentLoadError extends Error {
  override readonly name = "DocumentLoadError";

  constructor(
    readonly path: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`Cannot load ${path}: ${reason}`, options);
  }
}
