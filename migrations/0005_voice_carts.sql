CREATE TABLE "voice_carts" (
	"call_id" text PRIMARY KEY NOT NULL,
	"lines" jsonb NOT NULL,
	"placed_order_id" integer,
	"order_round" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "menu_items" ADD COLUMN "sold_out" boolean DEFAULT false NOT NULL;