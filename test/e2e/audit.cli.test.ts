import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.ts";
import { verifyExtract } from "../../src/ledger/extract.ts";
import { loadLedgerPublicKey } from "../../src/ledger/signing-key.ts";
import { storeKinds } from "../support/databases.ts";
import { useRealEncoder } from "../support/encoder.ts";
import { json, startHarness, type Harness } from "../support/harness.ts";
import { runTsx } from "../support/run-tsx.ts";

const encoder = useRealEncoder();

/** `npm run audit` as a reviewer runs it, on a store a server wrote and then let go of. */
describe.each(storeKinds())("npm run audit on %s", (kind) => {
  let h: Harness;
  let env: Record<string, string>;
  let proofFile: string;
  const audit = (...args: string[]) => runTsx(["ingest/audit-cli.ts", ...args], env, 90_000);

  /** Change the store behind the CLI's back, as someone with database access could. */
  async function tamper(statement: ReturnType<typeof sql>): Promise<void> {
    const url = h.deps.config.DATABASE_URL;
    const handle = await openDatabase(
      url ? { url } : { dataDir: join(h.deps.config.VERITY_DATA_DIR, "pglite") },
    );
    try {
      await handle.db.execute(statement);
    } finally {
      await handle.close();
    }
  }

  beforeAll(async () => {
    h = await startHarness(kind, { embedder: encoder() });
    const { id } = await json(
      await h.post("/v1/answers", { question: "How much does the Basic plan cost?" }),
    );
    proofFile = join(h.dir, "proof.json");
    await writeFile(proofFile, await (await h.get(`/v1/audit/proof/${id}`)).text());
    // The embedded store has one owner: the server lets go before the CLI opens it.
    await h.deps.close();
    env = {
      VERITY_DATA_DIR: h.deps.config.VERITY_DATA_DIR,
      DATABASE_URL: h.deps.config.DATABASE_URL ?? "",
      LOG_LEVEL: "warn",
    };
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  it("verifies an intact ledger, an answer proof and an extract, and fails each one altered", async () => {
    const witness = join(h.dir, "witness.json");
    const intact = await audit("verify", "--witness", witness);
    expect(intact.stdout).toContain("The ledger is intact.");
    expect(intact.code).toBe(0);

    const answer = await audit("verify-answer", proofFile);
    expect(answer.code).toBe(0);
    const proof = JSON.parse(await readFile(proofFile, "utf8"));
    const altered = join(h.dir, "altered.json");
    await writeFile(altered, JSON.stringify({ ...proof, body: proof.body.replace("$8", "$1") }));
    const refused = await audit("verify-answer", altered);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/FAIL response/);

    const extract = join(h.dir, "extract.jsonl");
    expect((await audit("export", "--from", "0", "--to", "2", "--out", extract)).code).toBe(0);
    expect((await audit("verify-export", extract)).stdout).toContain("2 records verified.");
    // A record of the extract altered: the extract alone, with the public key, says so.
    const lines = (await readFile(extract, "utf8")).split("\n");
    lines[2] = lines[2]!.replace('\\"v\\":1', '\\"v\\":1 ');
    const checked = verifyExtract(
      lines,
      loadLedgerPublicKey(`${env.VERITY_DATA_DIR}/ledger.key.pub`),
    );
    expect(checked.problems).toContain("record 1: not included under the checkpoint");
    expect(checked.problems.every((p) => p.startsWith("record 1: "))).toBe(true);

    // A record deleted: named as the first bad one, and the command fails.
    await tamper(sql`delete from audit_records where seq = 1`);
    const broken = await audit("verify", "--witness", witness);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/FAIL first bad: record 1: record 1 is missing/);
  }, 300_000);

  it("re-reads the source files and catches a consistent rewrite of the stored text", async () => {
    expect((await audit("verify-sources")).code).toBe(0);
    await tamper(
      sql`update document_versions set text = replace(text, '$8 per user', '$1 per user'),
          text_sha256 = encode(sha256(convert_to(replace(text, '$8 per user', '$1 per user'), 'UTF8')), 'hex')
          where text like '%$8 per user%' and superseded_at is null`,
    );
    const caught = await audit("verify-sources");
    expect(caught.code).toBe(1);
    expect(caught.stdout).toMatch(/text_mismatch\s+\S+billing\.md/);
  }, 180_000);
});
