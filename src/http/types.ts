import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Logger } from "pino";
import type { AnswerDeps } from "../answer/compose.ts";
import type { AccessControl, Caller } from "../auth/access.ts";
import type { Ingestion } from "../ingestion/runs.ts";
import type { Ledger } from "../ledger/ledger.ts";

/**
 * `requestId`: the request's id, set first for every request (middleware/request-id.ts).
 * `caller`: who the request is, set by the authenticate middleware on every /v1 route.
 */
export type AppEnv = { Variables: { requestId: string; caller: Caller } };
export type App = OpenAPIHono<AppEnv>;

/**
 * What the routes read: answering's needs, a logger, access control (createDeps's Deps has them)
 * and ingestion, which the composition root adds (its implementation lives in ingest/, beyond
 * src/'s reach).
 */
export type RouteDeps = AnswerDeps & {
  logger: Logger;
  ingestion: Ingestion;
  access: AccessControl;
  ledger: Ledger;
};
