import nodemailer from 'nodemailer';

/**
 * Connects to the SMTP server and authenticates, without sending anything (`sightline doctor`).
 * Rejects with the server's or the network's reason; gives up after `timeoutMs`.
 */
export async function verifySmtpConnection(smtpUrl: string, timeoutMs = 10_000): Promise<void> {
  // SMTP transport options take the URL too, so the timeouts can sit beside it.
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    await transport.verify();
  } finally {
    transport.close();
  }
}
