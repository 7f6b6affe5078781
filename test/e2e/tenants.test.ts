import { cp, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Answer } from "../../src/answer/schema.ts";
import { createApiKey } from "../../src/auth/manage.ts";
import { storeKinds } from "../support/databases.ts";
import { useRealEncoder } from "../support/encoder.ts";
import { json, startHarness, type Harness } from "../support/harness.ts";

const encoder = useRealEncoder();

/** Two tenants, one source each, with one distinctive fact each (sources.json names them). */
const CORPUS = new URL("../fixtures/tenants/", import.meta.url).pathname;

type Tenant = "alpha" | "beta";
const OTHER: Record<Tenant, Tenant> = { alpha: "beta", beta: "alpha" };
const SOURCE: Record<Tenant, string> = { alpha: "alpha-pricing", beta: "beta-pricing" };
const QUESTION: Record<Tenant, string> = {
  alpha: "How much does the Alpha plan cost per seat?",
  beta: "How much does the Beta plan cost per seat?",
};
const FACT: Record<Tenant, string> = {
  alpha: "The Alpha plan costs $11 per seat.",
  beta: "The Beta plan costs $13 per seat.",
};

type Call = { method: "GET" | "POST"; path: string; body?: unknown };

describe.each(storeKinds())("tenant isolation over HTTP on %s", (kind) => {
  let h: Harness;
  const key = {} as Record<Tenant, string>;
  /** What only a tenant may see: its source ids, facts, and the ids of its records. */
  const secrets: Record<Tenant, Set<string>> = { alpha: new Set(), beta: new Set() };
  const answers = {} as Record<Tenant, Answer>;
  let crossTenantRequests = 0;
  const leaks: string[] = [];

  const send = (tenant: Tenant, call: Call) => {
    const headers: Record<string, string> = { authorization: `Bearer ${key[tenant]}` };
    if (call.body !== undefined) headers["content-type"] = "application/json";
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    return Promise.resolve(h.app.request(call.path, { method: call.method, headers, body }));
  };

  /**
   * A request by `tenant` aimed at the other tenant's data: counted, and a leak when its reply
   * holds anything of the other tenant's that the request did not itself name.
   */
  async function crossTenant(tenant: Tenant, call: Call): Promise<Response> {
    crossTenantRequests += 1;
    const res = await send(tenant, call);
    const text = await res.clone().text();
    // A manifest the request points at is part of what it named: its source ids may be echoed.
    const manifest = (call.body as { manifest?: string } | undefined)?.manifest;
    const asked =
      call.path +
      JSON.stringify(call.body ?? "") +
      (manifest ? await readFile(manifest, "utf8") : "");
    for (const secret of secrets[OTHER[tenant]])
      if (text.includes(secret) && !asked.includes(secret))
        leaks.push(`${tenant} ${call.method} ${call.path}: ${res.status} shows "${secret}"`);
    return res;
  }

  /** A 404 problem as a missing id gives, whatever the id: only the id in `detail` differs. */
  async function expectSameAsMissing(tenant: Tenant, path: string, id: string, missing: string) {
    const theirs = await crossTenant(tenant, { method: "GET", path: path + id });
    const none = await send(tenant, { method: "GET", path: path + missing });
    expect(theirs.status).toBe(404);
    expect(none.status).toBe(404);
    expect(theirs.headers.get("content-type")).toBe(none.headers.get("content-type"));
    // Only the id itself (in `detail` and `instance`) and the request id may differ.
    const strip = (body: Record<string, unknown>, shown: string) =>
      JSON.parse(JSON.stringify({ ...body, requestId: "-" }).replaceAll(shown, "ID"));
    expect(strip(await json(theirs), id)).toEqual(strip(await json(none), missing));
  }

  async function waitForRun(tenant: Tenant, id: string) {
    for (let i = 0; i < 600; i++) {
      const run = await json(await send(tenant, { method: "GET", path: `/v1/ingest-runs/${id}` }));
      if (run.status !== "running") return run;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`run ${id} did not finish`);
  }

  beforeAll(async () => {
    h = await startHarness(kind, { embedder: encoder(), template: "empty" });
    const sources = join(h.dir, "sources");
    await rm(sources, { recursive: true, force: true });
    await cp(CORPUS, sources, { recursive: true });
    await h.ingest(); // as `npm run ingest` does: the manifest's tenants as written
    for (const tenant of ["alpha", "beta"] as const) {
      const made = await createApiKey(h.deps, { tenant, scopes: ["answer", "ingest"], by: "test" });
      key[tenant] = made.token;
      secrets[tenant].add(SOURCE[tenant]).add(FACT[tenant]);
    }
  }, 120_000);
  afterAll(async () => {
    console.log(
      `cross-tenant requests: ${crossTenantRequests}, leaks: ${leaks.length}`,
      leaks.length ? leaks : "",
    );
    await h?.close();
  });

  it("answers each tenant from its own source, and refuses the other tenant's fact", async () => {
    for (const tenant of ["alpha", "beta"] as const) {
      const own = await send(tenant, {
        method: "POST",
        path: "/v1/answers",
        body: { question: QUESTION[tenant] },
      });
      const answer = (await json(own)) as Answer;
      expect(own.status).toBe(200);
      expect(answer.status, JSON.stringify(answer.reason)).toBe("answered");
      expect(answer.citations.map((c) => c.sourceId)).toEqual([SOURCE[tenant]]);
      expect(answer.citations[0]!.quote).toContain(FACT[tenant].slice(0, -1));
      answers[tenant] = answer;
      secrets[tenant].add(answer.id);
      for (const c of answer.citations) secrets[tenant].add(c.id);

      const other = OTHER[tenant];
      const res = await crossTenant(tenant, {
        method: "POST",
        path: "/v1/answers",
        body: { question: QUESTION[other] },
      });
      const refused = (await json(res)) as Answer;
      expect(res.status).toBe(200);
      expect(refused.status).toBe("refused");
      expect(refused.citations).toEqual([]);
      // Asked with the other tenant's very words, the fact is still not theirs to see.
      const verbatim = await crossTenant(tenant, {
        method: "POST",
        path: "/v1/answers",
        body: { question: `Is it true that ${FACT[other]}` },
      });
      const verbatimAnswer = (await json(verbatim)) as Answer;
      expect(verbatimAnswer.citations.every((c) => c.sourceId === SOURCE[tenant])).toBe(true);
    }
  });

  it("names only the caller's languages when refusing a question in another", async () => {
    // Beta also has a German page; to alpha, whose sources are English only, German is foreign.
    const question = "Wie viel kostet der Beta-Tarif pro Arbeitsplatz und Monat?";
    const res = await crossTenant("alpha", {
      method: "POST",
      path: "/v1/answers",
      body: { question },
    });
    const answer = (await json(res)) as Answer;
    expect(answer.status).toBe("refused");
    expect(answer.reason?.code).toBe("UNSUPPORTED_LANGUAGE");
    expect(answer.reason?.message).toContain("the sources are in en.");
    const own = (await json(
      await send("beta", { method: "POST", path: "/v1/answers", body: { question } }),
    )) as Answer;
    expect(own.reason?.code).not.toBe("UNSUPPORTED_LANGUAGE");
  });

  it("reads another tenant's answers and citations as missing ids", async () => {
    for (const tenant of ["alpha", "beta"] as const) {
      const theirs = answers[OTHER[tenant]];
      const own = await send(tenant, { method: "GET", path: `/v1/answers/${answers[tenant].id}` });
      expect(own.status).toBe(200);
      await expectSameAsMissing(tenant, "/v1/answers/", theirs.id, "ans_missing");
      for (const c of theirs.citations)
        await expectSameAsMissing(tenant, "/v1/citations/", c.id, "cit_missing");
      const ownCitation = answers[tenant].citations[0]!.id;
      expect(
        (await send(tenant, { method: "GET", path: `/v1/citations/${ownCitation}` })).status,
      ).toBe(200);
    }
  });

  it("lists only the caller's sources, and treats the other tenant's source id as unknown", async () => {
    for (const tenant of ["alpha", "beta"] as const) {
      const list = await crossTenant(tenant, { method: "GET", path: "/v1/sources" });
      const { sources } = await json(list);
      expect(sources.map((s: { id: string }) => s.id)).toEqual([SOURCE[tenant]]);

      const other = SOURCE[OTHER[tenant]];
      const res = await crossTenant(tenant, {
        method: "POST",
        path: "/v1/answers",
        body: { question: QUESTION[OTHER[tenant]], sourceIds: [other] },
      });
      const unknown = await send(tenant, {
        method: "POST",
        path: "/v1/answers",
        body: { question: QUESTION[OTHER[tenant]], sourceIds: ["no-such-source"] },
      });
      expect(res.status).toBe(400);
      expect(unknown.status).toBe(400);
      const body = await json(res);
      expect(body.invalidFields).toEqual([
        { path: "sourceIds", message: `unknown source(s): ${other}` },
      ]);
      expect({ ...body, requestId: "-", detail: "-", invalidFields: "-" }).toEqual({
        ...(await json(unknown)),
        requestId: "-",
        detail: "-",
        invalidFields: "-",
      });
    }
  });

  it("keeps ingest runs and their sources within the caller's tenant", async () => {
    const untagged = join(h.dir, "sources", "untagged.json");
    const started = await send("alpha", {
      method: "POST",
      path: "/v1/ingest-runs",
      body: { manifest: untagged },
    });
    expect(started.status, await started.clone().text()).toBe(202);
    const run = await waitForRun("alpha", (await json(started)).id);
    expect(run.status).toBe("finished");
    secrets.alpha.add(run.id).add("alpha-support");
    // The untagged source became alpha's: alpha lists it, beta neither lists nor may use it.
    const alphaSources = await json(await send("alpha", { method: "GET", path: "/v1/sources" }));
    expect(alphaSources.sources.map((s: { id: string }) => s.id)).toEqual([
      "alpha-pricing",
      "alpha-support",
    ]);
    await expectSameAsMissing("beta", "/v1/ingest-runs/", run.id, "run_missing");
    const support = { question: "How quickly does Alpha support answer tickets?" };
    const supported = await send("alpha", { method: "POST", path: "/v1/answers", body: support });
    const answered = (await json(supported)) as Answer;
    expect(answered.status, JSON.stringify(answered.reason)).toBe("answered");
    expect(answered.citations.map((c) => c.sourceId)).toEqual(["alpha-support"]);
    secrets.alpha.add("four business hours");
    const asked = await crossTenant("beta", { method: "POST", path: "/v1/answers", body: support });
    expect(((await json(asked)) as Answer).status).toBe("refused");

    const betaLists = await json(await crossTenant("beta", { method: "GET", path: "/v1/sources" }));
    expect(betaLists.sources.map((s: { id: string }) => s.id)).toEqual(["beta-pricing"]);

    // Beta may not re-ingest alpha's untagged source, nor a manifest naming alpha, nor remove it.
    for (const body of [
      { manifest: untagged },
      { manifest: join(h.dir, "sources", "sources.json") },
      { removeSource: "alpha-support" },
    ]) {
      const res = await crossTenant("beta", { method: "POST", path: "/v1/ingest-runs", body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await json(res)).code).toBe("VALIDATION_FAILED");
    }
    // Alpha is refused the shared manifest too: it names beta's source.
    const shared = await crossTenant("alpha", {
      method: "POST",
      path: "/v1/ingest-runs",
      body: { manifest: join(h.dir, "sources", "sources.json") },
    });
    expect(shared.status).toBe(400);
    expect((await json(shared)).detail).toContain('names tenant "beta"');
    const stillAlpha = await json(await send("alpha", { method: "GET", path: "/v1/sources" }));
    expect(stillAlpha.sources).toHaveLength(2);
  });

  it("made every cross-tenant request without a leak", () => {
    expect(crossTenantRequests).toBeGreaterThanOrEqual(20);
    expect(leaks).toEqual([]);
  });
});
