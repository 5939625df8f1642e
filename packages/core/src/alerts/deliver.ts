import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebClient } from '@slack/web-api';
import type { PrismaClient } from '@sightline/db';
import type { Mailer } from '../mail/mailer.ts';
import { categorize } from './delivery-errors.ts';
import { openSecret, sealSecret } from './secrets.ts';
import { maskWebhookUrl } from './targets.ts';
import type { AlertPayload } from './triggers.ts';
import { postWebhook, standardWebhookSignature, type WebhookOptions } from './webhook.ts';

// Sends one delivery over its channel and records the outcome. A failure is recorded and
// thrown, so the queue retries with backoff; after the last attempt the delivery is FAILED
// and the channel's run of failures grows — at FLAG_AFTER_FAILURES it is flagged and
// skipped until it works again (a test alert that succeeds clears the flag).

export const DELIVERY_ATTEMPTS = 5;
export const FLAG_AFTER_FAILURES = 3;

export interface DeliveryDeps {
  prisma: PrismaClient;
  /** SIGHTLINE_SECRET: opens channel secrets. */
  appSecret: string;
  mailer: Mailer;
  /** Slack's Web API base (tests point it at a local stand-in). */
  slackApiUrl?: string;
  /** Which addresses webhooks may reach (ALERT_ALLOW_PRIVATE_TARGETS), time limits, resolver. */
  webhooks?: WebhookOptions;
}

/** `X-Sightline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export function signWebhook(secret: string, body: string, at = Math.floor(Date.now() / 1000)): string {
  return `t=${at},v1=${createHmac('sha256', secret).update(`${at}.${body}`).digest('hex')}`;
}

/** For receivers: the signature matches the body and is at most `toleranceSeconds` old (no replays). */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined,
  body: string,
  toleranceSeconds = 300,
): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.split('=') as [string, string]));
  const at = Number(parts.t);
  if (!Number.isFinite(at) || Math.abs(Date.now() / 1000 - at) > toleranceSeconds || !parts.v1) return false;
  const expected = Buffer.from(signWebhook(secret, body, at).split('v1=')[1]!, 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Slack refuses section text over 3,000 characters. */
const SLACK_SECTION_MAX = 3000;

/**
 * Slack reads `<!channel>`, `<url|label>` and `<@user>` in message text as commands and
 * links; titles and texts quote crash messages that any holder of an app's public key
 * writes, so they are escaped as Slack asks: &, < and > as entities.
 */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function slackBlocks(payload: AlertPayload) {
  const text = `*${escapeSlackText(payload.title)}*\n${escapeSlackText(payload.text)}`;
  return [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: text.length > SLACK_SECTION_MAX ? `${text.slice(0, SLACK_SECTION_MAX - 1)}…` : text,
      },
    },
    ...(payload.link
      ? [
          {
            type: 'actions',
            elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in Sightline' }, url: payload.link }],
          },
        ]
      : []),
  ];
}

interface ChannelRow {
  id: string;
  kind: string;
  config: unknown;
  secretCiphertext: Uint8Array | null;
  urlCiphertext: Uint8Array | null;
}

/**
 * The webhook URL: sealed since url_ciphertext exists. A channel made before it still has
 * the URL in clear in config.url: it is sealed (and config masked) here, on first use.
 */
async function webhookUrl(deps: DeliveryDeps, channel: ChannelRow, config: { url?: string }): Promise<string> {
  if (channel.urlCiphertext) return openSecret(deps.appSecret, channel.urlCiphertext);
  const url = config.url ?? '';
  await deps.prisma.notificationChannel.updateMany({
    where: { id: channel.id, urlCiphertext: null },
    data: { urlCiphertext: new Uint8Array(sealSecret(deps.appSecret, url)), config: { url: maskWebhookUrl(url) } },
  });
  return url;
}

