-- AlterEnum
-- (PostgreSQL 12+ adds enum values inside a transaction; they are first used by later ones.)
ALTER TYPE "DeliveryStatus" ADD VALUE 'HELD';
ALTER TYPE "DeliveryStatus" ADD VALUE 'DIGESTED';

-- AlterTable
ALTER TABLE "alert_rule_channels" ADD COLUMN     "next_send_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "alert_rules" ADD COLUMN     "digest_minutes" INTEGER,
ADD COLUMN     "quiet_hours" JSONB;

-- AlterTable
ALTER TABLE "notification_deliveries" ADD COLUMN     "digest_id" UUID;

-- CreateTable
CREATE TABLE "alert_outbox" (
    "id" BIGSERIAL NOT NULL,
    "org_id" UUID NOT NULL,
    "app_id" INTEGER NOT NULL,
    "group_id" UUID NOT NULL,
    "created" BOOLEAN NOT NULL DEFAULT false,
    "regressed" BOOLEAN NOT NULL DEFAULT false,
    "unignored" BOOLEAN NOT NULL DEFAULT false,
    "occurrences" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_outbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "alert_outbox_created_at_idx" ON "alert_outbox"("created_at");

-- CreateIndex
CREATE INDEX "notification_deliveries_rule_id_channel_id_status_idx" ON "notification_deliveries"("rule_id", "channel_id", "status");

-- AddForeignKey
ALTER TABLE "alert_outbox" ADD CONSTRAINT "alert_outbox_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
