import nodemailer from 'nodemailer';
import type { Logger } from '../logger.ts';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/** Real delivery over SMTP (`smtp://user:pass@host:587`, `smtps://…` for implicit TLS). */
export function createSmtpMailer(smtpUrl: string, from: string): Mailer {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(message) {
      await transport.sendMail({ from, ...message });
    },
  };
}

/**
 * Development without SMTP: the message, links included, goes to the log so sign-up,
 * invitations and password resets can still be completed by hand.
 */
export function createLogMailer(log: Logger): Mailer {
  return {
    send(message) {
      log.info({ to: message.to, subject: message.subject }, `email (no SMTP configured):\n${message.text}`);
      return Promise.resolve();
    },
  };
}
