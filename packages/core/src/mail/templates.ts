import type { MailMessage } from './mailer.ts';

export function invitationEmail(params: {
  to: string;
  orgName: string;
  role: string;
  invitedBy: string | null;
  link: string;
  expiresAt: Date;
}): MailMessage {
  const who = params.invitedBy ? `${params.invitedBy} invited you` : 'You are invited';
  return {
    to: params.to,
    subject: `Join ${params.orgName} on Sightline`,
    text: [
      `${who} to join ${params.orgName} on Sightline as ${params.role}.`,
      '',
      `Accept the invitation: ${params.link}`,
      '',
      `The link works once and expires on ${params.expiresAt.toUTCString()}.`,
      'If you did not expect this, ignore this email.',
    ].join('\n'),
  };
}

export function verificationEmail(params: { to: string; link: string }): MailMessage {
  return {
    to: params.to,
    subject: 'Confirm your email for Sightline',
    text: [
      'Welcome to Sightline. Confirm that this address is yours:',
      '',
      params.link,
      '',
      'The link works for 24 hours. If you did not sign up, ignore this email.',
    ].join('\n'),
  };
}

export function passwordResetEmail(params: { to: string; link: string }): MailMessage {
  return {
    to: params.to,
    subject: 'Reset your Sightline password',
    text: [
      'Someone asked to reset the password of your Sightline account. To choose a new one, open:',
      '',
      params.link,
      '',
      'The link works once, for one hour. If it was not you, ignore this email: your password stays as it is.',
    ].join('\n'),
  };
}
