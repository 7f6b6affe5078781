import { expect } from "vitest";
import { json } from "./harness.ts";

/** Assert an RFC 9457 problem response with this status and code; returns its body. */
export async function expectProblem(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  const body = await json(res);
  expect(body).toMatchObject({
    status,
    code,
    title: expect.any(String),
    detail: expect.any(String),
  });
  expect(body.requestId).toEqual(expect.any(String));
  return body;
}
