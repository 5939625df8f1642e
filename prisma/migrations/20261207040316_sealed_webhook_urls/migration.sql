-- AlterTable
ALTER TABLE "notification_channels" ADD COLUMN     "url_ciphertext" BYTEA;
