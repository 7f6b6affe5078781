import { describe, expect, it } from "vitest";
import { isUtf8JsonType } from "../../src/http/middleware/json-only.ts";
import { nodeServerTimeouts } from "../../src/http/middleware/timeouts.ts";
import { DEFAULT_BODY_TIMEOUT_MS, DEFAULT_MAX_BODY_BYTES, loadConfig } from "../../src/config.ts";

describe("isUtf8JsonType", () => {
  it("accepts application/json alone or with charset=utf-8, in any case and quoting", () => {
    for (const type of [
      "application/json",
      "APPLICATION/JSON",
      "application/json; charset=utf-8",
      "application/json;charset=UTF-8",
      'application/json; charset="utf-8"',
      " application/json;charset=utf-8 ",
    ])
      expect(isUtf8JsonType(type), type).toBe(true);
  });

  it("refuses other charsets, other parameters and other media types", () => {
    for (const type of [
      "",
      "application/json; charset=utf-16",
      "application/json; charset=utf8",
      "application/json; charset=utf-8; charset=latin1",
      "application/json; charset = utf-8",
      'application/json; charset="utf-8',
      "application/json ; charset=utf-8",
      "application/json;",
      "application/json; version=1",
      "application/json-seq",
      "application/jsonx",
      "application/ld+json",
      "text/json",
      "application/json, text/plain",
    ])
      expect(isUtf8JsonType(type), type).toBe(false);
  });
});

describe("limits configuration", () => {
  it("reads VERITY_MAX_BODY_BYTES and VERITY_BODY_TIMEOUT_MS, unset by default", () => {
    expect(loadConfig({}).VERITY_MAX_BODY_BYTES).toBeUndefined();
    expect(DEFAULT_MAX_BODY_BYTES).toBe(65_536);
    expect(DEFAULT_BODY_TIMEOUT_MS).toBe(10_000);
    const config = loadConfig({ VERITY_MAX_BODY_BYTES: "1024", VERITY_BODY_TIMEOUT_MS: "300" });
    expect(config).toMatchObject({ VERITY_MAX_BODY_BYTES: 1024, VERITY_BODY_TIMEOUT_MS: 300 });
  });

  it("stops start-up on a limit that is not a positive whole number", () => {
    for (const [name, value] of [
      ["VERITY_MAX_BODY_BYTES", "0"],
      ["VERITY_MAX_BODY_BYTES", "64k"],
      ["VERITY_BODY_TIMEOUT_MS", "1.5"],
      ["VERITY_BODY_TIMEOUT_MS", "-1"],
    ])
      expect(() => loadConfig({ [name!]: value }), `${name}=${value}`).toThrow(name);
  });

  it("gives Node's server room for headers, then the body, checked every second", () => {
    const options = nodeServerTimeouts({ bodyMs: 10_000 });
    expect(options).toEqual({
      headersTimeout: 10_000,
      requestTimeout: 20_000,
      connectionsCheckingInterval: 1_000,
    });
    // Node refuses a headersTimeout over requestTimeout.
    expect(options.headersTimeout).toBeLessThanOrEqual(options.requestTimeout!);
  });
});
