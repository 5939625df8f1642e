-- CreateTable
CREATE TABLE "crash_group_devices" (
    "org_id" UUID NOT NULL,
    "group_id" UUID NOT NULL,
    "device_id" TEXT NOT NULL,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "crash_group_devices_pkey" PRIMARY KEY ("group_id","device_id")
);

-- CreateIndex
CREATE INDEX "crash_group_devices_org_id_device_id_idx" ON "crash_group_devices"("org_id", "device_id");

-- AddForeignKey
ALTER TABLE "crash_group_devices" ADD CONSTRAINT "crash_group_devices_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "crash_group_devices" ADD CONSTRAINT "crash_group_devices_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "crash_groups"("id") ON DELETE CASCADE ON UPDATE CASCADE;
