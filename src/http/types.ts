import type { OpenAPIHono } from "@hono/zod-openapi";
import type { RequestIdVariables } from "hono/request-id";
import type { AnswerDeps } from "../answer/compose.ts";
import type { Database } from "../db/client.ts";
import type { IndexHolder } from "../retrieval/index-holder.ts";

export type AppEnv = { Variables: RequestIdVariables };
export type App = OpenAPIHono<AppEnv>;

/** What the routes need: built by createDeps, or by a test harness. */
export type RouteDeps = Omit<AnswerDeps, "searchable"> & { db: Database; index: IndexHolder };
