-- AlterTable
ALTER TABLE "rollup_dirty_hours" ADD COLUMN     "first_marked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
