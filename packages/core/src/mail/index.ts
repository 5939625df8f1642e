export { createLogMailer, createSmtpMailer, type Mailer, type MailMessage } from './mailer.ts';
export { invitationEmail, passwordResetEmail, verificationEmail } from './templates.ts';
export { verifySmtpConnection } from './verify.ts';
