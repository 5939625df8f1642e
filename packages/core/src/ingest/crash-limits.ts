import { MAX_DATA_DEPTH } from './scrub.ts';

// Size limits of a crash report's free-form parts, applied before scrubbing (whose cost grows
// with size) and before the report is buffered. Sentry's Relay trims the same parts (extra
// and contexts as "databags", the newest 100 breadcrumbs); what is cut is said in
// `context._truncated`, never dropped silently.

/** The whole `context` (Sentry's contexts, extra, request, … together), as JSON. */
export const MAX_CRASH_CONTEXT_BYTES = 64 * 1024;
/** Breadcrumbs kept: the newest ones, as Sentry keeps them. */
export const MAX_BREADCRUMBS = 100;
/** Each breadcrumb, as JSON. */
export const MAX_BREADCRUMB_BYTES = 4 * 1024;

/** Ends a string that was cut. */
export const TRUNCATED_SUFFIX = '…[truncated]';
/** Stands in for what lies deeper than the scrubber accepts, in a part that had to be cut anyway. */
const TOO_DEEP = '[truncated: nested too deep]';
/** Room kept in the context for the `_truncated` note and the truncated address. */
const NOTE_RESERVE = 512;

const stringBytes = (text: string): number => Buffer.byteLength(JSON.stringify(text));

/**
 * Bytes of `value` as JSON, without recursion (a client's nesting depth is not ours to
 * trust): O(size). `undefined` object members count like null, a slight overestimate.
 */
export function jsonByteSize(value: unknown): number {
  let total = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') total += stringBytes(v);
    else if (typeof v === 'number') total += Number.isFinite(v) ? String(v).length : 4;
    else if (typeof v === 'boolean') total += v ? 4 : 5;
    else if (Array.isArray(v)) {
      total += 1 + Math.max(1, v.length);
      for (const item of v) stack.push(item);
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      total += 1 + Math.max(1, entries.length);
      for (const [key, item] of entries) {
        total += stringBytes(key) + 1;
        stack.push(item);
      }
    } else total += 4;
  }
  return total;
}

interface Fitted {
  value: unknown;
  bytes: number;
}

/** The longest prefix of `text` that, with the suffix, fits `budget` JSON bytes. */
function cutString(text: string, budget: number): Fitted | undefined {
  const room = budget - stringBytes(TRUNCATED_SUFFIX);
  if (room < 0) return undefined;
  // A character is at least one byte: start from `room` characters and shrink in proportion.
  let cut = text.slice(0, room);
  for (let bytes = stringBytes(cut) - 2; bytes > room && cut.length > 0; bytes = stringBytes(cut) - 2) {
    cut = cut.slice(0, Math.min(cut.length - 1, Math.floor((cut.length * room) / bytes)));
  }
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  const value = cut + TRUNCATED_SUFFIX;
  return { value, bytes: stringBytes(value) };
}

/**
 * A copy of `value` within `budget` JSON bytes, keeping members in order until the budget is
 * spent; strings that do not fit are cut with TRUNCATED_SUFFIX. Visits only what it keeps.
 */
function fit(value: unknown, budget: number, depth: number): Fitted | undefined {
  if (typeof value === 'string') {
    const bytes = stringBytes(value);
    return bytes <= budget ? { value, bytes } : cutString(value, budget);
  }
  if (value === null || typeof value !== 'object') {
    const bytes = jsonByteSize(value);
    return bytes <= budget ? { value, bytes } : undefined;
  }
  if (depth >= MAX_DATA_DEPTH - 2) return fit(TOO_DEEP, budget, depth);
  let used = 2;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const comma = out.length > 0 ? 1 : 0;
      const kept = fit(item, budget - used - comma, depth + 1);
      if (!kept) break;
      out.push(kept.value);
      used += comma + kept.bytes;
    }
    return used <= budget ? { value: out, bytes: used } : undefined;
  }
  const out: Record<string, unknown> = {};
  let members = 0;
  for (const [key, item] of Object.entries(value)) {
    const head = (members > 0 ? 1 : 0) + stringBytes(key) + 1;
    const kept = fit(item, budget - used - head, depth + 1);
    if (!kept) break;
    out[key] = kept.value;
    used += head + kept.bytes;
    members++;
  }
  return used <= budget ? { value: out, bytes: used } : undefined;
}

/**
 * An object within `budget` bytes, sharing it fairly among its members (water-filling):
 * small members are kept whole, the large ones get equal shares. One huge `extra` then
 * cannot push out the device and OS contexts beside it.
 */
