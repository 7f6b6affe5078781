/** A value that has no single JSON text, so it can never be hashed into the ledger. */
export class CanonicalJsonError extends Error {
  constructor(path: string, problem: string) {
    super(`canonical JSON: ${path} ${problem}`);
    this.name = "CanonicalJsonError";
  }
}

/**
 * The RFC 8785 (JCS) text of a value: keys sorted by UTF-16 code units, no whitespace, strings
 * and numbers as ECMAScript's JSON.stringify writes them. Object properties whose value is
 * `undefined` are left out and toJSON is applied, as JSON.stringify does, so the text matches
 * what a client was sent. What has no single JSON text (a function, a Map, an `undefined` array
 * item, NaN, a lone surrogate, a cycle) is refused with where it is: a ledger must never hold a
 * text it cannot hash back.
 *
 * One pass writes the text and checks it; only a refused value is walked a second time, to name
 * the place (every answer's record goes through here, so the path of each node is not built).
 */
export function canonicalJson(value: unknown): string {
  const text = write(value, "", new Set());
  if (text !== null) return text;
  explain(value, "$", new Set());
  throw new CanonicalJsonError("$", "has no JSON text");
}

/** The JCS text of `value`, or null when some part of it has none (explain says which). */
function write(input: unknown, key: string, open: Set<object>): string | null {
  const value = applyToJSON(input, key);
  switch (typeof value) {
    case "string":
      return wellFormed(value) ? JSON.stringify(value) : null;
    case "number":
      return Number.isFinite(value) ? JSON.stringify(value) : null;
    case "boolean":
      return value ? "true" : "false";
    case "object":
      break;
    default:
      return null;
  }
  if (value === null) return "null";
  if (open.has(value) || !isPlainOrArray(value)) return null;
  open.add(value);
  try {
    let out = "";
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        // A hole reads as undefined, which has no JSON text (JSON.stringify would write null).
        const item = (value as unknown[])[i];
        const text = item === undefined ? null : write(item, String(i), open);
        if (text === null) return null;
        out += i === 0 ? text : `,${text}`;
      }
      return `[${out}]`;
    }
    const record = value as Record<string, unknown>;
    // Default sort: by UTF-16 code units, as RFC 8785 orders keys.
    for (const k of Object.keys(record).sort()) {
      const item = record[k];
      if (item === undefined) continue;
      const text = wellFormed(k) ? write(item, k, open) : null;
      if (text === null) return null;
      out += `${out === "" ? "" : ","}${JSON.stringify(k)}:${text}`;
    }
    return `{${out}}`;
  } finally {
    open.delete(value);
  }
}

/** Throws the CanonicalJsonError for the first part of `value` write() refused, by its path. */
function explain(input: unknown, path: string, open: Set<object>, key = ""): void {
  const value = applyToJSON(input, key);
  if (value === null || typeof value === "boolean") return;
  if (typeof value === "string") {
    if (!wellFormed(value)) throw new CanonicalJsonError(path, "holds a lone surrogate");
    return;
  }
  if (typeof value === "number") {
    if (Number.isFinite(value)) return;
    throw new CanonicalJsonError(path, `is ${value}, not a finite number`);
  }
  if (typeof value !== "object") {
    throw new CanonicalJsonError(path, `is ${describe(value)}, not JSON`);
  }
  if (open.has(value)) throw new CanonicalJsonError(path, "refers back to itself");
  if (!isPlainOrArray(value)) {
    throw new CanonicalJsonError(path, `is a ${describe(value)}, not a plain object`);
  }
  open.add(value);
  try {
    if (Array.isArray(value)) {
      // Array.from visits the holes of a sparse array, which forEach would skip.
      Array.from(value as unknown[], (item, i) => {
        if (item === undefined) throw new CanonicalJsonError(`${path}[${i}]`, "is undefined");
        explain(item, `${path}[${i}]`, open, String(i));
      });
      return;
    }
    for (const [k, item] of Object.entries(value)) {
      if (!wellFormed(k)) throw new CanonicalJsonError(path, "has a key with a lone surrogate");
      if (item !== undefined) explain(item, `${path}.${k}`, open, k);
    }
  } finally {
    open.delete(value);
  }
}

/**
 * No lone surrogate (RFC 8785 text is UTF-8, which cannot hold one). String.isWellFormed is
 * native in Node 20, but in TypeScript's ES2024 library, newer than the one this project targets.
 */
function wellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

/** What JSON.stringify serialises in place of `value`: its toJSON(key), when it has one. */
function applyToJSON(value: unknown, key: string): unknown {
  if (typeof value !== "object" || value === null) return value;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  return typeof toJSON === "function"
    ? (toJSON as (key: string) => unknown).call(value, key)
    : value;
}

/**
 * An array, or an object with no prototype but Object's (or none, as JSON.parse's "__proto__"
 * key needs): a Map, a class instance or a typed array would serialise as something else.
 */
function isPlainOrArray(value: object): boolean {
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return `a ${typeof value}`;
}
