-- AlterTable
ALTER TABLE "gdpr_export_files" DROP CONSTRAINT "gdpr_export_files_pkey",
ADD COLUMN     "part" INTEGER NOT NULL DEFAULT 0,
ADD CONSTRAINT "gdpr_export_files_pkey" PRIMARY KEY ("request_id", "part");