function fitFairly(object: Record<string, unknown>, sizes: number[], budget: number): Fitted {
  const entries = Object.entries(object);
  const kept = new Map<number, Fitted>();
  let remaining = budget - 1 - Math.max(1, entries.length);
  let left = entries.length;
  const bySize = entries.map((_, i) => i).sort((a, b) => (sizes[a] ?? 0) - (sizes[b] ?? 0));
  for (const i of bySize) {
    const [key, item] = entries[i]!;
    const share = Math.floor(remaining / left--);
    const keyBytes = stringBytes(key) + 1;
    const size = sizes[i] ?? 0;
    const fitted = size <= share ? { value: item, bytes: size - keyBytes } : fit(item, share - keyBytes, 1);
    if (!fitted) continue;
    kept.set(i, fitted);
    remaining -= keyBytes + fitted.bytes;
  }
  const out: Record<string, unknown> = {};
  let bytes = 2;
  entries.forEach(([key], i) => {
    const fitted = kept.get(i);
    if (!fitted) return;
    out[key] = fitted.value;
    bytes += (bytes > 2 ? 1 : 0) + stringBytes(key) + 1 + fitted.bytes;
  });
  return { value: out, bytes };
}

export interface CappedCrashParts {
  context: Record<string, unknown>;
  breadcrumbs: unknown[] | undefined;
}

/**
 * A crash report's context and breadcrumbs within the documented sizes: context ≤ 64 KB,
 * the newest 100 breadcrumbs of ≤ 4 KB each. Anything cut is listed in `context._truncated`
 * with its original and kept size (and a cut breadcrumb carries its own `_truncated`).
 * Within the limits (the common case) the parts are returned as they are.
 */
export function capCrashParts(
  context: Record<string, unknown>,
  breadcrumbs: readonly unknown[] | undefined,
): CappedCrashParts {
  const note: Record<string, unknown> = {};
  const keys = Object.keys(context);
  const sizes = keys.map((k) => stringBytes(k) + 1 + jsonByteSize(context[k]));
  const contextBytes = 1 + Math.max(1, keys.length) + sizes.reduce((a, b) => a + b, 0);
  let keptContext = context;
  if (contextBytes > MAX_CRASH_CONTEXT_BYTES - NOTE_RESERVE) {
    const fitted = fitFairly(context, sizes, MAX_CRASH_CONTEXT_BYTES - NOTE_RESERVE);
    keptContext = fitted.value as Record<string, unknown>;
    note.context = { original_bytes: contextBytes, kept_bytes: fitted.bytes, limit_bytes: MAX_CRASH_CONTEXT_BYTES };
  }

  let keptCrumbs = breadcrumbs as unknown[] | undefined;
  if (breadcrumbs) {
    const newest = breadcrumbs.length > MAX_BREADCRUMBS ? breadcrumbs.slice(-MAX_BREADCRUMBS) : breadcrumbs;
    let originalBytes = 0;
    let keptBytes = 0;
    let cut = 0;
    keptCrumbs = newest.map((crumb) => {
      const bytes = jsonByteSize(crumb);
      originalBytes += bytes;
      if (bytes <= MAX_BREADCRUMB_BYTES) {
        keptBytes += bytes;
        return crumb;
      }
      cut++;
      const isObject = crumb !== null && typeof crumb === 'object' && !Array.isArray(crumb);
      const fitted = fit(crumb, MAX_BREADCRUMB_BYTES - (isObject ? 80 : 0), 1) ?? { value: null, bytes: 4 };
      keptBytes += fitted.bytes;
      return isObject
        ? { ...(fitted.value as object), _truncated: { original_bytes: bytes, kept_bytes: fitted.bytes } }
        : fitted.value;
    });
    if (cut > 0 || newest.length < breadcrumbs.length) {
      note.breadcrumbs = {
        original_count: breadcrumbs.length,
        kept_count: newest.length,
        cut_count: cut,
        kept_bytes: keptBytes,
        limit: `the newest ${MAX_BREADCRUMBS}, each at most ${MAX_BREADCRUMB_BYTES} bytes`,
        ...(newest.length === breadcrumbs.length ? { original_bytes: originalBytes } : {}),
      };
    }
  }

  if (Object.keys(note).length === 0) return { context, breadcrumbs: keptCrumbs };
  return {
    context: {
      ...keptContext,
      _truncated: { note: "parts of this report were over Sightline's size limits and were cut", ...note },
    },
    breadcrumbs: keptCrumbs,
  };
}
