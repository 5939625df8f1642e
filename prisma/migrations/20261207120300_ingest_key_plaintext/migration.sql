-- Ingest keys (pk_) are public: keep the key itself so the portal can show it again.
-- Keys created before this migration stay null (only their hash was kept); the portal
-- offers to create a new one for those.
-- AlterTable
ALTER TABLE "ingest_keys" ADD COLUMN     "plaintext" TEXT;
