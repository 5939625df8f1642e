-- CreateTable
CREATE TABLE "gdpr_export_files" (
    "request_id" UUID NOT NULL,
    "org_id" UUID NOT NULL,
    "content" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "gdpr_export_files_pkey" PRIMARY KEY ("request_id")
);

-- CreateIndex
CREATE INDEX "gdpr_export_files_org_id_idx" ON "gdpr_export_files"("org_id");

-- AddForeignKey
ALTER TABLE "gdpr_export_files" ADD CONSTRAINT "gdpr_export_files_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
