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
