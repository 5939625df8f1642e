import { createHmac } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import { Agent, request } from 'undici';
import { DeliveryError } from './delivery-errors.ts';
import { checkTarget, resolveHost, STRICT_TARGETS, type ResolveHost, type TargetPolicy } from './targets.ts';

// One webhook POST, safe to aim at a URL a tenant typed: the host is resolved and checked
// once (targets.ts) and the socket connects to that very address — undici's connect lookup
// answers with it instead of asking DNS again — so a name cannot be re-pointed at a private
// address between check and connect. undici follows no redirects unless told to; a 3xx is
// a failed delivery. Connect and total time are bounded, and at most a few KB of the answer
// is read.

export interface WebhookOptions {
  policy?: TargetPolicy;
  resolve?: ResolveHost;
  connectTimeoutMs?: number;
  totalTimeoutMs?: number;
}

const CONNECT_TIMEOUT_MS = 5_000;
const TOTAL_TIMEOUT_MS = 10_000;
const RESPONSE_READ_LIMIT = 4096;

const STANDARD_SECRET = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

/**
 * Standard Webhooks signature (https://www.standardwebhooks.com):
 * `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, keyed with the base64 part of a
 * `whsec_…` secret; any other secret (given at creation) keys the HMAC with its own bytes.
 */
export function standardWebhookSignature(secret: string, id: string, timestamp: number, body: string): string {
  const match = STANDARD_SECRET.exec(secret);
  const key = match ? Buffer.from(match[1]!, 'base64') : Buffer.from(secret, 'utf8');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  return (_hostname, options, callback) => {
    // Node asks for every address when it races IPv4 and IPv6 (autoSelectFamily).
    if (options.all)
      (callback as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

/** POSTs `body` to `url`; resolves on a 2xx, otherwise throws a DeliveryError naming the category. */
export async function postWebhook(
  rawUrl: string,
  body: string,
  headers: Record<string, string>,
  options: WebhookOptions = {},
): Promise<void> {
  const url = new URL(rawUrl);
  const total = options.totalTimeoutMs ?? TOTAL_TIMEOUT_MS;
  // One deadline for the whole delivery, name resolution included: a slow DNS answer cannot
  // stretch it past `total`.
  const signal = AbortSignal.timeout(total);
  const target = await withDeadline(
    checkTarget(url, options.policy ?? STRICT_TARGETS, options.resolve ?? resolveHost),
    signal,
  );
  const dispatcher = new Agent({
    connect: {
      lookup: pinnedLookup(target.address, target.family),
      timeout: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
    },
    headersTimeout: total,
    bodyTimeout: total,
    connections: 1,
  });
  try {
    const response = await request(url, {
      method: 'POST',
      headers,
      body,
      dispatcher,
      signal,
    });
    await response.body.dump({ limit: RESPONSE_READ_LIMIT }).catch(() => undefined);
    const status = response.statusCode;
    if (status >= 200 && status < 300) return;
    if (status >= 300 && status < 400)
      throw new DeliveryError('redirect_refused', `webhook answered ${status} (redirects are not followed)`);
    throw new DeliveryError(status >= 500 ? 'http_5xx' : 'http_4xx', `webhook answered ${status}`);
  } finally {
    void dispatcher.destroy().catch(() => undefined);
  }
}

function withDeadline<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const expire = () => reject(new DeliveryError('timeout', 'the webhook host was not resolved in time'));
    if (signal.aborted) return expire();
    signal.addEventListener('abort', expire, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', expire));
  });
}
