import { createRoute, z } from "@hono/zod-openapi";
import { findRecordedAnswer } from "../../answer/record.ts";
import { AppError } from "../../errors.ts";
import { AnswerProof } from "../../ledger/answer-proof.ts";
import { toSignedCheckpoint } from "../../ledger/checkpoint.ts";
import { readRecord } from "../../ledger/records.ts";
import { requiresScope } from "../middleware/auth.ts";
import { problemResponses } from "../openapi-schemas.ts";
import { safeText } from "../../text/safe-text.ts";
import type { App, RouteDeps } from "../types.ts";

const Params = z.object({
  answerId: safeText(z.string().min(1).max(100)).openapi({
    param: { name: "answerId", in: "path" },
    example: "ans_...",
  }),
});

export const route = createRoute({
  method: "get",
  path: "/v1/audit/proof/{answerId}",
  ...requiresScope("audit"),
  summary: "An answer's inclusion proof against the latest signed checkpoint",
  description:
    "Everything needed to check offline, with the ledger's public key only, that this exact answer body is in the ledger: `npm run audit -- verify-answer FILE` on this response.",
  request: { params: Params },
  responses: {
    200: {
      description: "The answer body, its ledger record, the inclusion proof and the checkpoint",
      content: { "application/json": { schema: AnswerProof } },
    },
    ...problemResponses(401, 403, 404, 503),
  },
});

export function registerGetAnswerProof(app: App, deps: RouteDeps) {
  app.openapi(route, async (c) => {
    const { answerId } = c.req.valid("param");
    const { tenant } = c.get("caller");
    const row = await findRecordedAnswer(deps.db, answerId, tenant);
    if (!row) throw new AppError("NOT_FOUND", `No answer with id ${answerId}.`);
    if (row.ledgerIndex === null || row.body === null)
      throw new AppError("NOT_FOUND", `Answer ${answerId} was recorded before the ledger.`);
    const record = await readRecord(deps.db, row.ledgerIndex);
    if (!record) throw new Error(`ledger record ${row.ledgerIndex} of ${answerId} is missing`);
    const checkpoint = await deps.ledger.checkpointCovering(row.ledgerIndex + 1);
    if (!checkpoint || checkpoint.treeSize <= row.ledgerIndex)
      throw new AppError("NOT_READY", "The ledger has no signing key, so nothing can be proven.");
    const tree = await deps.ledger.tree();
    const proof: AnswerProof = {
      answerId,
      body: row.body,
      entry: record.entry,
      leafIndex: row.ledgerIndex,
      treeSize: checkpoint.treeSize,
      inclusion: tree
        .inclusionProof(row.ledgerIndex, checkpoint.treeSize)
        .map((h) => h.toString("hex")),
      checkpoint: toSignedCheckpoint(checkpoint.note),
    };
    return c.json(proof, 200);
  });
}
