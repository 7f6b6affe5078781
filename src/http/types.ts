import type { OpenAPIHono } from "@hono/zod-openapi";
import type { RequestIdVariables } from "hono/request-id";
import type { Logger } from "pino";
import type { AnswerDeps } from "../answer/compose.ts";
import type { Ingestion } from "../ingestion/runs.ts";

export type AppEnv = { Variables: RequestIdVariables };
export type App = OpenAPIHono<AppEnv>;

/**
 * What the routes read: answering's needs, a logger (createDeps's Deps has both) and ingestion,
 * which the composition root adds (its implementation lives in ingest/, beyond src/'s reach).
 */
export type RouteDeps = AnswerDeps & { logger: Logger; ingestion: Ingestion };
