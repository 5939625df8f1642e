export { createLogMailer, createSmtpMailer, type Mailer, type MailMessage } from './mailer.ts';
export { invitationEmail } from './templates.ts';
