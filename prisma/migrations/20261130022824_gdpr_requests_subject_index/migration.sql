-- CreateIndex
CREATE INDEX "gdpr_requests_org_id_app_id_subject_key_idx" ON "gdpr_requests"("org_id", "app_id", "subject_key");
