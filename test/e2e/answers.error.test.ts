import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, startHarness, type Harness } from "../support/harness.ts";
import { expectProblem } from "../support/problem.ts";

/** Bad input gets a problem document naming what is wrong; unknown ids are 404s. */
describe("HTTP errors", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness("pglite");
  });
  afterAll(async () => h?.close());

  it("names the missing field", async () => {
    const body = await expectProblem(await h.post("/v1/answers", {}), 400, "VALIDATION_FAILED");
    expect(body.invalidFields).toEqual([expect.objectContaining({ path: "question" })]);
  });

  it("names a field of the wrong type", async () => {
    const body = await expectProblem(
      await h.post("/v1/answers", { question: 42 }),
      400,
      "VALIDATION_FAILED",
    );
    expect(body.detail).toContain("question");
  });

  it("rejects unknown fields and empty source filters", async () => {
    const extra = await expectProblem(
      await h.post("/v1/answers", { question: "Basic plan price?", top: 3 }),
      400,
      "VALIDATION_FAILED",
    );
    expect(extra.detail).toContain("top");
    const empty = await expectProblem(
      await h.post("/v1/answers", { question: "Basic plan price?", sourceIds: [] }),
      400,
      "VALIDATION_FAILED",
    );
    expect(empty.invalidFields[0].path).toBe("sourceIds");
  });

  it("rejects a filter naming an unknown source", async () => {
    const body = await expectProblem(
      await h.post("/v1/answers", {
        question: "Basic plan price?",
        sourceIds: ["acme-handbook", "nope"],
      }),
      400,
      "VALIDATION_FAILED",
    );
    expect(body.detail).toContain("nope");
  });

  it("answers malformed JSON with a problem", async () => {
    await expectProblem(await h.post("/v1/answers", "{not json"), 400, "MALFORMED_JSON");
  });

  it("404s unknown answers, citations and routes", async () => {
    await expectProblem(await h.get("/v1/answers/ans_missing"), 404, "NOT_FOUND");
    await expectProblem(await h.get("/v1/citations/cit_missing"), 404, "NOT_FOUND");
    await expectProblem(await h.get("/v1/nothing-here"), 404, "NOT_FOUND");
  });

  it("serves its OpenAPI document and health probes", async () => {
    const doc = await json(await h.get("/openapi.json"));
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/v1/answers",
        "/v1/answers/{id}",
        "/v1/citations/{id}",
        "/v1/sources",
        "/v1/ingest-runs",
        "/v1/ingest-runs/{id}",
        "/healthz",
        "/readyz",
      ]),
    );
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(["IngestRun", "IngestRunRequest", "IngestProgress", "IngestSummary"]),
    );
    expect(Object.keys(doc.paths["/v1/ingest-runs"].post.responses)).toEqual(
      expect.arrayContaining(["202", "400", "409"]),
    );
    const health = await h.get("/healthz");
    expect(health.status).toBe(200);
    expect((await json(health)).indexedChunks).toBeGreaterThan(10);
    expect((await h.get("/readyz")).status).toBe(200);
  });
});
