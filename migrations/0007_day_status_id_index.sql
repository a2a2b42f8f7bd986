DROP INDEX "orders_business_date_idx";--> statement-breakpoint
CREATE INDEX "orders_day_status_id_idx" ON "orders" USING btree ("business_date","status","id");