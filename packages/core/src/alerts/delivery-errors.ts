import { BlockedTargetError } from './targets.ts';

// What a tenant reads in the delivery log when a delivery fails: a category, never the raw
// error (which can carry resolved addresses, socket details or a receiver's answer — an
// oracle for probing networks). The raw error still goes to the worker's log.

export const DELIVERY_ERROR_CATEGORIES = [
  'blocked_address',
  'dns_failure',
  'timeout',
  'connection_refused',
  'connection_reset',
  'tls_error',
  'redirect_refused',
  'http_4xx',
  'http_5xx',
  'slack_rejected',
  'email_failed',
  'network_error',
] as const;
export type DeliveryErrorCategory = (typeof DELIVERY_ERROR_CATEGORIES)[number];

export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    readonly category: DeliveryErrorCategory,
    message: string,
  ) {
    super(message);
  }
}

const TLS_CODE = /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL|HOSTNAME_MISMATCH)/;

function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  // undici and Node chain causes in `cause`; @slack/web-api keeps the network error in `original`.
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { code, name } = e as { code?: unknown; name?: unknown };
    if (typeof code === 'string') codes.push(code);
    if (typeof name === 'string') codes.push(name);
    const next = e as { cause?: unknown; original?: unknown };
    e = next.cause ?? next.original;
  }
  return codes;
}

/** The category of a failed delivery, for the delivery log. */
export function categorize(error: unknown, channelKind: string): DeliveryErrorCategory {
  if (error instanceof DeliveryError) return error.category;
  if (error instanceof BlockedTargetError) return 'blocked_address';
  const codes = codesOf(error);
  const has = (...wanted: string[]) => codes.some((c) => wanted.includes(c));
  if (channelKind === 'SLACK' && has('slack_webapi_platform_error', 'slack_webapi_http_error')) return 'slack_rejected';
  if (
    has(
      'TimeoutError',
      'AbortError',
      'UND_ERR_CONNECT_TIMEOUT',
      'UND_ERR_HEADERS_TIMEOUT',
      'UND_ERR_BODY_TIMEOUT',
      'ETIMEDOUT',
      'ECONNABORTED',
    )
  )
    return 'timeout';
  if (has('ECONNREFUSED')) return 'connection_refused';
  if (has('ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED')) return 'connection_reset';
  if (has('ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL')) return 'dns_failure';
  if (codes.some((c) => TLS_CODE.test(c))) return 'tls_error';
  if (channelKind === 'EMAIL') return 'email_failed';
  return 'network_error';
}
