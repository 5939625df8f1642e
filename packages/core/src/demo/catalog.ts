// What the demo organization's three apps look like: screens, routes, versions and the
// crashes each one suffers, with stack traces in each platform's real format.

export type DemoPlatform = 'WEB' | 'NODE' | 'LUA';

export interface CrashKind {
  type: string;
  message: string;
  stack: string;
  /** Chance per session, once the version that introduced it is running. */
  rate: number;
  /** Index into the app's versions of the first version that has the bug. */
  sinceVersion: number;
  status: 'open' | 'resolved' | 'ignored';
}

export interface DemoApp {
  name: string;
  bundleId: string;
  platform: DemoPlatform;
  /** Share of the demo's devices. */
  share: number;
  versions: string[];
  places: string[];
  crashes: CrashKind[];
}

export const DEMO_APPS: DemoApp[] = [
  {
    name: 'Storefront',
    bundleId: 'com.demo.storefront',
    platform: 'WEB',
    share: 0.5,
    versions: ['2024.10.1', '2024.11.0', '2024.11.2', '2024.12.0'],
    places: ['/', '/search', '/products/[id]', '/cart', '/checkout', '/account', '/orders'],
    crashes: [
      {
        type: 'TypeError',
        message: "Cannot read properties of undefined (reading 'price')",
        stack:
          "TypeError: Cannot read properties of undefined (reading 'price')\n    at computeTotal (https://shop.demo.test/static/js/cart.3f2a9c.js:1:18231)\n    at CartSummary (https://shop.demo.test/static/js/cart.3f2a9c.js:1:19877)\n    at renderWithHooks (https://shop.demo.test/static/js/vendor.91bd02.js:2:44120)",
        rate: 0.004,
        sinceVersion: 0,
        status: 'open',
      },
      {
        type: 'Error',
        message: 'Payment widget failed to load: timeout after 10000ms',
        stack:
          'loadWidget@https://shop.demo.test/static/js/checkout.77e1d0.js:1:5032\nmountPayment@https://shop.demo.test/static/js/checkout.77e1d0.js:1:6120\npromiseReactionJob@[native code]',
        rate: 0.002,
        sinceVersion: 1,
        status: 'resolved',
      },
      {
        type: 'RangeError',
        message: 'Maximum call stack size exceeded',
        stack:
          'RangeError: Maximum call stack size exceeded\n    at flattenCategories (https://shop.demo.test/static/js/search.12ab3e.js:1:901)\n    at flattenCategories (https://shop.demo.test/static/js/search.12ab3e.js:1:944)\n    at SearchFilters (https://shop.demo.test/static/js/search.12ab3e.js:1:2210)',
        rate: 0.006,
        sinceVersion: 3,
        status: 'open',
      },
    ],
  },
  {
    name: 'Orders API',
    bundleId: 'com.demo.orders-api',
    platform: 'NODE',
    share: 0.2,
    versions: ['3.4.0', '3.5.0', '3.5.1'],
    places: ['GET /api/orders', 'GET /api/orders/:id', 'POST /api/orders', 'POST /api/payments', 'GET /api/products'],
    crashes: [
      {
        type: 'Error',
        message: 'connect ECONNREFUSED 10.0.3.12:5432',
        stack:
          'Error: connect ECONNREFUSED 10.0.3.12:5432\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16)\n    at Client._connectionCallback (/srv/api/node_modules/pg/lib/client.js:132:24)\n    at Object.handler (/srv/api/src/routes/orders.ts:88:13)',
        rate: 0.003,
        sinceVersion: 0,
        status: 'ignored',
      },
      {
        type: 'TypeError',
        message: "Cannot destructure property 'currency' of 'req.body' as it is undefined.",
        stack:
          "TypeError: Cannot destructure property 'currency' of 'req.body' as it is undefined.\n    at createPayment (/srv/api/src/routes/payments.ts:41:11)\n    at Layer.handle [as handle_request] (/srv/api/node_modules/express/lib/router/layer.js:95:5)",
        rate: 0.002,
        sinceVersion: 1,
        status: 'open',
      },
    ],
  },
  {
    name: 'Calculator',
    bundleId: 'com.demo.calculator',
    platform: 'LUA',
    share: 0.3,
    versions: ['1.0.0', '1.1.0', '1.2.0'],
    places: ['home.rml', 'history.rml', 'settings.rml', 'profile.rml', 'converter.rml'],
    crashes: [
      {
        type: 'lua_error',
        message: "attempt to index nil value 'user'",
        stack: "main.lua:42: in function 'loadUser'\nprofile.lua:18: in function 'onShow'\nmain.lua:15: in main chunk",
        rate: 0.005,
        sinceVersion: 0,
        status: 'open',
      },
      {
        type: 'sandbox_error',
        message: 'memory limit exceeded',
        stack: "history.lua:77: in function 'appendEntry'\nhistory.lua:31: in function 'render'\n[C]: in ?",
        rate: 0.002,
        sinceVersion: 1,
        status: 'resolved',
      },
      {
        type: 'lua_error',
        message: "bad argument #1 to 'format' (number expected, got string)",
        stack: "converter.lua:55: in function 'formatRate'\nconverter.lua:12: in function 'onInput'\nmain.lua:15: in main chunk",
        rate: 0.004,
        sinceVersion: 2,
        status: 'open',
      },
    ],
  },
];

export const OPERATING_SYSTEMS: Record<DemoPlatform, ReadonlyArray<readonly [[string, string], number]>> = {
  WEB: [[['Windows', '11'], 40], [['macOS', '14.5'], 25], [['iOS', '17.4'], 20], [['Android', '14'], 15]],
  NODE: [[['Linux', '6.1'], 1]],
  LUA: [[['Android', '14'], 55], [['Android', '13'], 25], [['iOS', '17.4'], 20]],
};
export const BROWSERS = [['Chrome', 60], ['Safari', 25], ['Firefox', 10], ['Edge', 5]] as const;
export const MODELS = ['Pixel 8', 'Galaxy S23', 'iPhone15,2', 'Redmi Note 12', 'Pixel 7a'] as const;
export const COUNTRIES = [['US', 30], ['DE', 15], ['GB', 10], ['FR', 8], ['IN', 12], ['BR', 8], ['JP', 7], ['CA', 10]] as const;
export const LOCALES: Record<string, string> = { US: 'en-US', DE: 'de-DE', GB: 'en-GB', FR: 'fr-FR', IN: 'en-IN', BR: 'pt-BR', JP: 'ja-JP', CA: 'en-CA' };
