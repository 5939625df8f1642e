// Renders the catalog's abstract frames in each runtime's trace format, and derives the
// placeholder fingerprint and culprit of a crash kind.
import { createHash } from 'node:crypto';
import { fingerprintCrash } from '@sightline/core';
import type { CrashKind, Frame } from './crash-catalog.ts';

export type StackStyle = 'chrome' | 'firefox' | 'node' | 'lua';

const SHOP_ORIGIN = 'https://shop.demo.test/static/js/';

function bundleHash(file: string, version: string): string {
  return createHash('sha256').update(`${version}/${file}`).digest('hex').slice(0, 6);
}

/** Frames as this version's build produced them: code moved, bundles were renamed. */
function framesFor(kind: CrashKind, versionIndex: number, version: string): Frame[] {
  return kind.frames.map((frame, depth) => ({
    ...frame,
    file: frame.file.replace('[hash]', bundleHash(frame.file, version)),
    line: frame.inApp && frame.line > 1 ? frame.line + versionIndex * (3 + depth) : frame.line,
    col: frame.inApp && frame.line === 1 ? frame.col + versionIndex * 211 : frame.col,
  }));
}

function renderFrame(frame: Frame, style: StackStyle): string {
  const url = frame.file.startsWith('/') || frame.file.startsWith('node:') ? frame.file : SHOP_ORIGIN + frame.file;
  switch (style) {
    case 'lua':
      if (frame.file === '[C]') return `[C]: in function '${frame.fn ?? '?'}'`;
      return frame.fn === '<main>'
        ? `${frame.file}:${frame.line}: in main chunk`
        : `${frame.file}:${frame.line}: in function '${frame.fn ?? '?'}'`;
    case 'firefox':
      return `${frame.fn ?? ''}@${url}:${frame.line}:${frame.col}`;
    case 'chrome':
    case 'node':
      return frame.fn
        ? `    at ${frame.fn} (${url}:${frame.line}:${frame.col})`
        : `    at ${url}:${frame.line}:${frame.col}`;
  }
}

export function messageFor(kind: CrashKind, browser: string | null): string {
  if (browser === 'Firefox') return kind.messages?.firefox ?? kind.message;
  if (browser === 'Safari') return kind.messages?.safari ?? kind.message;
  return kind.message;
}

/** The trace text a report from this version and runtime carries. */
export function renderStack(
  kind: CrashKind,
  versionIndex: number,
  version: string,
  style: StackStyle,
  browser: string | null,
): string {
  const lines = framesFor(kind, versionIndex, version).map((frame) => renderFrame(frame, style));
  // V8 puts "Type: message" first; SpiderMonkey, JavaScriptCore and Lua tracebacks do not.
  if (style === 'chrome' || style === 'node') lines.unshift(`${kind.type}: ${messageFor(kind, browser)}`);
  return lines.join('\n');
}

export function stackStyle(platform: string, browser: string | null): StackStyle {
  if (platform === 'LUA') return 'lua';
  if (platform === 'NODE') return 'node';
  return browser === 'Firefox' || browser === 'Safari' ? 'firefox' : 'chrome';
}

function normalisedFile(file: string): string {
  return file.replace('.[hash]', '');
}

/**
 * The group a demo crash falls into, by the same fingerprinting that groups ingested
 * crashes: a real crash of the same bug, sent later, joins the seeded group.
 */
export function demoFingerprint(kind: CrashKind, style: StackStyle): string {
  return fingerprintCrash({
    crashType: kind.type,
    message: kind.message,
    stackTrace: renderStack(kind, kind.sinceVersion, '0.0.0', style, null),
  }).fingerprint;
}

/** The top in-app frame, which the crash list shows as "where". */
export function culpritOf(kind: CrashKind): string | null {
  const top = kind.frames.find((frame) => frame.inApp);
  return top ? `${top.fn ?? '<anonymous>'} (${normalisedFile(top.file)})` : null;
}
