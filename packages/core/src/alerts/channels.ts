import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '@sightline/db';
import type { z } from 'zod';
import { AppError } from '../errors.ts';
import { isUuid } from '../ids.ts';
import type { OutboundLimits } from '../limits/outbound.ts';
import { recordAudit } from '../tenancy/audit.ts';
import type { OrgActor } from '../tenancy/members.ts';
import { assertCan } from '../tenancy/permissions.ts';
import { assertNotSuspended } from '../tenancy/suspension.ts';
import { parseInput } from '../tenancy/validate.ts';
import { channelInput, type ChannelInput } from '../contracts/alerts.ts';
import { sealSecret } from './secrets.ts';
import { assertWebhookTarget, maskWebhookUrl, STRICT_TARGETS, type ResolveHost, type TargetPolicy } from './targets.ts';

// Notification channels of an organization: email recipients, a Slack channel (bot token
// kept encrypted), a webhook (URL and signing secret kept encrypted; the secret is shown
// once when made, the URL only ever as its origin — its path often is the credential).

export interface ChannelTargets {
  /** ALERT_ALLOW_PRIVATE_TARGETS: which non-public addresses a webhook may reach. */
  policy?: TargetPolicy;
  resolve?: ResolveHost;
}

const CHANNEL_FIELDS = {
  id: true,
  kind: true,
  name: true,
  config: true,
  enabled: true,
  consecutiveFailures: true,
  flaggedAt: true,
  createdAt: true,
} as const;

interface ChannelSettings {
  config: Record<string, string | string[]>;
  secret: string | null;
  url: string | null;
}

function configOf(input: ChannelInput): ChannelSettings {
  if (input.kind === 'EMAIL') return { config: { recipients: input.recipients }, secret: null, url: null };
  if (input.kind === 'SLACK') return { config: { channel: input.channel }, secret: input.token, url: null };
  // Standard base64 after whsec_: what Standard Webhooks verifiers decode.
  return {
    config: { url: maskWebhookUrl(input.url) },
    secret: input.secret ?? `whsec_${randomBytes(24).toString('base64')}`,
    url: input.url,
  };
}

/** A channel as members read it: a webhook URL only as its origin (rows from before sealing too). */
function presentChannel<T extends { kind: string; config: unknown }>(channel: T): T {
  if (channel.kind !== 'WEBHOOK') return channel;
  const url = (channel.config as { url?: unknown } | null)?.url;
  return { ...channel, config: { url: maskWebhookUrl(typeof url === 'string' ? url : '') } };
}

/** Creates a channel; a webhook's signing secret is returned this once. */
export async function createChannel(
  prisma: PrismaClient,
  actor: OrgActor,
  appSecret: string,
  input: z.input<typeof channelInput>,
  targets: ChannelTargets = {},
) {
  assertCan(actor.role, 'alert.manage');
  const parsed = parseInput(channelInput, input);
  if (parsed.kind === 'WEBHOOK') await assertWebhookTarget(parsed.url, targets.policy ?? STRICT_TARGETS, targets.resolve);
  const { config, secret, url } = configOf(parsed);
  return prisma.$transaction(async (tx) => {
    const channel = await tx.notificationChannel.create({
      data: {
        orgId: actor.orgId,
        kind: parsed.kind,
        name: parsed.name,
        config,
        secretCiphertext: secret ? new Uint8Array(sealSecret(appSecret, secret)) : null,
        urlCiphertext: url ? new Uint8Array(sealSecret(appSecret, url)) : null,
      },
      select: CHANNEL_FIELDS,
    });
    await recordAudit(
      tx,
      actor.orgId,
      actor.audit,
      'channel.created',
      { type: 'channel', id: channel.id },
      { kind: parsed.kind },
    );
    return { channel, ...(parsed.kind === 'WEBHOOK' ? { signingSecret: secret } : {}) };
  });
}

export async function listChannels(prisma: PrismaClient, actor: OrgActor) {
  assertCan(actor.role, 'telemetry.read');
  const channels = await prisma.notificationChannel.findMany({
    where: { orgId: actor.orgId },
    orderBy: { createdAt: 'asc' },
    select: CHANNEL_FIELDS,
  });
  return channels.map(presentChannel);
}

export async function findChannel(prisma: PrismaClient, orgId: string, channelId: string) {
  const channel = isUuid(channelId)
    ? await prisma.notificationChannel.findFirst({ where: { id: channelId, orgId }, select: CHANNEL_FIELDS })
    : null;
  if (!channel) throw new AppError('NOT_FOUND', `channel ${channelId} not found`);
  return presentChannel(channel);
}

export async function deleteChannel(prisma: PrismaClient, actor: OrgActor, channelId: string): Promise<void> {
  assertCan(actor.role, 'alert.manage');
  const channel = await findChannel(prisma, actor.orgId, channelId);
  await prisma.$transaction(async (tx) => {
    await tx.notificationChannel.delete({ where: { id: channel.id } });
    await recordAudit(tx, actor.orgId, actor.audit, 'channel.deleted', { type: 'channel', id: channel.id }, {});
  });
}

/**
 * A test alert on a channel: a delivery like any other, returned for the queue to send.
 * Not from a suspended organization, and within its hourly limits (OutboundLimits).
 */
export async function createTestAlert(
  prisma: PrismaClient,
  actor: OrgActor,
  channelId: string,
  limits?: OutboundLimits,
): Promise<string> {
  assertCan(actor.role, 'alert.manage');
  const channel = await findChannel(prisma, actor.orgId, channelId);
  await assertNotSuspended(prisma, actor.orgId);
  const recipients = (channel.config as { recipients?: unknown } | null)?.recipients;
  await limits?.testAlert(actor.orgId, channel.kind === 'EMAIL' && Array.isArray(recipients) ? recipients.length : 0);
  const delivery = await prisma.notificationDelivery.create({
    data: {
      orgId: actor.orgId,
      channelId: channel.id,
      dedupeKey: `test:${randomBytes(12).toString('hex')}`,
      payload: {
        kind: 'TEST',
        title: `Test alert for ${channel.name}`,
        text: 'If you can read this, Sightline can reach this channel.',
        link: null,
        app: null,
        group: null,
      },
    },
    select: { id: true },
  });
  return delivery.id;
}

/** The delivery log: what was sent where, how often it was tried, and the last error. */
export async function listDeliveries(
  prisma: PrismaClient,
  actor: OrgActor,
  filter: { channelId?: string; status?: string; limit?: number } = {},
) {
  assertCan(actor.role, 'telemetry.read');
  if (filter.channelId !== undefined) await findChannel(prisma, actor.orgId, filter.channelId);
  const statuses = ['PENDING', 'SENDING', 'SENT', 'FAILED', 'SUPPRESSED'] as const;
  const status = statuses.find((s) => s === filter.status);
  if (filter.status !== undefined && !status) {
    throw new AppError('BAD_REQUEST', `status must be one of ${statuses.join(', ')}`);
  }
  return prisma.notificationDelivery.findMany({
    where: { orgId: actor.orgId, ...(filter.channelId ? { channelId: filter.channelId } : {}), ...(status ? { status } : {}) },
    orderBy: { createdAt: 'desc' },
    take: Math.min(Math.max(filter.limit ?? 50, 1), 200),
    select: {
      id: true,
      channelId: true,
      ruleId: true,
      crashGroupId: true,
      status: true,
      attempts: true,
      lastError: true,
      sentAt: true,
      createdAt: true,
      payload: true,
    },
  });
}
