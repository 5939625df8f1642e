import { describe, expect, it } from 'vitest';
import { fingerprintCrash, normalizeFileName, normalizeMessage, type CrashToFingerprint } from './fingerprint.ts';
import { parseStackTrace } from './stack.ts';

// Real-world shaped traces per runtime. Each case: crashes that are one bug (across
// releases, line shifts, bundle hashes, deploy paths, engines) must share a fingerprint;
// crashes that are different bugs — even with the same message — must not.

const crash = (crashType: string, stackTrace: string | null, message: string | null = null): CrashToFingerprint => ({
  crashType,
  message,
  stackTrace,
});

const LUA_V1 = `main.lua:42: attempt to index a nil value (field 'user')
stack traceback:
	[C]: in ?
	main.lua:42: in function 'loadUser'
	main.lua:88: in function 'onLogin'
	ui/button.lua:17: in function <ui/button.lua:12>
	[C]: in function 'xpcall'
	main.lua:120: in main chunk
	[C]: ?`;
const LUA_V2 = `main.lua:47: attempt to index a nil value (field 'user')
stack traceback:
	[C]: in ?
	main.lua:47: in upvalue 'loadUser'
	main.lua:95: in local 'onLogin'
	ui/button.lua:19: in function <ui/button.lua:12>
	[C]: in function 'xpcall'
	main.lua:131: in main chunk`;
const LUA_RECURSIVE = `main.lua:47: attempt to index a nil value (field 'user')
stack traceback:
	main.lua:47: in function 'loadUser'
	main.lua:47: in function 'loadUser'
	main.lua:47: in function 'loadUser'
	main.lua:95: in function 'onLogin'`;
const LUA_OTHER = `profile.lua:12: attempt to index a nil value (field 'user')
stack traceback:
	profile.lua:12: in method 'Profile:save'
	main.lua:60: in function 'onSave'`;

const NODE_V1 = `TypeError: Cannot read properties of undefined (reading 'id')
    at loadUser (/srv/app/dist/users.js:42:17)
    at async UserController.show (/srv/app/dist/controllers/user.js:18:5)
    at async /srv/app/node_modules/express/lib/router/layer.js:95:5`;
const NODE_V2 = `TypeError: Cannot read properties of undefined (reading 'id')
    at Object.loadUser [as load] (/opt/releases/2.3.0/dist/users.js:51:9)
    at async UserController.show (/opt/releases/2.3.0/dist/controllers/user.js:21:5)
    at async Layer.handle (/opt/releases/2.3.0/node_modules/express/lib/router/layer.js:95:5)
    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)`;
const NODE_OTHER = `TypeError: Cannot read properties of undefined (reading 'id')
    at loadOrder (/srv/app/dist/orders.js:10:3)
    at async OrderController.show (/srv/app/dist/controllers/order.js:12:5)`;

const CHROME_V1 = `TypeError: Cannot read properties of null (reading 'addEventListener')
    at initCart (https://shop.example.com/static/js/main.3f9a2c1b.js:2:10512)
    at HTMLDocument.<anonymous> (https://shop.example.com/static/js/main.3f9a2c1b.js:2:11874)
    at https://shop.example.com/static/js/vendors.8d7e6f5a.js:1:4410`;
const CHROME_V2 = `TypeError: Cannot read properties of null (reading 'addEventListener')
    at initCart (https://shop.example.com/static/js/main.9b8c7d6e.js:2:11023)
    at HTMLDocument.<anonymous> (https://shop.example.com/static/js/main.9b8c7d6e.js:2:12410)`;
const FIREFOX = `initCart@https://shop.example.com/static/js/main.3f9a2c1b.js:2:10512
@https://shop.example.com/static/js/main.3f9a2c1b.js:2:11874
`;
const SAFARI = `initCart@https://shop.example.com/static/js/main.3f9a2c1b.js:2:10512
global code@https://shop.example.com/static/js/main.3f9a2c1b.js:2:11874`;
const CHROME_OTHER = `TypeError: Cannot read properties of null (reading 'addEventListener')
    at initSearch (https://shop.example.com/static/js/main.3f9a2c1b.js:2:20311)
    at HTMLDocument.<anonymous> (https://shop.example.com/static/js/main.3f9a2c1b.js:2:11874)`;

const sentryFrames = (pickLine: number, fn = 'pick') => ({
  crashType: 'RangeError',
  message: 'index 9 out of range',
  stackTrace: null,
  frames: [
    { function: fn, file: 'app:///list.js', line: pickLine, column: 12, in_app: true },
    { function: 'boot', file: 'app:///main.js', line: 3, column: 1, in_app: true },
    { function: 'dispatch', file: 'app:///node_modules/react-dom/index.js', line: 900, in_app: false },
  ],
});

