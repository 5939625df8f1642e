-- AlterTable
ALTER TABLE "notification_channels" ADD COLUMN     "consecutive_failures" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "flagged_at" TIMESTAMPTZ(3);
