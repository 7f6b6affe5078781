import type { OpenAPIHono } from "@hono/zod-openapi";
import type { RequestIdVariables } from "hono/request-id";
import type { Deps } from "../deps.ts";

export type AppEnv = { Variables: RequestIdVariables };
export type App = OpenAPIHono<AppEnv>;

/** What the routes need: the Deps createDeps builds, as they are. */
export type RouteDeps = Pick<
  Deps,
  "db" | "embedder" | "index" | "policy" | "verifier" | "logger"
>;
