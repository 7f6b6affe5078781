import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.ts";

/** The error loadConfig throws for `env`, failing the test if it does not throw. */
function configErrorOf(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe("loadConfig", () => {
  it("fills every default from an empty environment", () => {
    expect(loadConfig({})).toEqual({
      PORT: 3000,
      HOST: "127.0.0.1",
      VERITY_DATA_DIR: "./.verity",
      VERITY_MANIFEST: "sources/sources.json",
      VERITY_POLICY: "policy/default.json",
      VERITY_CHECKPOINT_INTERVAL_S: 60,
      VERITY_LEXICAL: "memory",
      LOG_LEVEL: "info",
    });
    expect(loadConfig({}).DATABASE_URL).toBeUndefined();
    expect(loadConfig({}).VERITY_THRESHOLD).toBeUndefined();
  });

  it("reads and coerces the values it is given", () => {
    const config = loadConfig({
      PORT: "8080",
      HOST: "0.0.0.0",
      DATABASE_URL: "postgresql://verity:secret@db:5432/verity",
      VERITY_THRESHOLD: "0.8",
      LOG_LEVEL: "debug",
    });
    expect(config.PORT).toBe(8080);
    expect(config.HOST).toBe("0.0.0.0");
    expect(config.DATABASE_URL).toBe("postgresql://verity:secret@db:5432/verity");
    expect(config.VERITY_THRESHOLD).toBe(0.8);
    expect(config.LOG_LEVEL).toBe("debug");
    expect(loadConfig({ DATABASE_URL: "postgres://localhost/v" }).DATABASE_URL).toBe(
      "postgres://localhost/v",
    );
  });

  it("ignores variables it does not know", () => {
    expect(loadConfig({ PATH: "/usr/bin", HOME: "/root" })).toEqual(loadConfig({}));
  });

  it("rejects a non-numeric PORT with a ConfigError naming PORT", () => {
    const error = configErrorOf({ PORT: "abc" });
    expect(error.name).toBe("ConfigError");
    expect(error.message).toMatch(/^Invalid configuration:/);
    expect(error.message).toContain("→ at PORT");
    expect(error.message).not.toMatch(/DATABASE_URL/);
  });

  it("rejects an out-of-range or fractional PORT", () => {
    expect(configErrorOf({ PORT: "65536" }).message).toContain("→ at PORT");
    expect(configErrorOf({ PORT: "80.5" }).message).toContain("→ at PORT");
    expect(loadConfig({ PORT: "65535" }).PORT).toBe(65535);
  });

  it("rejects a DATABASE_URL that is not a postgres URL, naming DATABASE_URL", () => {
    const error = configErrorOf({ DATABASE_URL: "mysql://localhost/verity" });
    expect(error.message).toContain(
      "✖ must be a postgres:// or postgresql:// URL\n  → at DATABASE_URL",
    );
    expect(error.message).not.toMatch(/\bPORT\b/);
  });

  it("names every bad variable at once", () => {
    const error = configErrorOf({
      PORT: "abc",
      DATABASE_URL: "localhost",
      VERITY_THRESHOLD: "2",
      LOG_LEVEL: "loud",
    });
    for (const name of ["PORT", "DATABASE_URL", "VERITY_THRESHOLD", "LOG_LEVEL"])
      expect(error.message).toContain(`→ at ${name}`);
  });

  it("treats an empty string as unset", () => {
    const config = loadConfig({
      PORT: "",
      HOST: "",
      DATABASE_URL: "",
      VERITY_THRESHOLD: "",
      LOG_LEVEL: "",
    });
    expect(config).toEqual(loadConfig({}));
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.VERITY_THRESHOLD).toBeUndefined();
  });

  it("treats an undefined entry as unset", () => {
    expect(loadConfig({ PORT: undefined, DATABASE_URL: undefined })).toEqual(loadConfig({}));
  });
});
