import { statfs } from 'node:fs/promises';
import { verifySmtpConnection } from '@sightline/core';
import { error, ok, reason, warn, withTimeout, type Finding } from './finding.ts';

const GIB = 1024 ** 3;

/** Free space where PostgreSQL writes (its data directory when local, else the working directory). */
export async function checkDisk(dir: string, what: string): Promise<Finding> {
  try {
    const s = await statfs(dir);
    const free = s.bavail * s.bsize;
    const share = s.blocks > 0 ? s.bavail / s.blocks : 0;
    const message = `${(share * 100).toFixed(0)} % free (${(free / GIB).toFixed(1)} GiB) on ${what} ${dir}`;
    return share < 0.1
      ? warn(
          'disk',
          message,
          'free space or grow the disk: PostgreSQL stops writing when it fills; lower retention or see docs/sizing.md',
        )
      : ok('disk', message);
  } catch (e) {
    return warn(
      'disk',
      `cannot read free space of ${dir}: ${reason(e)}`,
      'check free disk space of the PostgreSQL data directory by hand (df -h)',
    );
  }
}

export async function checkSmtp(smtpUrl: string | undefined): Promise<Finding> {
  if (!smtpUrl) {
    return warn(
      'smtp',
      'SMTP_URL is not set: invitations, password resets and alert emails are only written to the log',
      'set SMTP_URL=smtp://user:pass@mail.example.com:587 (smtps:// for implicit TLS)',
    );
  }
  const host = new URL(smtpUrl).host;
  try {
    await withTimeout(15_000, `SMTP at ${host}`, verifySmtpConnection(smtpUrl));
    return ok('smtp', `SMTP at ${host} accepts the connection and credentials`);
  } catch (e) {
    return error(
      'smtp',
      `SMTP at ${host} fails: ${reason(e)}`,
      'correct SMTP_URL (host, port, user, password; smtps:// for port 465) or let this machine reach the mail server',
    );
  }
}

/** Whether the addresses users are given actually answer, from here. */
export async function checkPublicUrls(apiUrl: string, webUrl: string): Promise<Finding[]> {
  const probe = async (
    check: string,
    url: URL,
    healthy: (status: number) => boolean,
    fix: string,
  ): Promise<Finding> => {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000), redirect: 'manual' });
      await res.body?.cancel();
      return healthy(res.status)
        ? ok(check, `${url.href} answers ${res.status}`)
        : warn(check, `${url.href} answers ${res.status}`, fix);
    } catch (e) {
      const cause = (e as { cause?: unknown }).cause;
      return warn(check, `${url.href} does not answer: ${reason(cause ?? e)}`, fix);
    }
  };
  return Promise.all([
    probe(
      'api-reachable',
      new URL('/healthz', apiUrl),
      (s) => s === 200,
      'start the api, or make PUBLIC_API_URL point at it (reverse proxy: docs/reverse-proxy.md)',
    ),
    probe(
      'web-reachable',
      new URL(webUrl),
      (s) => s < 500,
      'start the portal, or make PUBLIC_WEB_URL point at it (reverse proxy: docs/reverse-proxy.md)',
    ),
  ]);
}
