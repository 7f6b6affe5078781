import * as crypto from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import {
  API_KEY_PATTERN,
  generateApiKey,
  hashApiKey,
  hasScope,
  parseApiKey,
  parseScopes,
  verifyApiKey,
} from "../../src/auth/keys.ts";
import { ConfigError, loadConfig } from "../../src/config.ts";

// Spied on, not replaced: the test counts the comparisons verifyApiKey makes.
vi.mock("node:crypto", async (importOriginal) => {
  const original = await importOriginal<typeof import("node:crypto")>();
  return { ...original, timingSafeEqual: vi.fn(original.timingSafeEqual) };
});

/** A token as a client would send it, fixed so its hash can be written down. */
const FIXED = "vk_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

describe("API keys", () => {
  it("are vk_<16 hex>_<secret> with 32 random bytes of base64url secret, never twice alike", () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.token).toMatch(API_KEY_PATTERN);
    const [, hex, secret] = API_KEY_PATTERN.exec(a.token)!;
    expect(a.id).toBe(`key_${hex}`);
    expect(Buffer.from(secret!, "base64url")).toHaveLength(32);
    expect(Buffer.from(secret!, "base64url").toString("base64url")).toBe(secret);
    expect(b.token).not.toBe(a.token);
    expect(b.id).not.toBe(a.id);
  });

  it("store the sha256 of the whole token, never the token", () => {
    const key = generateApiKey();
    expect(key.secretSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(key.secretSha256).toBe(hashApiKey(key.token));
    // Computed elsewhere (printf %s TOKEN | sha256sum), so the digest is the one a user can check.
    expect(hashApiKey(FIXED)).toBe(
      "e0e15f2802f41d77942f490a7cb19764897f4c64003e1dfd4405c8f00ff899d6",
    );
  });

  it("parse only well-formed tokens, naming the row they belong to", () => {
    expect(parseApiKey(FIXED)).toEqual({ id: "key_0123456789abcdef" });
    for (const bad of [
      "",
      FIXED.replace("vk_", "sk_"),
      FIXED.slice(0, -1),
      `${FIXED}A`,
      FIXED.replace("0123456789abcdef", "0123456789ABCDEF"),
      FIXED.replace(/A$/, "="),
      FIXED.replace(/A$/, "+"),
      ` ${FIXED}`,
      `${FIXED}\n`,
    ])
      expect(parseApiKey(bad), JSON.stringify(bad)).toBeNull();
  });

  it("verify the right token only", () => {
    const key = generateApiKey();
    expect(verifyApiKey(key.token, key.secretSha256)).toBe(true);
    const other = generateApiKey();
    expect(verifyApiKey(other.token, key.secretSha256)).toBe(false);
    const sameIdOtherSecret = key.token.slice(0, -2) + (key.token.endsWith("AA") ? "BB" : "AA");
    expect(verifyApiKey(sameIdOtherSecret, key.secretSha256)).toBe(false);
    expect(verifyApiKey(key.token, key.secretSha256.toUpperCase())).toBe(true);
  });

  it("take one constant-time comparison of equal-length digests whatever the outcome", () => {
    const key = generateApiKey();
    const spy = vi.mocked(crypto.timingSafeEqual);
    const cases: [string, string | null, boolean][] = [
      [key.token, key.secretSha256, true], // the key
      [generateApiKey().token, key.secretSha256, false], // a wrong secret
      [key.token, null, false], // no such key: still compared, against a stand-in
      [key.token, "abc", false], // a damaged stored hash: compared, never thrown on
      [key.token, "0".repeat(64), false], // the stand-in itself never matches a missing key
    ];
    for (const [token, stored, expected] of cases) {
      spy.mockClear();
      expect(verifyApiKey(token, stored)).toBe(expected);
      expect(spy).toHaveBeenCalledTimes(1);
      const [a, b] = spy.mock.calls[0]! as [Buffer, Buffer];
      expect([a.length, b.length]).toEqual([32, 32]);
    }
  });

  it("grant a scope to keys holding it or admin", () => {
    expect(hasScope(["answer"], "answer")).toBe(true);
    expect(hasScope(["answer"], "ingest")).toBe(false);
    expect(hasScope(["admin"], "ingest")).toBe(true);
    expect(hasScope(["admin"], "audit")).toBe(true);
    expect(hasScope([], "answer")).toBe(false);
  });

  it("are the only thing VERITY_BOOTSTRAP_KEY accepts", () => {
    const { token } = generateApiKey();
    expect(loadConfig({ VERITY_BOOTSTRAP_KEY: token }).VERITY_BOOTSTRAP_KEY).toBe(token);
    expect(loadConfig({}).VERITY_BOOTSTRAP_KEY).toBeUndefined();
    for (const bad of ["secret", token.slice(0, -1), `${token} `]) {
      const error = (() => {
        try {
          loadConfig({ VERITY_BOOTSTRAP_KEY: bad });
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain("→ at VERITY_BOOTSTRAP_KEY");
      // A start-up message never echoes a secret, even a malformed one.
      if (bad.length > 40) expect((error as Error).message).not.toContain(bad.slice(20, 40));
    }
  });

  it("read scope lists, refusing unknown names and empty lists", () => {
    expect(parseScopes("answer, ingest,answer")).toEqual({ scopes: ["answer", "ingest"] });
    expect(parseScopes("answer,root")).toEqual({ error: expect.stringContaining("root") });
    expect(parseScopes(" , ")).toEqual({ error: expect.stringContaining("no scope") });
  });
});
