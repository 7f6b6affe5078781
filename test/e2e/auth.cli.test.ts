import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { createAccessControl } from "../../src/auth/access.ts";
import { hashApiKey } from "../../src/auth/keys.ts";
import { openDatabase } from "../../src/db/client.ts";
import { copyTemplateStore } from "../support/databases.ts";
import { runTsx } from "../support/run-tsx.ts";

/** A data directory of this test's own holding an empty, migrated embedded store. */
async function emptyStore(): Promise<{ dataDir: string; env: Record<string, string> }> {
  const dir = await mkdtemp(join(tmpdir(), "verity-keys-"));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const dataDir = join(dir, "data");
  await copyTemplateStore("pglite", "empty", join(dataDir, "pglite"));
  return { dataDir, env: { VERITY_DATA_DIR: dataDir, DATABASE_URL: "", LOG_LEVEL: "info" } };
}

/** What a key's token does against the store now, read as the server would read it. */
async function authenticateIn(dataDir: string, token: string) {
  const handle = await openDatabase({ dataDir: join(dataDir, "pglite") });
  try {
    const access = createAccessControl({ db: handle.db, host: "127.0.0.1" });
    return await access.authenticate(`Bearer ${token}`);
  } finally {
    await handle.close();
  }
}

/** `npm run keys` and the server's start-up rule, as processes on the embedded store. */
describe("API keys from the command line", () => {
  it("creates a key printed once, lists keys without secrets, and revokes", async () => {
    const { dataDir, env } = await emptyStore();
    const keys = (...args: string[]) => runTsx(["src/cli/keys.ts", ...args], env, 60_000);

    const created = await keys(
      "create",
      "--tenant",
      "acme",
      "--scopes",
      "answer,ingest",
      "--name",
      "ci bot",
      "--by",
      "alice",
    );
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^vk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const id = `key_${token.slice(3, 19)}`;
    expect(created.stderr).toContain(`Created ${id}`);
    expect(created.stderr).toContain("shown this once");
    // The creation is recorded in the log, without the secret.
    expect(created.stderr).toMatch(
      /"event":"api_key.created".*"keyId":"key_[0-9a-f]{16}".*"by":"alice"/,
    );
    expect(created.stderr).not.toContain(token.slice(20));
    expect(await authenticateIn(dataDir, token)).toEqual({
      keyId: id,
      tenant: "acme",
      scopes: ["answer", "ingest"],
    });

    const revoked = await keys("revoke", id, "--by", "bob");
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(`Revoked ${id}`);
    expect(revoked.stderr).toMatch(/"event":"api_key.revoked".*"by":"bob"/);
    expect(await authenticateIn(dataDir, token)).toEqual({ refused: "revoked" });

    const listed = await keys("list");
    expect(listed.code, listed.stderr).toBe(0);
    const [header, row, ...more] = listed.stdout.trim().split("\n");
    expect(header).toMatch(/^id\s+tenant\s+scopes\s+name\s+created\s+revoked$/);
    expect(more).toEqual([]);
    expect(row).toMatch(new RegExp(`^${id}\\s+acme\\s+answer,ingest\\s+ci bot\\s+\\S+Z\\s+\\S+Z$`));
    for (const output of [listed.stdout, listed.stderr, revoked.stdout, revoked.stderr]) {
      expect(output).not.toContain(token.slice(20));
      expect(output).not.toContain(hashApiKey(token));
    }

    const unknown = await keys("revoke", "key_0000000000000000");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("No API key with id key_0000000000000000");
  }, 180_000);

  it("refuses to serve beyond loopback with no key, saying why", async () => {
    const exposed = await emptyStore();
    const refused = await runTsx(
      ["src/main.ts"],
      { ...exposed.env, HOST: "0.0.0.0", PORT: "0" },
      90_000,
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("Verity never serves beyond loopback without keys");
    expect(refused.stderr).toContain("npm run keys -- create");
  }, 180_000);
});
