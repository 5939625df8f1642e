-- AlterTable
ALTER TABLE "device_days" ADD COLUMN     "browser" TEXT,
ADD COLUMN     "country" CHAR(2),
ADD COLUMN     "device_model" TEXT,
ADD COLUMN     "last_seen_at" TIMESTAMPTZ(3),
ADD COLUMN     "os" TEXT;
