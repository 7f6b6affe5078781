CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"secret_sha256" text NOT NULL,
	"tenant" text DEFAULT 'default' NOT NULL,
	"scopes" text[] NOT NULL,
	"name" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_secret_sha256_unique" UNIQUE("secret_sha256")
);
--> statement-breakpoint
ALTER TABLE "document_versions" ADD COLUMN "redactions" jsonb;--> statement-breakpoint
ALTER TABLE "chunks" ADD COLUMN "suspected_injection" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "api_keys_tenant_idx" ON "api_keys" USING btree ("tenant");