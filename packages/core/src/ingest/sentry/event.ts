import { MAX_STACK_FRAMES, type CrashInput, type StackFrameInput } from '../schemas.ts';
import { list, object, sentryTime, text, int } from './fields.ts';

// A Sentry error event → a Sightline crash payload.

interface SentryException {
  type?: string;
  value?: string;
  module?: string;
  frames: StackFrameInput[];
  mechanism?: Record<string, unknown>;
}

function exceptionsOf(event: Record<string, unknown>): SentryException[] {
  return list(event.exception)
    .map(object)
    .filter((e): e is Record<string, unknown> => e !== undefined)
    .map((e) => {
      const frames = list(object(e.stacktrace)?.frames)
        .map(object)
        .filter((f): f is Record<string, unknown> => f !== undefined)
        .map((f): StackFrameInput => ({
          function: text(f.function, 500) ?? null,
          module: text(f.module, 500) ?? null,
          file: text(f.filename ?? f.abs_path, 2000) ?? null,
          line: int(f.lineno) ?? null,
          column: int(f.colno) ?? null,
          in_app: typeof f.in_app === 'boolean' ? f.in_app : null,
        }))
        // Sentry lists the oldest call first; crash reports keep the newest first.
        .reverse()
        .slice(0, MAX_STACK_FRAMES);
      return {
        type: text(e.type, 200),
        value: text(e.value, 8000),
        module: text(e.module, 500),
        frames,
        mechanism: object(e.mechanism),
      };
    });
}

function renderStack(exceptions: SentryException[]): string | undefined {
  if (exceptions.length === 0 || exceptions.every((e) => e.frames.length === 0)) return undefined;
  // The outermost exception is last in Sentry's list; print it first, its causes after.
  return [...exceptions]
    .reverse()
    .map((e, i) => {
      const head = `${i > 0 ? 'Caused by: ' : ''}${e.type ?? 'Error'}${e.value ? `: ${e.value}` : ''}`;
      const frames = e.frames.map((f) => {
        const where = [f.file ?? f.module ?? '<unknown>', f.line, f.column].filter((p) => p != null).join(':');
        return f.function ? `    at ${f.function} (${where})` : `    at ${where}`;
      });
      return [head, ...frames].join('\n');
    })
    .join('\n')
    .slice(0, 256 * 1024);
}

function messageOf(event: Record<string, unknown>): string | undefined {
  const logentry = object(event.logentry) ?? object(event.message);
  return text(logentry?.formatted ?? logentry?.message, 8000) ?? text(event.message, 8000);
}

function tagsOf(value: unknown): Record<string, string> | undefined {
  const pairs: Array<[unknown, unknown]> = Array.isArray(value)
    ? value.filter(Array.isArray).map((p) => [p[0], p[1]] as [unknown, unknown])
    : Object.entries(object(value) ?? {});
  const tags: Record<string, string> = {};
  for (const [key, tagValue] of pairs.slice(0, 100)) {
    const k = text(key, 200);
    const v = text(tagValue, 200) ?? (typeof tagValue === 'boolean' ? String(tagValue) : undefined);
    if (k && v) tags[k] = v;
  }
  return Object.keys(tags).length > 0 ? tags : undefined;
}

const LEVELS: Record<string, CrashInput['crash']['level']> = {
  fatal: 'fatal',
  error: 'error',
  warning: 'warning',
  info: 'info',
  debug: 'info',
  log: 'info',
};

/**
 * A Sentry error event → a Sightline crash payload (validated afterwards like any other):
 * exceptions and their frames, release as the app version, environment, user, tags, and
 * breadcrumbs; contexts, extra, request and the SDK's own details go into `context`.
 */
export function sentryEventToCrash(
  event: Record<string, unknown>,
  device: { deviceKey: string },
  attachments: Array<{ filename: string; size: number; content_type?: string }> = [],
): CrashInput {
  const exceptions = exceptionsOf(event);
  const main = exceptions.at(-1);
  const contexts = object(event.contexts) ?? {};
  const os = object(contexts.os);
  const deviceContext = object(contexts.device);
  const user = object(event.user);
  const level =
    (typeof event.level === 'string' && Object.hasOwn(LEVELS, event.level) ? LEVELS[event.level] : undefined) ??
    (main?.mechanism?.handled === false ? 'fatal' : 'error');
  const message = main?.value ?? messageOf(event);
  const context: Record<string, unknown> = {
    sentry: {
      event_id: text(event.event_id, 64),
      platform: text(event.platform, 64),
      sdk: object(event.sdk)
        ? { name: text(object(event.sdk)?.name, 100), version: text(object(event.sdk)?.version, 64) }
        : undefined,
      server_name: text(event.server_name, 200),
      transaction: text(event.transaction, 500),
      logger: text(event.logger, 200),
      fingerprint: Array.isArray(event.fingerprint)
        ? event.fingerprint.slice(0, 20).map((f) => String(f).slice(0, 200))
        : undefined,
      mechanism: main?.mechanism,
      exceptions: exceptions.length > 1 ? exceptions.map((e) => ({ type: e.type, value: e.value })) : undefined,
    },
    ...(Object.keys(contexts).length > 0 ? { contexts } : {}),
    ...(object(event.extra) ? { extra: event.extra } : {}),
    ...(object(event.request) ? { request: event.request } : {}),
    ...(user ? { user: { id: user.id, username: user.username, segment: user.segment } } : {}),
    ...(attachments.length > 0 ? { attachments } : {}),
  };
  // All of them: capCrashParts keeps the newest and says how many there were.
  const breadcrumbs = list(event.breadcrumbs);
  return {
    app_version: text(event.release, 64) ?? null,
    device_id: device.deviceKey,
    user_id: text(user?.id, 200) ?? null,
    environment: text(event.environment, 64) ?? null,
    os: text(os?.name, 64) ?? null,
    os_version: text(os?.version, 64) ?? null,
    device_model: text(deviceContext?.model, 100) ?? null,
    timestamp: sentryTime(event.timestamp),
    crash: {
      type: main?.type ?? (main ? 'Error' : 'Message'),
      message: message ?? null,
      stack_trace: renderStack(exceptions) ?? null,
      frames: main?.frames,
      fingerprint: Array.isArray(event.fingerprint)
        ? event.fingerprint
            .slice(0, 20)
            .map((f) => String(f).slice(0, 200))
            .filter((f) => f.length > 0)
        : undefined,
      level,
      // Sentry's rule: an exception its SDK caught in a global handler says handled: false;
      // no mechanism, or handled true, is an error the app caught (a fatal level is a crash anyway).
      handled: !exceptions.some((e) => e.mechanism?.handled === false),
      context,
      breadcrumbs: breadcrumbs.length > 0 ? breadcrumbs : undefined,
      tags: tagsOf(event.tags),
    },
  };
}
