import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostileRequest, judgeResponse, sendHostile } from "../../lab/faults/hostile-requests.ts";
import { createFakeEmbedder } from "../support/fake-embedder.ts";
import { startHarness, type Harness } from "../support/harness.ts";

/**
 * Generated hostile requests to every endpoint (NUL, lone surrogates, broken escapes in path
 * ids, control and bidi characters, huge strings, invalid JSON, wrong types): the API answers
 * each with a 2xx or a 4xx problem document, never a 5xx. `npm run faults:fuzz` sends thousands
 * over HTTP to a served store.
 */
describe("hostile text in every field", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness("pglite", {
      embedder: createFakeEmbedder(64),
      template: "empty",
    });
    await harness.ingest();
  });
  afterAll(() => harness?.close());

  it("never answers 5xx, and every 4xx is problem+json", async () => {
    await fc.assert(
      fc.asyncProperty(hostileRequest, async (request) => {
        const res = await sendHostile(request, (path, init) => harness.app.request(path, init));
        const wrong = await judgeResponse(res);
        expect(wrong, `${request.endpoint} ${request.path.slice(0, 200)}`).toBeNull();
      }),
      { numRuns: 300 },
    );
  }, 120_000);
});
