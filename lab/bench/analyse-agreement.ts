import { PGlite } from "@electric-sql/pglite";
import { analyseText, type LexemePositions } from "../../src/text/analyse.ts";
import { loadRealPassages, type Passage } from "./real-passages.ts";

/**
 * How often the in-process analysis (src/text/analyse.ts) gives exactly the tsvector PostgreSQL
 * gives: `npm run bench:analyse`. Compares every chunk of the real corpora with
 * to_tsvector('english', text) on PGlite (or on DATABASE_URL's server with --pg), lexemes with
 * their positions, and lists the tokens where the two differ.
 */
const BATCH = 500;

type Row = { i: number; lexeme: string; positions: number[] };

async function main(): Promise<void> {
  const passages = await loadRealPassages();
  const query = await openQuery();
  const byCorpus = new Map<string, { n: number; exact: number; multiset: number }>();
  const diffs = new Map<string, number>();
  const examples: string[] = [];
  let analyseMs = 0;
  for (let at = 0; at < passages.length; at += BATCH) {
    const batch = passages.slice(at, at + BATCH);
    const rows = await query(batch.map((p) => p.text));
    const theirs: LexemePositions[] = batch.map(() => new Map());
    for (const r of rows) theirs[r.i]!.set(r.lexeme, r.positions.map(Number));
    const t = performance.now();
    const ours = batch.map((p) => analyseText(p.text));
    analyseMs += performance.now() - t;
    batch.forEach((p, i) => compare(p, ours[i]!, theirs[i]!));
  }

  function compare(p: Passage, ours: LexemePositions, theirs: LexemePositions): void {
    const c = byCorpus.get(p.corpus) ?? { n: 0, exact: 0, multiset: 0 };
    byCorpus.set(p.corpus, c);
    c.n++;
    const key = (m: LexemePositions, pos: boolean) =>
      [...m]
        .map(([l, ps]) => `${l}:${pos ? ps.join(",") : ps.length}`)
        .sort()
        .join(" ");
    if (key(ours, false) === key(theirs, false)) c.multiset++;
    if (key(ours, true) === key(theirs, true)) return void c.exact++;
    for (const l of new Set([...ours.keys(), ...theirs.keys()])) {
      const a = ours.get(l)?.join(",") ?? "-";
      const b = theirs.get(l)?.join(",") ?? "-";
      if (a === b) continue;
      const d = `${l}: ours ${ours.get(l)?.length ?? 0} pg ${theirs.get(l)?.length ?? 0}`;
      diffs.set(d, (diffs.get(d) ?? 0) + 1);
    }
    if (examples.length < 8) examples.push(`${p.id}: ${p.text.slice(0, 160)}`);
  }

  let n = 0;
  let exact = 0;
  let multiset = 0;
  for (const [corpus, c] of byCorpus) {
    n += c.n;
    exact += c.exact;
    multiset += c.multiset;
    console.log(
      `${corpus}: ${c.n} chunks, exact (lexemes and positions) ${pct(c.exact, c.n)}, lexeme multiset ${pct(c.multiset, c.n)}`,
    );
  }
  console.log(`all: ${n} chunks, exact ${pct(exact, n)}, multiset ${pct(multiset, n)}`);
  console.log(`analyseText: ${(analyseMs / n).toFixed(3)} ms per chunk`);
  const top = [...diffs].sort((a, b) => b[1] - a[1]).slice(0, 30);
  if (top.length) console.log("differences (lexeme: count in ours / in pg, chunks):");
  for (const [d, count] of top) console.log(`  ${d}  x${count}`);
  for (const e of examples) console.log(`  e.g. ${e}`);
  await query.close();
}

function pct(a: number, n: number): string {
  return `${((100 * a) / Math.max(1, n)).toFixed(2)}% (${a})`;
}

async function openQuery(): Promise<
  ((texts: string[]) => Promise<Row[]>) & { close(): Promise<void> }
> {
  const sql = `select (e.i - 1)::int as i, u.lexeme, u.positions
    from unnest($1::text[]) with ordinality e(value, i)
    cross join lateral unnest(to_tsvector('english', e.value)) u`;
  if (process.argv.includes("--pg")) {
    const { default: postgres } = await import("postgres");
    const client = postgres(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test");
    const run = async (texts: string[]) => (await client.unsafe(sql, [texts])) as unknown as Row[];
    return Object.assign(run, { close: () => client.end() });
  }
  const db = await PGlite.create();
  const run = async (texts: string[]) => (await db.query<Row>(sql, [texts])).rows;
  return Object.assign(run, { close: () => db.close() });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
