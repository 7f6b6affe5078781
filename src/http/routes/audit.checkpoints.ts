import { createRoute, z } from "@hono/zod-openapi";
import { AppError } from "../../errors.ts";
import { SignedCheckpoint, toSignedCheckpoint } from "../../ledger/checkpoint.ts";
import { listCheckpoints } from "../../ledger/records.ts";
import { publicKeyPem } from "../../ledger/signing-key.ts";
import { requiresScope } from "../middleware/auth.ts";
import { problemResponses } from "../openapi-schemas.ts";
import type { App, RouteDeps } from "../types.ts";

const HexHash = z.string().regex(/^[0-9a-f]{64}$/);

const CheckpointWithProof = SignedCheckpoint.extend({
  createdAt: z.string(),
  consistency: z
    .object({
      fromTreeSize: z.number().int(),
      proof: z.array(HexHash),
    })
    .nullable()
    .openapi({
      description:
        "RFC 9162 consistency proof from the next older checkpoint listed (or `before`'s page) to this one; null for the oldest",
    }),
}).openapi("LedgerCheckpoint");

const Checkpoints = z
  .object({
    publicKey: z.object({ name: z.string(), keyId: z.string(), pem: z.string() }).openapi({
      description:
        "The key the checkpoints verify with. Pin it out of band: a key read from the server being audited proves nothing about that server.",
    }),
    treeSize: z.number().int().openapi({ description: "Records in the ledger now" }),
    checkpoints: z.array(CheckpointWithProof),
    next: z.string().nullable().openapi({ description: "`before` for the next (older) page" }),
  })
  .openapi("LedgerCheckpoints");

const Query = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before: z.coerce.number().int().min(1).optional(),
});

export const route = createRoute({
  method: "get",
  path: "/v1/audit/checkpoints",
  ...requiresScope("audit"),
  summary: "Signed ledger checkpoints, newest first, with consistency proofs between them",
  request: { query: Query },
  responses: {
    200: { description: "Checkpoints", content: { "application/json": { schema: Checkpoints } } },
    ...problemResponses(400, 401, 403, 503),
  },
});

export function registerListCheckpoints(app: App, deps: RouteDeps) {
  app.openapi(route, async (c) => {
    const { limit, before } = c.req.valid("query");
    const signer = deps.ledger.signer;
    if (!signer) throw new AppError("NOT_READY", "The ledger has no signing key.");
    // One more than the page: the oldest listed needs its predecessor for a consistency proof.
    const rows = await listCheckpoints(deps.db, limit + 1, before);
    const tree = await deps.ledger.tree();
    const page = rows.slice(0, limit);
    const checkpoints = page.map((row, i) => {
      const older = rows[i + 1];
      return {
        ...toSignedCheckpoint(row.note),
        createdAt: row.createdAt.toISOString(),
        consistency: older
          ? {
              fromTreeSize: older.treeSize,
              proof: tree
                .consistencyProof(older.treeSize, row.treeSize)
                .map((h) => h.toString("hex")),
            }
          : null,
      };
    });
    return c.json(
      {
        publicKey: { name: signer.name, keyId: signer.keyId, pem: publicKeyPem(signer) },
        treeSize: tree.size,
        checkpoints,
        next: rows.length > limit ? String(page.at(-1)!.treeSize) : null,
      },
      200,
    );
  });
}
