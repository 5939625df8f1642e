import type { Redis } from 'ioredis';
import { z } from 'zod';
import { createSlidingWindowLimiter, type LimitCheck } from './sliding-window.ts';

// Limits on what members make Sightline send on their behalf: test alerts, invitations,
// and the emails both of them cause. Each goes to an address or URL the member typed, so
// without limits an account (or a stolen session) turns the installation into a mail and
// request cannon, and its SMTP reputation is what suffers. Per organization per hour.

const positive = z.coerce.number().int().positive();
const HOUR = 3600;

/** The env shape of these limits (spread into the api's env). */
export const outboundLimitsEnv = {
  /** Test alerts an organization may send per hour. */
  ALERT_TEST_PER_HOUR: positive.default(30),
  /** Invitations an organization may send per hour. */
  INVITATIONS_PER_HOUR: positive.default(50),
  /** Email recipients per organization per hour, across test alerts and invitations. */
  EMAIL_RECIPIENTS_PER_HOUR: positive.default(200),
};

export interface OutboundLimitsConfig {
  testAlertsPerHour: number;
  invitationsPerHour: number;
  emailRecipientsPerHour: number;
}

export function outboundLimitsConfig(env: { [K in keyof typeof outboundLimitsEnv]: number }): OutboundLimitsConfig {
  return {
    testAlertsPerHour: env.ALERT_TEST_PER_HOUR,
    invitationsPerHour: env.INVITATIONS_PER_HOUR,
    emailRecipientsPerHour: env.EMAIL_RECIPIENTS_PER_HOUR,
  };
}

export interface OutboundLimits {
  /** Before a test alert; `emailRecipients` for an email channel. Throws RATE_LIMITED. */
  testAlert(orgId: string, emailRecipients: number): Promise<void>;
  /** Before an invitation is made and emailed. Throws RATE_LIMITED. */
  invitation(orgId: string): Promise<void>;
}

/** `keyPrefix` holds the installation's REDIS_PREFIX (and a test's own namespace). */
export function createOutboundLimits(redis: Redis, keyPrefix: string, config: OutboundLimitsConfig): OutboundLimits {
  const limiter = createSlidingWindowLimiter(redis, `${keyPrefix}:outbound-limits`);
  const recipients = (orgId: string): LimitCheck => ({
    subject: `email-recipients:${orgId}`,
    limit: config.emailRecipientsPerHour,
    windowSeconds: HOUR,
    message: `too many email recipients for this organization: at most ${config.emailRecipientsPerHour} an hour (EMAIL_RECIPIENTS_PER_HOUR)`,
  });
  return {
    async testAlert(orgId, emailRecipients) {
      await limiter.consume([
        {
          subject: `test-alerts:${orgId}`,
          limit: config.testAlertsPerHour,
          windowSeconds: HOUR,
          message: `too many test alerts for this organization: at most ${config.testAlertsPerHour} an hour (ALERT_TEST_PER_HOUR)`,
        },
      ]);
      if (emailRecipients <= 0) return;
      try {
        await limiter.consume([recipients(orgId)], emailRecipients);
      } catch (error) {
        // Refused for its recipients: the test alert itself was not sent either.
        await limiter.refund([
          { subject: `test-alerts:${orgId}`, limit: config.testAlertsPerHour, windowSeconds: HOUR, message: '' },
        ]);
        throw error;
      }
    },
    async invitation(orgId) {
      await limiter.consume([
        {
          subject: `invitations:${orgId}`,
          limit: config.invitationsPerHour,
          windowSeconds: HOUR,
          message: `too many invitations for this organization: at most ${config.invitationsPerHour} an hour (INVITATIONS_PER_HOUR)`,
        },
        recipients(orgId),
      ]);
    },
  };
}
