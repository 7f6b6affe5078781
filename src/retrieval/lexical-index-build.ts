import { sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { queryRows } from "../db/query.ts";
import { analyseText } from "../text/analyse.ts";
import { createLexicalIndex, type LexicalDoc, type LexicalIndex } from "./lexical-index.ts";

/** Rows read per query while building: a page of chunks, not the whole corpus at once. */
const PAGE = 5000;

/**
 * The lexical index of every searchable chunk (current version, present document), with its
 * tenant and source. `from: "fts"` reads the stored tsvector (Postgres analysed it at ingest:
 * no analysis here); `from: "text"` analyses the text in process (src/text/analyse.ts), which
 * gives the same lexemes (100% of the real corpora's chunks on PGlite) without a tsvector.
 */
export async function buildLexicalIndex(
  db: Database,
  options: { from?: "fts" | "text" } = {},
): Promise<LexicalIndex> {
  return createLexicalIndex(await readLexicalDocs(db, options));
}

export async function readLexicalDocs(
  db: Database,
  { from = "fts", versionIds }: { from?: "fts" | "text"; versionIds?: readonly string[] } = {},
): Promise<LexicalDoc[]> {
  const docs: LexicalDoc[] = [];
  const only = versionIds
    ? sql`and v.id in (select jsonb_array_elements_text(${JSON.stringify(versionIds)}::jsonb))`
    : sql``;
  for (let after = ""; ;) {
    const rows = await queryRows<{ id: string; body: string; source_id: string; tenant: string }>(
      db,
      sql`
        select c.id, ${from === "fts" ? sql`c.fts::text` : sql`c.text`} as body,
               d.source_id, s.tenant
        from chunks c
        join document_versions v on v.id = c.version_id and v.superseded_at is null
        join documents d on d.id = v.document_id and d.removed_at is null
        join sources s on s.id = d.source_id
        where c.id > ${after} ${only}
        order by c.id
        limit ${PAGE}`,
    );
    for (const r of rows) {
      const terms =
        from === "fts"
          ? parseTsvector(r.body)
          : new Map([...analyseText(r.body)].map(([l, p]) => [l, p.length]));
      docs.push({ chunkId: r.id, tenant: r.tenant, sourceId: r.source_id, terms });
    }
    if (rows.length < PAGE) return docs;
    after = rows[rows.length - 1]!.id;
  }
}

/**
 * Lexeme -> number of positions, from a tsvector's text form: `'lexeme':1,5 'other':3A`, where
 * a quote inside a lexeme is doubled and a backslash escapes the next character.
 */
export function parseTsvector(text: string): Map<string, number> {
  const out = new Map<string, number>();
  let i = 0;
  while (i < text.length) {
    if (text[i] !== "'") {
      i++;
      continue;
    }
    let lexeme = "";
    for (i++; i < text.length; i++) {
      const ch = text[i]!;
      if (ch === "\\") lexeme += text[++i] ?? "";
      else if (ch === "'" && text[i + 1] === "'") lexeme += text[i++];
      else if (ch === "'") break;
      else lexeme += ch;
    }
    i++;
    let count = 0;
    if (text[i] === ":") {
      count = 1;
      for (i++; i < text.length && text[i] !== " "; i++) if (text[i] === ",") count++;
    }
    out.set(lexeme, count);
  }
  return out;
}
