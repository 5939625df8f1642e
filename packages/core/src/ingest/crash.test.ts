import { describe, expect, it } from 'vitest';
import { isHandled } from './crash.ts';
import { crashInput } from './schemas.ts';

// POST /v1/telemetry/crash: an app reporting that it died (a Lua error, a native crash) is a
// crash unless it says it caught the error itself.

const body = (crash: Record<string, unknown>) => ({
  app_id: 'com.example.calc',
  app_version: '1.2.0',
  device_id: 'device-1',
  crash: { type: 'lua_error', message: "attempt to index nil value 'user'", ...crash },
});

describe('crash or handled error, as the REST body says', () => {
  it('takes a report with no word on it as a crash, whatever its level', () => {
    expect(isHandled(crashInput.parse(body({})).crash)).toBe(false);
    expect(isHandled(crashInput.parse(body({ level: 'error' })).crash)).toBe(false);
  });

  it('takes handled: true as an error, unless the level says the app died', () => {
    expect(isHandled(crashInput.parse(body({ level: 'error', handled: true })).crash)).toBe(true);
    expect(isHandled(crashInput.parse(body({ level: 'fatal', handled: true })).crash)).toBe(false);
    expect(isHandled(crashInput.parse(body({ level: 'error', handled: false })).crash)).toBe(false);
  });

  it('refuses a handled that is not a boolean, naming the field', () => {
    const parsed = crashInput.safeParse(body({ handled: 'yes' }));
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['crash', 'handled']);
  });
});
