-- AlterTable
ALTER TABLE "apps" ADD COLUMN     "analytics_opt_in" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "respect_do_not_track" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "devices" ADD COLUMN     "analytics_consent_at" TIMESTAMPTZ(3);
