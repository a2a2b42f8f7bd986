CREATE TABLE "voice_calls" (
	"call_id" text PRIMARY KEY NOT NULL,
	"caller_number" text,
	"status" text,
	"started_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"ended_reason" text,
	"summary" text,
	"transcript" text,
	"recording_url" text,
	"cost_usd" double precision,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "voice_tool_results" (
	"key" text PRIMARY KEY NOT NULL,
	"call_id" text,
	"name" text NOT NULL,
	"result" text,
	"is_error" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "voice_calls_caller_idx" ON "voice_calls" USING btree ("caller_number");--> statement-breakpoint
CREATE INDEX "orders_vapi_call_idx" ON "orders" USING btree ("vapi_call_id") WHERE vapi_call_id IS NOT NULL;