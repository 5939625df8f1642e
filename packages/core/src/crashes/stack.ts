// Stack traces as text → frames, newest call first. Each runtime prints its own format:
// V8 (Node, Chrome, Edge), SpiderMonkey and JavaScriptCore (Firefox, Safari), Lua. A
// line that fits no format is skipped; a trace with no frame at all groups by its text.

export interface StackFrame {
  function: string | null;
  /** Module or package path when the runtime names one (Sentry frames). */
  module: string | null;
  file: string | null;
  line: number | null;
  column: number | null;
  /** The app's own code, as opposed to libraries, the runtime or the browser. */
  inApp: boolean;
}

export type StackFormat = 'v8' | 'gecko' | 'lua' | 'unknown';

const num = (value: string | undefined): number | null => (value === undefined ? null : Number(value));

/**
 * Frame lines longer than this are not frames (real ones stay well under 4 KB even with long
 * bundle URLs): skipped before any pattern runs, so a hostile 200 KB "line" costs nothing.
 */
export const MAX_FRAME_LINE = 8 * 1024;

// Frame lines are client text: every parser below is a linear scan or an anchored pattern
// without ambiguous quantifiers. The former regexes (`(.+?)…\s*$`) backtracked quadratically
// on "at a" + 200 KB of spaces + "x" and stalled the worker's one event loop for minutes.

const isSpace = (ch: string): boolean => ch !== '' && ch.trim() === '';

/** `file:line:col`, `file:line` or `file` (a trailing `)` dropped first when asked): the location parts. */
function splitLocation(
  text: string,
  dropParen: boolean,
): { file: string; line: number | null; column: number | null } | null {
  let rest = text.trimEnd();
  if (dropParen && rest.endsWith(')')) rest = rest.slice(0, -1);
  const numbers: number[] = [];
  // Up to two trailing `:digits`, each leaving a non-empty location before it.
  while (numbers.length < 2) {
    let i = rest.length;
    while (i > 0 && rest.charCodeAt(i - 1) >= 48 && rest.charCodeAt(i - 1) <= 57) i--;
    if (i === rest.length || i < 2 || rest[i - 1] !== ':') break;
    numbers.unshift(Number(rest.slice(i)));
    rest = rest.slice(0, i - 1);
  }
  if (rest.length === 0) return null;
  return { file: rest, line: numbers[0] ?? null, column: numbers[1] ?? null };
}

/** `rest` with `word` + whitespace removed from its start, or null when it does not start so. */
function afterWord(rest: string, word: string): string | null {
  if (!rest.startsWith(word) || !isSpace(rest.charAt(word.length))) return null;
  return rest.slice(word.length).trimStart();
}

function isV8(line: string): boolean {
  return line.length <= MAX_FRAME_LINE && /^\s*at\s/.test(line);
}

function isGecko(line: string): boolean {
  if (line.length > MAX_FRAME_LINE) return false;
  const trimmed = line.trim();
  const at = trimmed.indexOf('@');
  if (at === -1) return false;
  const where = trimmed.slice(at + 1);
  if (where === '[native code]') return true;
  // `\S.*:\d+(:\d+)?` after the `@`: a location ending in a line number.
  if (where.length === 0 || isSpace(where.charAt(0))) return false;
  const location = splitLocation(where, false);
  return location !== null && location.line !== null && location.file.length > 0;
}

const LUA_WHERE = /:\s+in\s+(?:function|main chunk|local|method|field|upvalue|\?|global|for iterator)/;

function isLua(line: string): boolean {
  return line.length <= MAX_FRAME_LINE && LUA_WHERE.test(line);
}

/** Which runtime printed the trace, by its frame lines. */
export function detectStackFormat(text: string): StackFormat {
  const lines = text.split('\n');
  if (lines.some(isV8)) return 'v8';
  if (lines.some(isLua)) return 'lua';
  if (lines.some(isGecko)) return 'gecko';
  return 'unknown';
}

const CHUNK_NAME = /(?:^|[/.-])(?:vendors?|polyfills?|runtime~?|chunk-vendors|framework)[.-]/gi;
const CHUNK_CHAR = /[\w.-]/;

/**
 * A bundler's library chunk: `vendors~main.3f2a.js`, `polyfills-es2015.js`, `chunk-vendors.js`.
 * It was `/(^|[/.-])(names)[.-][\w.-]*\.js$/i`, which rescanned the tail from every name in
 * "-vendor-vendor-…" (quadratic). The tail is computed once instead; a name counts when the
 * `[\w.-]*` run after it reaches the `.js` at the end.
 */
function isVendorChunk(file: string): boolean {
  if (!/\.js$/i.test(file)) return false;
  let tail = file.length - 3;
  while (tail > 0 && CHUNK_CHAR.test(file.charAt(tail - 1))) tail--;
  CHUNK_NAME.lastIndex = Math.max(0, tail - 16);
  for (let m = CHUNK_NAME.exec(file); m; m = CHUNK_NAME.exec(file)) {
    const end = m.index + m[0].length;
    if (end >= tail && end <= file.length - 3) return true;
    // Names may overlap ("-vendor-vendors-"): resume right after this match's start.
    CHUNK_NAME.lastIndex = m.index + 1;
  }
  return false;
}

/** Library, runtime and browser code: never the app's own. */
export function isLibraryFile(file: string | null): boolean {
  if (!file) return true;
  return (
    /(^|[/\\])(node_modules|bower_components|vendor|vendors|third[-_]party|jspm_packages)([/\\]|$)/i.test(file) ||
    /^(node:|internal\/|native|\[native code\]|\[C\]|<anonymous>|\(native\)|webpack\/bootstrap)/.test(file) ||
    /^(chrome|moz|safari(-web)?)-extension:\/\//.test(file) ||
    isVendorChunk(file) ||
    /\.min\.js$/i.test(file) ||
    file === '=[C]' ||
    file === '[C]'
  );
}