const same: Array<[string, CrashToFingerprint[]]> = [
  [
    'Lua across releases, line shifts and Lua 5.1/5.4 frame wording',
    [crash('lua_error', LUA_V1), crash('lua_error', LUA_V2)],
  ],
  ['Lua recursion counts once', [crash('lua_error', LUA_V2), crash('lua_error', LUA_RECURSIVE)]],
  [
    'Node across releases, deploy paths, receivers and aliases',
    [crash('TypeError', NODE_V1), crash('TypeError', NODE_V2)],
  ],
  [
    'one browser bug across bundle hashes and engines (Chrome, Firefox, Safari)',
    [
      crash('TypeError', CHROME_V1),
      crash('TypeError', CHROME_V2),
      crash('TypeError', FIREFOX, 'e is null'),
      crash('TypeError', SAFARI, "null is not an object (evaluating 'e.addEventListener')"),
    ],
  ],
  ['Sentry frames across line shifts', [sentryFrames(40), sentryFrames(57)]],
  [
    'no stack: messages differing only in ids, numbers, URLs and quoted values',
    [
      crash('NetworkError', null, 'GET https://api.example.com/users/123 failed with 503 after 3000 ms'),
      crash('NetworkError', null, 'GET https://api.example.com/users/9 failed with 502 after 2875 ms'),
    ],
  ],
  [
    'no stack: uuids, emails and quoted values',
    [
      crash('Error', null, "user 'ada@example.com' has no cart 0b7e3a52-8f7c-4f6e-9d2a-1c3b5e7f9a0b"),
      crash('Error', null, "user 'bob@example.org' has no cart 5d1c2b3a-0000-4e6f-8d2a-9c3b5e7f1111"),
    ],
  ],
  [
    'an SDK fingerprint wins over the stack',
    [
      { ...crash('TypeError', NODE_V1), sdkFingerprint: ['checkout-timeout'] },
      { ...crash('TypeError', NODE_OTHER), sdkFingerprint: ['checkout-timeout'] },
    ],
  ],
];

const different: Array<[string, CrashToFingerprint[]]> = [
  ['Lua: same message, different functions', [crash('lua_error', LUA_V1), crash('lua_error', LUA_OTHER)]],
  ['Node: same message, different code', [crash('TypeError', NODE_V1), crash('TypeError', NODE_OTHER)]],
  ['browser: same message, different code', [crash('TypeError', CHROME_V1), crash('TypeError', CHROME_OTHER)]],
  ['Sentry frames: a different function', [sentryFrames(40), sentryFrames(40, 'choose')]],
  ['same frames, a different crash type', [crash('TypeError', NODE_V1), crash('RangeError', NODE_V1)]],
  ['no stack: different messages', [crash('Error', null, 'cart not found'), crash('Error', null, 'cart expired')]],
  [
    '{{ default }} plus a part of its own',
    [
      { ...crash('TypeError', NODE_V1), sdkFingerprint: ['{{ default }}', 'tenant-a'] },
      { ...crash('TypeError', NODE_V1), sdkFingerprint: ['{{ default }}', 'tenant-b'] },
    ],
  ],
];

describe('fingerprintCrash', () => {
  it.each(same)('groups together: %s', (_name, crashes) => {
    const prints = new Set(crashes.map((c) => fingerprintCrash(c).fingerprint));
    expect(prints.size).toBe(1);
  });

  it.each(different)('keeps apart: %s', (_name, crashes) => {
    const prints = new Set(crashes.map((c) => fingerprintCrash(c).fingerprint));
    expect(prints.size).toBe(crashes.length);
  });

  it('says where it broke and on what it grouped', () => {
    expect(fingerprintCrash(crash('lua_error', LUA_V1))).toMatchObject({
      basis: 'stack',
      culprit: 'loadUser (main.lua)',
      version: 1,
    });
    expect(fingerprintCrash(crash('TypeError', CHROME_V1))).toMatchObject({ culprit: 'initCart (main.js)' });
    expect(fingerprintCrash(crash('Error', null, 'boom'))).toMatchObject({ basis: 'message', culprit: null });
    expect(fingerprintCrash({ ...crash('Error', null, 'boom'), sdkFingerprint: ['x'] }).basis).toBe('sdk');
  });
});

describe('parseStackTrace', () => {
  it('reads V8 frames with their locations and tells app code from libraries and the runtime', () => {
    const { format, frames } = parseStackTrace(NODE_V2);
    expect(format).toBe('v8');
    expect(frames.map((f) => [f.function, f.line, f.column, f.inApp])).toEqual([
      ['Object.loadUser [as load]', 51, 9, true],
      ['UserController.show', 21, 5, true],
      ['Layer.handle', 95, 5, false],
      ['process.processTicksAndRejections', 95, 5, false],
    ]);
  });

  it('reads Firefox/Safari and Lua frames', () => {
    expect(parseStackTrace(SAFARI)).toMatchObject({
      format: 'gecko',
      frames: [
        { function: 'initCart', line: 2, column: 10512, inApp: true },
        { function: null, line: 2, column: 11874 },
      ],
    });
    const lua = parseStackTrace(LUA_V1);
    expect(lua.format).toBe('lua');
    expect(lua.frames.map((f) => [f.function, f.file, f.line, f.inApp])).toEqual([
      [null, '[C]', null, false],
      ['loadUser', 'main.lua', 42, true],
      ['onLogin', 'main.lua', 88, true],
      [null, 'ui/button.lua', 17, true],
      ['xpcall', '[C]', null, false],
      ['<main>', 'main.lua', 120, true],
    ]);
  });

  it('finds no frames in text that is not a trace', () => {
    expect(parseStackTrace('Segmentation fault (core dumped)').frames).toEqual([]);
    expect(parseStackTrace('contact ada@example.com for help').frames).toEqual([]);
  });
});

describe('normalizers', () => {
  it('drops bundle hashes from file names and volatile parts from messages', () => {
    expect(normalizeFileName('https://cdn.example.com/js/main.3f9a2c1b.js?v=2')).toBe('main.js');
    expect(normalizeFileName('/static/chunk-5f3e9a12.js')).toBe('chunk.js');
    expect(normalizeFileName('src/user-service.ts')).toBe('user-service.ts');
    expect(normalizeMessage('Timeout after 3000ms at 10.0.0.7:5432 (0xdeadbeef)')).toBe(
      'Timeout after <n>ms at <ip> (<hex>)',
    );
  });
});
