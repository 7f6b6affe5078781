import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SERVER_NODE_FLAGS } from "../../lab/bench/server-process.ts";

const scripts = (
  JSON.parse(readFileSync("package.json", "utf8")) as {
    scripts: Record<string, string>;
  }
).scripts;

/** The flags node gets before the server's entry point in a script, in order. */
function serverFlags(script: string): string[] {
  const match = /node ((?:--\S+ )*)--import tsx src\/main\.ts/.exec(script);
  if (!match) throw new Error(`no server start in: ${script}`);
  return match[1]!.trim().split(/\s+/).filter(Boolean);
}

describe("the server's node flags", () => {
  it("are the same for npm start, npm run serve and the bench's server", () => {
    expect(serverFlags(scripts.start!)).toEqual([...SERVER_NODE_FLAGS]);
    expect(serverFlags(scripts.serve!)).toEqual([...SERVER_NODE_FLAGS]);
  });
});