function frame(fn: string | null, file: string | null, line: number | null, column: number | null): StackFrame {
  const cleanFn = fn?.trim() || null;
  return { function: cleanFn, module: null, file, line, column, inApp: !isLibraryFile(file) };
}

/** The index of the first whitespace that `(` follows, past the start: where `fn (location)` splits. */
function openParen(rest: string): number {
  for (let paren = rest.indexOf('(', 2); paren !== -1; paren = rest.indexOf('(', paren + 1)) {
    if (isSpace(rest.charAt(paren - 1))) return paren;
  }
  return -1;
}

// `    at fn (file:line:col)`, `    at async fn (file:line:col)`, `    at file:line:col`,
// `    at fn (native)`, `    at new Foo (file:line:col)`, eval frames keep their outer location.
function parseV8Line(line: string): StackFrame | null {
  if (line.length > MAX_FRAME_LINE) return null;
  let rest = afterWord(line.trim(), 'at');
  if (rest === null) return null;
  rest = afterWord(rest, 'async') ?? rest;
  let fn: string | null = null;
  const paren = openParen(rest);
  if (paren !== -1 && rest.slice(paren + 1).trim().length > 0) {
    fn = rest.slice(0, paren);
    rest = rest.slice(paren + 1);
  }
  if (rest.startsWith('eval at ')) {
    const comma = rest.indexOf(',', 9);
    if (comma !== -1 && rest.slice(comma + 1).trim().length > 0) rest = rest.slice(comma + 1).trimStart();
  }
  const location = splitLocation(rest, true);
  if (!location) return null;
  if (location.file === 'native' || location.file === '<anonymous>') return frame(fn, location.file, null, null);
  return frame(fn, location.file, location.line, location.column);
}

// `fn@file:line:col`, `@file:line:col`, `async*fn@file:line:col`, `global code@file:line:col`,
// `fn@[native code]`.
function parseGeckoLine(line: string): StackFrame | null {
  if (line.length > MAX_FRAME_LINE) return null;
  let rest = line.trim();
  if (rest.startsWith('async*')) rest = rest.slice(6);
  const at = rest.indexOf('@');
  if (at === -1) return null;
  const location = splitLocation(rest.slice(at + 1), false);
  if (!location) return null;
  const name = rest.slice(0, at);
  const fn = name === '' || name === 'global code' ? null : name;
  return frame(fn, location.file, location.line, location.column);
}

const LUA_IN = /^\s+in\s+/;
const LUA_LINE = /^(\d+):/;
const LUA_NAMED = /^(?:function|local|method|field|upvalue|global)\s+'([^']+)'/;

// `main.lua:42: in function 'loadUser'`, `… in local 'x'`, `… in method 'save'`,
// `… in field 'run'`, `… in upvalue 'f'`, `… in main chunk`, `… in function <main.lua:12>`,
// `[C]: in function 'error'`, `[C]: in ?`.
function parseLuaLine(line: string): StackFrame | null {
  if (line.length > MAX_FRAME_LINE) return null;
  const text = line.trim();
  const colon = text.indexOf(':');
  if (colon < 1) return null;
  const file = text.slice(0, colon);
  let rest = text.slice(colon + 1);
  let lineNo: string | undefined;
  const numbered = LUA_LINE.exec(rest);
  if (numbered && LUA_IN.test(rest.slice(numbered[0].length))) {
    lineNo = numbered[1];
    rest = rest.slice(numbered[0].length);
  }
  const lead = LUA_IN.exec(rest);
  if (!lead) return null;
  const where = rest.slice(lead[0].length);
  if (where.length === 0) return null;
  let fn: string | null = null;
  const named = LUA_NAMED.exec(where);
  if (named) fn = named[1] ?? null;
  else if (where === 'main chunk') fn = '<main>';
  // `in function <main.lua:12>` names no function: anonymous.
  return frame(fn, file, num(lineNo), null);
}

/** Frames of a trace, newest call first (every supported runtime prints that order). */
export function parseStackTrace(text: string | null | undefined): { format: StackFormat; frames: StackFrame[] } {
  if (!text) return { format: 'unknown', frames: [] };
  const format = detectStackFormat(text);
  const parse =
    format === 'v8' ? parseV8Line : format === 'lua' ? parseLuaLine : format === 'gecko' ? parseGeckoLine : null;
  if (!parse) return { format, frames: [] };
  const frames: StackFrame[] = [];
  for (const line of text.split('\n')) {
    if (format === 'v8' && !isV8(line)) continue;
    if (format === 'lua' && (!isLua(line) || /^\s*stack traceback:/.test(line))) continue;
    if (format === 'gecko' && !isGecko(line)) continue;
    const parsed = parse(line);
    if (parsed) frames.push(parsed);
    if (frames.length >= 250) break;
  }
  return { format, frames };
}

/** Frames an SDK sent already structured (Sightline or Sentry shape), newest first. */
export function framesFromInput(
  frames: ReadonlyArray<{
    function?: string | null;
    module?: string | null;
    file?: string | null;
    line?: number | null;
    column?: number | null;
    in_app?: boolean | null;
  }>,
): StackFrame[] {
  return frames.map((f) => ({
    function: f.function?.trim() || null,
    module: f.module ?? null,
    file: f.file ?? null,
    line: f.line ?? null,
    column: f.column ?? null,
    inApp: typeof f.in_app === 'boolean' ? f.in_app : !isLibraryFile(f.file ?? f.module ?? null),
  }));
}
