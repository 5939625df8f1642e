// The crashes each demo app suffers, as abstract frames that crash-traces.ts renders in
// each runtime's real trace format. Line numbers drift between versions and bundle names
// carry a per-version hash, so the traces of one crash differ from release to release the
// way real ones do; the group fingerprint ignores both.
export interface Frame {
  /** Function name; `<main>` is a Lua main chunk, null an anonymous function. */
  fn: string | null;
  /** Source file; web files hold `[hash]` where the bundler puts its content hash. */
  file: string;
  line: number;
  col: number;
  inApp: boolean;
}

export interface CrashKind {
  type: string;
  message: string;
  /** What Firefox and Safari say instead, where it differs. */
  messages?: { firefox?: string; safari?: string };
  level: 'fatal' | 'error';
  /**
   * true: the app caught it and reported it (an error; the session goes on). false: nothing
   * caught it (onerror, an unhandled rejection, a Lua error): a crash that ends its session.
   */
  handled: boolean;
  frames: readonly Frame[];
  /** Chance per session while a version that has the bug is running. */
  rate: number;
  /** Index into the app's versions of the first version with the bug. */
  sinceVersion: number;
  /** Index of the version that fixed it, if any. */
  fixedIn?: number;
  status: 'open' | 'resolved' | 'ignored';
  /** Memory in use when it happens (sandbox limit errors happen near the limit). */
  memoryMb: readonly [number, number];
  /** The page, screen or route it happens on; otherwise wherever the session was. */
  where?: string;
}

const f = (fn: string | null, file: string, line: number, col: number, inApp = true): Frame => ({
  fn,
  file,
  line,
  col,
  inApp,
});

export const SHOP_CRASHES: readonly CrashKind[] = [
  {
    type: 'TypeError',
    message: "Cannot read properties of undefined (reading 'price')",
    messages: {
      firefox: 'can\'t access property "price", item is undefined',
      safari: "undefined is not an object (evaluating 'item.price')",
    },
    level: 'error',
    handled: false,
    frames: [
      f('computeTotal', 'cart.[hash].js', 1, 18231),
      f('CartSummary', 'cart.[hash].js', 1, 19877),
      f('renderWithHooks', 'vendor.[hash].js', 2, 44120, false),
      f('performUnitOfWork', 'vendor.[hash].js', 2, 71833, false),
    ],
    rate: 0.004,
    sinceVersion: 0,
    status: 'open',
    memoryMb: [60, 220],
    where: '/cart',
  },
  {
    type: 'Error',
    message: 'Payment widget failed to load: timeout after 10000ms',
    level: 'error',
    handled: true,
    frames: [
      f('loadWidget', 'checkout.[hash].js', 1, 5032),
      f('mountPayment', 'checkout.[hash].js', 1, 6120),
      f(null, 'checkout.[hash].js', 1, 6388),
    ],
    rate: 0.003,
    sinceVersion: 1,
    fixedIn: 3,
    status: 'resolved',
    memoryMb: [60, 220],
    where: '/checkout',
  },
  {
    type: 'RangeError',
    message: 'Maximum call stack size exceeded',
    messages: { firefox: 'too much recursion' },
    level: 'error',
    handled: false,
    frames: [
      f('flattenCategories', 'search.[hash].js', 1, 901),
      f('flattenCategories', 'search.[hash].js', 1, 944),
      f('SearchFilters', 'search.[hash].js', 1, 2210),
      f('renderWithHooks', 'vendor.[hash].js', 2, 44120, false),
    ],
    rate: 0.008,
    sinceVersion: 3,
    status: 'open',
    memoryMb: [120, 380],
    where: '/search',
  },
  {
    type: 'ChunkLoadError',
    message: 'Loading chunk 412 failed. (timeout: https://shop.demo.test/static/js/412.[hash].js)',
    level: 'error',
    handled: true,
    frames: [
      f('__webpack_require__.f.j', 'runtime.[hash].js', 1, 3411),
      f('__webpack_require__.e', 'runtime.[hash].js', 1, 1102),
      f('loadRoute', 'main.[hash].js', 1, 88210),
    ],
    // Flaky networks make this the most common one; the router retries and reports it.
    rate: 0.006,
    sinceVersion: 0,
    status: 'ignored',
    memoryMb: [40, 160],
  },
];