async function send(deps: DeliveryDeps, channel: ChannelRow, payload: AlertPayload, deliveryId: string) {
  const config = (channel.config ?? {}) as { recipients?: string[]; channel?: string; url?: string };
  const secret = channel.secretCiphertext ? openSecret(deps.appSecret, channel.secretCiphertext) : null;
  if (channel.kind === 'EMAIL') {
    await deps.mailer.send({
      to: (config.recipients ?? []).join(', '),
      subject: `[Sightline] ${payload.title}`,
      text: `${payload.text}\n\n${payload.link ?? ''}`.trim(),
    });
    return;
  }
  if (channel.kind === 'SLACK') {
    const slack = new WebClient(secret ?? '', { slackApiUrl: deps.slackApiUrl, retryConfig: { retries: 0 } });
    await slack.chat.postMessage({
      channel: config.channel ?? '',
      text: escapeSlackText(`${payload.title}: ${payload.text}`),
      blocks: slackBlocks(payload),
    });
    return;
  }
  const url = await webhookUrl(deps, channel, config);
  const body = JSON.stringify({ id: deliveryId, ...payload, sentAt: new Date().toISOString() });
  const timestamp = Math.floor(Date.now() / 1000);
  await postWebhook(
    url,
    body,
    {
      'content-type': 'application/json',
      'user-agent': 'Sightline-Webhook/1',
      'webhook-id': deliveryId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': standardWebhookSignature(secret ?? '', deliveryId, timestamp, body),
      // The signature from before Standard Webhooks, for receivers that still check it.
      'x-sightline-delivery': deliveryId,
      'x-sightline-signature': signWebhook(secret ?? '', body, timestamp),
    },
    deps.webhooks,
  );
}

/** One attempt at a delivery; `lastAttempt` says whether the queue will try again after a failure. */
export async function deliverNotification(
  deps: DeliveryDeps,
  deliveryId: string,
  lastAttempt: boolean,
): Promise<'sent' | 'skipped'> {
  const delivery = await deps.prisma.notificationDelivery.findUnique({
    where: { id: deliveryId },
    include: { channel: true },
  });
  if (!delivery || delivery.status === 'SENT' || delivery.status === 'SUPPRESSED') return 'skipped';
  const payload = delivery.payload as unknown as AlertPayload;
  if ((delivery.channel.flaggedAt || !delivery.channel.enabled) && payload.kind !== 'TEST') {
    await deps.prisma.notificationDelivery.update({
      where: { id: deliveryId },
      data: {
        status: 'SUPPRESSED',
        lastError: delivery.channel.enabled ? 'channel is flagged after repeated failures' : 'channel is disabled',
      },
    });
    return 'skipped';
  }
  await deps.prisma.notificationDelivery.update({
    where: { id: deliveryId },
    data: { status: 'SENDING', attempts: { increment: 1 } },
  });
  try {
    await send(deps, delivery.channel, payload, deliveryId);
  } catch (error) {
    // Tenants (viewers too) read lastError: a category only; the detail is in the worker's log.
    const category = categorize(error, delivery.channel.kind);
    // The delivery's outcome and the channel's run of failures change together: whoever
    // sees the delivery FAILED also sees it counted against its channel.
    await deps.prisma.$transaction(async (tx) => {
      await tx.notificationDelivery.update({
        where: { id: deliveryId },
        data: { status: lastAttempt ? 'FAILED' : 'PENDING', lastError: category },
      });
      if (!lastAttempt) return;
      const channel = await tx.notificationChannel.update({
        where: { id: delivery.channelId },
        data: { consecutiveFailures: { increment: 1 } },
      });
      if (channel.consecutiveFailures >= FLAG_AFTER_FAILURES && !channel.flaggedAt) {
        await tx.notificationChannel.update({ where: { id: channel.id }, data: { flaggedAt: new Date() } });
      }
    });
    throw error;
  }
  await deps.prisma.$transaction([
    deps.prisma.notificationDelivery.update({
      where: { id: deliveryId },
      data: { status: 'SENT', sentAt: new Date(), lastError: null },
    }),
    deps.prisma.notificationChannel.update({
      where: { id: delivery.channelId },
      data: { consecutiveFailures: 0, flaggedAt: null },
    }),
  ]);
  return 'sent';
}
