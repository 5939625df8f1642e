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

// `    at fn (file:line:col)`, `    at async fn (file:line:col)`, `    at file:line:col`,
// `    at fn (native)`, `    at new Foo (file:line:col)`, eval frames keep their outer location.
const V8_FRAME = /^\s*at\s+(?:(async)\s+)?(?:(.+?)\s+\()?(?:eval at [^,]+,\s*)?(.+?)(?::(\d+))?(?::(\d+))?\)?\s*$/;
// `fn@file:line:col`, `@file:line:col`, `async*fn@file:line:col`, `global code@file:line:col`,
// `fn@[native code]`.
const GECKO_FRAME = /^\s*(?:async\*)?([^@]*)@(.+?)(?::(\d+))?(?::(\d+))?\s*$/;
// `main.lua:42: in function 'loadUser'`, `… in local 'x'`, `… in method 'save'`,
// `… in field 'run'`, `… in upvalue 'f'`, `… in main chunk`, `… in function <main.lua:12>`,
// `[C]: in function 'error'`, `[C]: in ?`.
const LUA_FRAME = /^\s*([^:\s][^:]*?|\[C\]):(?:(\d+):)?\s+in\s+(.+?)\s*$/;

function isV8(line: string): boolean {
  return /^\s*at\s/.test(line);
}

function isGecko(line: string): boolean {
  return /^[^@]*@(?:\S.*:\d+(?::\d+)?|\[native code\])\s*$/.test(line.trim());
}

function isLua(line: string): boolean {
  return /:\s+in\s+(function|main chunk|local|method|field|upvalue|\?|global|for iterator)/.test(line);
}

/** Which runtime printed the trace, by its frame lines. */
export function detectStackFormat(text: string): StackFormat {
  const lines = text.split('\n');
  if (lines.some(isV8)) return 'v8';
  if (lines.some(isLua)) return 'lua';
  if (lines.some(isGecko)) return 'gecko';
  return 'unknown';
}

/** Library, runtime and browser code: never the app's own. */
export function isLibraryFile(file: string | null): boolean {
  if (!file) return true;
  return (
    /(^|[/\\])(node_modules|bower_components|vendor|vendors|third[-_]party|jspm_packages)([/\\]|$)/i.test(file) ||
    /^(node:|internal\/|native|\[native code\]|\[C\]|<anonymous>|\(native\)|webpack\/bootstrap)/.test(file) ||
    /^(chrome|moz|safari(-web)?)-extension:\/\//.test(file) ||
    /(^|[/.-])(vendors?|polyfills?|runtime~?|chunk-vendors|framework)[.-][\w.-]*\.js$/i.test(file) ||
    /\.min\.js$/i.test(file) ||
    file === '=[C]' ||
    file === '[C]'
  );
}

function frame(fn: string | null, file: string | null, line: number | null, column: number | null): StackFrame {
  const cleanFn = fn?.trim() || null;
  return { function: cleanFn, module: null, file, line, column, inApp: !isLibraryFile(file) };
}

function parseV8Line(line: string): StackFrame | null {
  const m = V8_FRAME.exec(line);
  if (!m) return null;
  const [, , fn, location] = m;
  if (location === 'native' || location === '<anonymous>') return frame(fn ?? null, location, null, null);
  return frame(fn ?? null, location ?? null, num(m[4]), num(m[5]));
}

function parseGeckoLine(line: string): StackFrame | null {
  const m = GECKO_FRAME.exec(line);
  if (!m) return null;
  const fn = m[1] === '' || m[1] === 'global code' ? null : (m[1] ?? null);
  return frame(fn, m[2] ?? null, num(m[3]), num(m[4]));
}

function parseLuaLine(line: string): StackFrame | null {
  const m = LUA_FRAME.exec(line);
  if (!m) return null;
  const [, file, lineNo, where = ''] = m;
  let fn: string | null = null;
  const named = /^(?:function|local|method|field|upvalue|global)\s+'([^']+)'/.exec(where);
  if (named) fn = named[1] ?? null;
  else if (where === 'main chunk') fn = '<main>';
  // `in function <main.lua:12>` names no function: anonymous.
  return frame(fn, file ?? null, num(lineNo), null);
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
