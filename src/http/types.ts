import type { OpenAPIHono } from "@hono/zod-openapi";
import type { RequestIdVariables } from "hono/request-id";
import type { Logger } from "pino";
import type { AnswerDeps } from "../answer/compose.ts";

export type AppEnv = { Variables: RequestIdVariables };
export type App = OpenAPIHono<AppEnv>;

/** What the routes read: answering's needs and a logger (createDeps's Deps is both). */
export type RouteDeps = AnswerDeps & { logger: Logger };
