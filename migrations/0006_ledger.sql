CREATE TABLE "audit_records" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"subject" text,
	"tenant" text NOT NULL,
	"key_id" text,
	"request_id" text,
	"created_at" timestamp with time zone NOT NULL,
	"entry" text NOT NULL,
	"leaf_hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_checkpoints" (
	"tree_size" bigint PRIMARY KEY NOT NULL,
	"root_hash" text NOT NULL,
	"key_id" text NOT NULL,
	"note" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reviews" (
	"id" text PRIMARY KEY NOT NULL,
	"answer_id" text NOT NULL,
	"verdict" text NOT NULL,
	"note" text,
	"tenant" text NOT NULL,
	"key_id" text,
	"ledger_index" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "answers" ADD COLUMN "body" text;--> statement-breakpoint
ALTER TABLE "answers" ADD COLUMN "ledger_index" bigint;--> statement-breakpoint
ALTER TABLE "answers" ADD COLUMN "policy_hash" text;--> statement-breakpoint
ALTER TABLE "answers" ADD COLUMN "review_reason" text;--> statement-breakpoint
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_answer_id_answers_id_fk" FOREIGN KEY ("answer_id") REFERENCES "public"."answers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_records_subject_idx" ON "audit_records" USING btree ("kind","subject");--> statement-breakpoint
CREATE INDEX "reviews_answer_idx" ON "reviews" USING btree ("answer_id");--> statement-breakpoint
CREATE INDEX "answers_review_idx" ON "answers" USING btree ("review_reason");