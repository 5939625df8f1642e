import { createHash } from 'node:crypto';
import type { StackFrameInput } from '../ingest/schemas.ts';
import { replaceEmails } from '../ingest/scrub.ts';
import { framesFromInput, parseStackTrace, type StackFrame } from './stack.ts';

// Which crashes are the same bug. A group is the crash type plus the app's own frames —
// each by function name and file name, never line or column, so a release that moves code
// keeps its groups; bundle hashes, anonymous functions, library and runtime frames and
// recursion do not count. Only a crash without a usable stack groups by its message, with
// the parts that vary per occurrence (numbers, ids, addresses, quoted values) masked. An
// SDK-supplied fingerprint wins. The algorithm is versioned: a group keeps the version it
// was made with, so a future change cannot split existing groups.

export const FINGERPRINT_VERSION = 1;
/** In-app frames that decide the group: deeper frames are context, not identity. */
export const GROUPING_FRAMES = 5;

export interface CrashToFingerprint {
  crashType: string;
  message: string | null;
  stackTrace: string | null;
  frames?: readonly StackFrameInput[] | null;
  /** Sentry's `fingerprint` (may hold `{{ default }}`). */
  sdkFingerprint?: readonly string[] | null;
}

export interface CrashFingerprint {
  fingerprint: string;
  version: number;
  basis: 'sdk' | 'stack' | 'message';
  /** Where it broke, for people: the top in-app frame, e.g. `loadUser (main.lua)`. */
  culprit: string | null;
  frames: StackFrame[];
}

const ANONYMOUS = /^(\?|<anonymous>|anonymous|<main>|Anonymous function|<unknown>|eval|\(anonymous function\))$/i;

/** `Object.loadUser [as load]`, `UserService.load`, `load/<`, `async*load` → `load`: one name across engines. */
export function normalizeFunctionName(fn: string): string {
  const name = stripTrailing(withoutAlias(fn).replace(/^(?:async\*?|new)\s*/, ''), '/<*').replace(/\/<$/, '');
  return name.split(/[.#:]/).filter(Boolean).pop() ?? name;
}

// Function and file names are client text: the helpers below scan once where the former
// patterns (`\s*\[as [^\]]+\]$`, `[/<*]+$`, `[?#].*$`) rescanned a run from each of its
// characters.

/** `fn [as alias]` → `fn`: the leftmost `[as ` after the last inner `]`, when the name ends with `]`. */
function withoutAlias(fn: string): string {
  if (!fn.endsWith(']')) return fn;
  const from = fn.lastIndexOf(']', fn.length - 2) + 1;
  const alias = fn.indexOf('[as ', from);
  if (alias === -1 || alias + 4 >= fn.length - 1) return fn;
  return fn.slice(0, alias).trimEnd();
}

/** `text` without the trailing run of any of `chars`. */
function stripTrailing(text: string, chars: string): string {
  let end = text.length;
  while (end > 0 && chars.includes(text.charAt(end - 1))) end--;
  return text.slice(0, end);
}

/** Index of the first of `chars` in `text`, or its length. */
function firstOf(text: string, chars: string): number {
  for (let i = 0; i < text.length; i++) if (chars.includes(text.charAt(i))) return i;
  return text.length;
}

/** A file's name without directories, query, or the content hash a bundler put in it. */
export function normalizeFileName(file: string): string {
  const base = file.slice(0, firstOf(file, '?#')).split(/[/\\]/).pop() ?? file;
  return base
    .replace(/[.-][0-9a-f]{6,}(?=[.-])/gi, '')
    .replace(/[.-](?=[0-9a-z]*\d)[0-9a-z]{8,}(?=\.)/gi, '')
    .replace(/:\d+$/, '');
}

const VOLATILE: Array<[RegExp, string]> = [
  [/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>'],
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"`)]+/gi, '<url>'],
  [/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b/g, '<ip>'],
  [/'[^']*'|"[^"]*"|`[^`]*`/g, '<value>'],
  [/\b0x[0-9a-f]+\b/gi, '<hex>'],
  [/\b[0-9a-f]{12,}\b/gi, '<hex>'],
  [/\d+(?:\.\d+)?/g, '<n>'],
];

/** A message with what varies between occurrences masked: `cart 17 not found` → `cart <n> not found`. */
export function normalizeMessage(message: string): string {
  let out = message.slice(0, 2000);
  for (const [pattern, mask] of VOLATILE) {
    out = out.replace(pattern, mask);
    // Emails are masked second, as before, by a linear scan (see replaceEmails).
    if (mask === '<uuid>') out = replaceEmails(out, '<email>');
  }
  return out.replace(/\s+/g, ' ').trim();
}

/** The frames that decide the group: named in-app ones (library ones if there are none), recursion once. */
export function groupingFrames(frames: readonly StackFrame[]): StackFrame[] {
  const named = frames.filter((f) => f.function && !ANONYMOUS.test(normalizeFunctionName(f.function)));
  const inApp = named.filter((f) => f.inApp);
  const chosen = inApp.length > 0 ? inApp : named.slice(0, 3);
  const seen = new Set<string>();
  const out: StackFrame[] = [];
  for (const f of chosen) {
    const key = frameKey(f);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(f);
    if (out.length >= GROUPING_FRAMES) break;
  }
  return out;
}

function frameKey(f: StackFrame): string {
  const where = f.file ?? f.module;
  return `${normalizeFunctionName(f.function ?? '')} ${where ? normalizeFileName(where) : ''}`.trim();
}

const hash = (parts: readonly string[]): string =>
  createHash('sha256')
    .update([`v${FINGERPRINT_VERSION}`, ...parts].join('\n'))
    .digest('hex')
    .slice(0, 32);

export function fingerprintCrash(crash: CrashToFingerprint): CrashFingerprint {
  const frames =
    crash.frames && crash.frames.length > 0 ? framesFromInput(crash.frames) : parseStackTrace(crash.stackTrace).frames;
  const grouping = groupingFrames(frames);
  const top = grouping.find((f) => f.inApp) ?? grouping[0];
  const culprit = top?.function
    ? `${normalizeFunctionName(top.function)}${top.file ? ` (${normalizeFileName(top.file)})` : ''}`
    : null;
  const type = crash.crashType.trim();
  const defaultParts =
    grouping.length > 0
      ? { basis: 'stack' as const, parts: ['stack', type, ...grouping.map(frameKey)] }
      : {
          basis: 'message' as const,
          parts: ['message', type, normalizeMessage(crash.message ?? crash.stackTrace?.split('\n')[0] ?? '')],
        };
  const sdk = crash.sdkFingerprint?.filter((p) => typeof p === 'string' && p.length > 0) ?? [];
  if (sdk.length > 0) {
    const parts = sdk.flatMap((p) => (/^\{\{\s*default\s*\}\}$/.test(p) ? defaultParts.parts : [p]));
    return { fingerprint: hash(['sdk', ...parts]), version: FINGERPRINT_VERSION, basis: 'sdk', culprit, frames };
  }
  return {
    fingerprint: hash(defaultParts.parts),
    version: FINGERPRINT_VERSION,
    basis: defaultParts.basis,
    culprit,
    frames,
  };
}