// An API "session" is minutes of one instance's traffic, hence the higher per-session rates.
export const API_CRASHES: readonly CrashKind[] = [
  {
    type: 'Error',
    message: 'connect ECONNREFUSED 10.0.3.12:5432',
    level: 'error',
    handled: true,
    frames: [
      f('TCPConnectWrap.afterConnect [as oncomplete]', 'node:net', 1607, 16, false),
      f('Client._connectionCallback', '/srv/api/node_modules/pg/lib/client.js', 132, 24, false),
      f('Object.handler', '/srv/api/src/routes/orders.ts', 88, 13),
      f('processTicksAndRejections', 'node:internal/process/task_queues', 95, 5, false),
    ],
    rate: 0.012,
    sinceVersion: 0,
    status: 'ignored',
    memoryMb: [180, 420],
    where: 'GET /api/orders',
  },
  {
    type: 'TypeError',
    message: "Cannot destructure property 'currency' of 'req.body' as it is undefined.",
    level: 'fatal',
    handled: false,
    frames: [
      f('createPayment', '/srv/api/src/routes/payments.ts', 41, 11),
      f('Layer.handle [as handle_request]', '/srv/api/node_modules/express/lib/router/layer.js', 95, 5, false),
      f('next', '/srv/api/node_modules/express/lib/router/route.js', 149, 13, false),
    ],
    rate: 0.009,
    sinceVersion: 1,
    status: 'open',
    memoryMb: [180, 420],
    where: 'POST /api/payments',
  },
  {
    type: 'AbortError',
    message: 'The operation was aborted due to timeout',
    level: 'fatal',
    handled: false,
    frames: [
      f(null, 'node:internal/deps/undici/undici', 13502, 13, false),
      f('async fetchStock', '/srv/api/src/clients/inventory.ts', 27, 18),
      f('async reserveItems', '/srv/api/src/services/orders.ts', 143, 5),
      f('async Object.handler', '/srv/api/src/routes/orders.ts', 61, 20),
    ],
    rate: 0.009,
    sinceVersion: 0,
    fixedIn: 2,
    status: 'resolved',
    memoryMb: [180, 420],
    where: 'POST /api/orders',
  },
];

export const CALCULATOR_CRASHES: readonly CrashKind[] = [
  {
    type: 'lua_error',
    message: "attempt to index nil value 'user'",
    level: 'fatal',
    handled: false,
    frames: [f('loadUser', 'main.lua', 42, 0), f('onShow', 'profile.lua', 18, 0), f('<main>', 'main.lua', 15, 0)],
    rate: 0.005,
    sinceVersion: 0,
    status: 'open',
    memoryMb: [30, 70],
    where: 'profile.rml',
  },
  {
    type: 'sandbox_error',
    message: 'not enough memory (sandbox limit 128 MB)',
    level: 'fatal',
    handled: false,
    frames: [
      f('table.insert', '[C]', 0, 0, false),
      f('appendEntry', 'history.lua', 77, 0),
      f('render', 'history.lua', 31, 0),
      f('<main>', 'main.lua', 15, 0),
    ],
    rate: 0.003,
    sinceVersion: 1,
    fixedIn: 2,
    status: 'resolved',
    memoryMb: [124, 128],
    where: 'history.rml',
  },
  {
    type: 'lua_error',
    message: "bad argument #1 to 'format' (number expected, got string)",
    level: 'fatal',
    handled: false,
    frames: [
      f('string.format', '[C]', 0, 0, false),
      f('formatRate', 'converter.lua', 55, 0),
      f('onInput', 'converter.lua', 12, 0),
      f('<main>', 'main.lua', 15, 0),
    ],
    rate: 0.006,
    sinceVersion: 2,
    status: 'open',
    memoryMb: [30, 70],
    where: 'converter.rml',
  },
  {
    type: 'sandbox_error',
    message: 'instruction limit exceeded (10000000 instructions)',
    level: 'fatal',
    handled: false,
    frames: [f('search', 'history.lua', 102, 0), f('onQuery', 'history.lua', 58, 0), f('<main>', 'main.lua', 15, 0)],
    rate: 0.0015,
    sinceVersion: 0,
    status: 'ignored',
    memoryMb: [40, 90],
    where: 'history.rml',
  },
];
