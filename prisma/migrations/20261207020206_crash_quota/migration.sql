-- AlterTable
ALTER TABLE "organizations" ADD COLUMN     "monthly_crash_quota" BIGINT NOT NULL DEFAULT 100000;
