import canonicalize from "canonicalize";

/** A value that has no single JSON text, so it can never be hashed into the ledger. */
export class CanonicalJsonError extends Error {
  constructor(path: string, problem: string) {
    super(`canonical JSON: ${path} ${problem}`);
    this.name = "CanonicalJsonError";
  }
}

/**
 * The RFC 8785 (JCS) text of a value: keys sorted by UTF-16 code units, no whitespace, numbers
 * as ECMAScript prints them. The `canonicalize` package does the serialising; the walk below
 * runs first because the package passes some values through silently (a function becomes the
 * bare word `undefined`, a Map becomes `{}`, an `undefined` array item becomes `null`), and a
 * ledger must refuse what it cannot hash back. Object properties whose value is `undefined` are
 * left out, as JSON.stringify does, so the text matches what a client was sent.
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(toJsonTree(value, "$", new Set()));
  if (text === undefined) throw new CanonicalJsonError("$", "has no JSON text");
  return text;
}

/** A copy of `value` holding only JSON types, with toJSON applied as JSON.stringify would. */
function toJsonTree(value: unknown, path: string, open: Set<object>, key = ""): unknown {
  const toJSON = (value as { toJSON?: unknown } | null)?.toJSON;
  if (typeof value === "object" && typeof toJSON === "function") value = toJSON.call(value, key);
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (Number.isFinite(value)) return value;
    throw new CanonicalJsonError(path, `is ${value}, not a finite number`);
  }
  if (typeof value !== "object") {
    throw new CanonicalJsonError(path, `is ${describe(value)}, not JSON`);
  }
  if (open.has(value)) throw new CanonicalJsonError(path, "refers back to itself");
  open.add(value);
  try {
    if (Array.isArray(value)) {
      // Array.from visits the holes of a sparse array, which map would skip.
      return Array.from(value as unknown[], (item, i) => {
        // JSON.stringify would write null here, which reads back as a different value.
        if (item === undefined) throw new CanonicalJsonError(`${path}[${i}]`, "is undefined");
        return toJsonTree(item, `${path}[${i}]`, open, String(i));
      });
    }
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      throw new CanonicalJsonError(path, `is a ${describe(value)}, not a plain object`);
    }
    // No prototype, so a "__proto__" key from JSON.parse stays a key instead of a setter call.
    const out: Record<string, unknown> = Object.create(null);
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) out[k] = toJsonTree(v, `${path}.${k}`, open, k);
    }
    return out;
  } finally {
    open.delete(value);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return `a ${typeof value}`;
}
