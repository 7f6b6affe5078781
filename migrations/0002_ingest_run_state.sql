ALTER TABLE "ingest_runs" ALTER COLUMN "manifest_path" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "sources" ADD COLUMN "removed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "ingest_runs" ADD COLUMN "kind" text DEFAULT 'manifest' NOT NULL;--> statement-breakpoint
ALTER TABLE "ingest_runs" ADD COLUMN "source_id" text;--> statement-breakpoint
ALTER TABLE "ingest_runs" ADD COLUMN "process" text;--> statement-breakpoint
ALTER TABLE "ingest_runs" ADD COLUMN "status" text DEFAULT 'running' NOT NULL;--> statement-breakpoint
ALTER TABLE "ingest_runs" ADD COLUMN "heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "ingest_runs" ADD COLUMN "error" text;--> statement-breakpoint
-- Runs from before this migration: finished ones are finished, unfinished ones were killed.
UPDATE "ingest_runs" SET "status" = CASE WHEN "finished_at" IS NULL THEN 'aborted' ELSE 'finished' END, "heartbeat_at" = coalesce("finished_at", "started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "ingest_runs_one_running" ON "ingest_runs" USING btree ("status") WHERE status = 'running';