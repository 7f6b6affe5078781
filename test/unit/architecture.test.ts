import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The folder rules of the layout, checked on the source itself: serving and ingestion never
 * depend on the lab or the tests, run only with runtime dependencies, and no module imports
 * itself back through others. Routes validate, call a verb and map errors: no SQL, no other route.
 */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
};

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|mjs)$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** Specifiers of static and dynamic imports and re-exports (type-only ones included). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const specs = text.matchAll(/(?:from\s+|import\s*\(\s*|^import\s+)["']([^"']+)["']/gm);
  return [...specs].map((m) => m[1]!);
}

const resolveLocal = (file: string, spec: string) =>
  relative(ROOT, resolve(dirname(join(ROOT, file)), spec));

const packageOf = (spec: string) =>
  spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;

const SERVING = [...sourceFiles("src"), ...sourceFiles("ingest")];

describe("layout", () => {
  it("keeps src/ and ingest/ free of lab and test code", () => {
    const offenders = SERVING.flatMap((file) =>
      importsOf(file)
        .filter((s) => s.startsWith("."))
        .map((s) => resolveLocal(file, s))
        .filter((target) => /^(lab|test)\//.test(target))
        .map((target) => `${file} -> ${target}`),
    );
    expect(offenders).toEqual([]);
  });

  it("keeps src/ free of ingest/, but for the composition root", () => {
    // Serving code reaches ingestion through a port (src/ingestion/runs.ts); src/main.ts alone
    // plugs the pipeline in (ingest/service.ts), as it is what builds the running server.
    const COMPOSITION_ROOT = "src/main.ts";
    const offenders = sourceFiles("src").flatMap((file) =>
      importsOf(file)
        .filter((s) => s.startsWith("."))
        .map((s) => resolveLocal(file, s))
        .filter((target) => target.startsWith("ingest/"))
        .map((target) => `${file} -> ${target}`),
    );
    expect(offenders.filter((o) => !o.startsWith(`${COMPOSITION_ROOT} `))).toEqual([]);
    expect(offenders).toEqual([`${COMPOSITION_ROOT} -> ingest/service.ts`]);
  });

  it("serves with runtime dependencies only", () => {
    const allowed = new Set(Object.keys(pkg.dependencies));
    const offenders = SERVING.flatMap((file) =>
      importsOf(file)
        .filter((s) => !s.startsWith(".") && !s.startsWith("node:"))
        // Type-only packages vanish at run time; the one used here ships its own @types.
        .filter((s) => s !== "mdast")
        .filter((s) => !allowed.has(packageOf(s)))
        .map((s) => `${file} -> ${s}`),
    );
    expect(offenders).toEqual([]);
  });

  it("keeps the lab's tools from leaning on each other: only corpora/ and shared/ are common", () => {
    const tools = ["lab/eval/", "lab/bench/", "lab/training/"];
    const offenders = sourceFiles("lab").flatMap((file) =>
      importsOf(file)
        .filter((s) => s.startsWith("."))
        .map((s) => resolveLocal(file, s))
        .filter((target) => tools.some((tool) => target.startsWith(tool) && !file.startsWith(tool)))
        .map((target) => `${file} -> ${target}`),
    );
    expect(offenders).toEqual([]);
  });

  it("has no import cycles in src/, ingest/ or lab/", () => {
    const files = [...SERVING, ...sourceFiles("lab")];
    const known = new Set(files);
    const edges = new Map(
      files.map((file) => [
        file,
        importsOf(file)
          .filter((s) => s.startsWith("."))
          .map((s) => resolveLocal(file, s))
          .filter((target) => known.has(target)),
      ]),
    );
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "open") {
        cycles.push([...path.slice(path.indexOf(file)), file].join(" -> "));
        return;
      }
      state.set(file, "open");
      for (const next of edges.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, "done");
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it("keeps SQL and other routes out of route files", () => {
    const routes = sourceFiles("src/http/routes");
    expect(routes.length).toBeGreaterThanOrEqual(5);
    for (const file of routes) {
      const text = readFileSync(join(ROOT, file), "utf8");
      const targets = importsOf(file).map((s) => (s.startsWith(".") ? resolveLocal(file, s) : s));
      expect(targets.filter((t) => t.startsWith("drizzle-orm") || t.includes("db/schema"))).toEqual(
        [],
      );
      expect(targets.filter((t) => t.startsWith("src/http/routes/"))).toEqual([]);
      expect(text).not.toMatch(/\bsql`|\.select\(|\.insert\(|\.execute\(/);
    }
  });
});
