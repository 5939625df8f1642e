// The demo organization's three apps and the devices that use them. Numbers here are
// tuned so dashboards tell a story: an evening-heavy shop, a daytime calculator, an API
// that follows the shop's traffic, and releases that roll out over the demo window.
import { API_CRASHES, CALCULATOR_CRASHES, SHOP_CRASHES, type CrashKind } from './crash-catalog.ts';

export type DemoPlatform = 'WEB' | 'NODE' | 'LUA';
export type Weighted<T> = ReadonlyArray<readonly [T, number]>;

export interface DemoApp {
  name: string;
  bundleId: string;
  platform: DemoPlatform;
  allowedOrigins: string[];
  /** Share of the requested devices; the API's "devices" are a handful of server instances. */
  deviceShare: number;
  /** Share of the requested events. */
  eventShare: number;
  /** Events in an average session before scaling to the requested total. */
  meanEvents: number;
  weekendFactor: number;
  /** Relative session starts per local hour, weekday and weekend. */
  hours: { weekday: readonly number[]; weekend: readonly number[] };
  /** Mean days a device waits before taking a new release. */
  updateLagDays: number;
  versions: readonly string[];
  /** Latency multiplier per version: a release can make things faster or slower. */
  versionPerf: readonly number[];
  landing: Weighted<string>;
  /** Where users go next from each place: a Markov chain, so funnels and paths look real. */
  navigation: Readonly<Record<string, Weighted<string>>>;
  crashes: readonly CrashKind[];
}

const EVENING = {
  weekday: [2, 1, 1, 1, 1, 2, 4, 6, 7, 7, 7, 8, 9, 8, 7, 7, 8, 9, 11, 13, 14, 12, 8, 4],
  weekend: [3, 2, 1, 1, 1, 1, 2, 3, 5, 8, 10, 11, 11, 11, 10, 10, 10, 11, 12, 13, 13, 11, 8, 5],
};
const DAYTIME = {
  weekday: [1, 0.5, 0.5, 0.5, 0.5, 1, 2, 5, 9, 11, 12, 11, 9, 11, 12, 11, 10, 8, 6, 5, 4, 3, 2, 1],
  weekend: [1, 1, 0.5, 0.5, 0.5, 0.5, 1, 2, 4, 6, 7, 7, 7, 7, 7, 6, 6, 5, 5, 5, 4, 3, 2, 1],
};
// Servers sit in UTC and serve every time zone at once, so their curve is flatter.
const GLOBAL = {
  weekday: [5, 4, 4, 4, 4, 5, 6, 8, 9, 10, 10, 10, 10, 10, 10, 11, 12, 13, 13, 12, 10, 8, 7, 6],
  weekend: [5, 5, 4, 4, 4, 4, 5, 6, 8, 9, 10, 10, 10, 10, 10, 10, 11, 12, 12, 11, 10, 8, 7, 6],
};

export const DEMO_APPS: readonly DemoApp[] = [
  {
    name: 'Demo Shop',
    bundleId: 'com.demo.shop',
    platform: 'WEB',
    allowedOrigins: ['https://shop.demo.test'],
    deviceShare: 0.6,
    eventShare: 0.45,
    meanEvents: 22,
    weekendFactor: 1.2,
    hours: EVENING,
    updateLagDays: 0.25,
    versions: ['2024.10.1', '2024.11.0', '2024.11.2', '2024.12.0'],
    versionPerf: [1, 0.92, 0.9, 1.08],
    landing: [
      ['/', 5],
      ['/products/[id]', 3],
      ['/search', 2],
    ],
    navigation: {
      '/': [
        ['/search', 4],
        ['/products/[id]', 4],
        ['/account', 1],
        ['/cart', 1],
      ],
      '/search': [
        ['/products/[id]', 6],
        ['/search', 2],
        ['/', 1],
      ],
      '/products/[id]': [
        ['/products/[id]', 3],
        ['/cart', 3],
        ['/search', 2],
        ['/', 1],
      ],
      '/cart': [
        ['/checkout', 5],
        ['/products/[id]', 2],
        ['/', 1],
      ],
      '/checkout': [
        ['/orders', 6],
        ['/cart', 2],
      ],
      '/account': [
        ['/orders', 3],
        ['/', 2],
      ],
      '/orders': [
        ['/', 2],
        ['/products/[id]', 1],
      ],
    },
    crashes: SHOP_CRASHES,
  },
  {
    name: 'Orders API',
    bundleId: 'com.demo.orders-api',
    platform: 'NODE',
    allowedOrigins: [],
    deviceShare: 0.02,
    eventShare: 0.25,
    meanEvents: 60,
    weekendFactor: 1.05,
    hours: GLOBAL,
    updateLagDays: 0.02,
    versions: ['3.4.0', '3.5.0', '3.5.1'],
    versionPerf: [1, 1.1, 0.85],
    landing: [],
    navigation: {},
    crashes: API_CRASHES,
  },
  {
    name: 'Calculator',
    bundleId: 'com.demo.calculator',
    platform: 'LUA',
    allowedOrigins: [],
    deviceShare: 0.38,
    eventShare: 0.3,
    meanEvents: 20,
    weekendFactor: 0.75,
    hours: DAYTIME,
    updateLagDays: 3,
    versions: ['1.0.0', '1.1.0', '1.2.0'],
    versionPerf: [1, 0.95, 0.8],
    landing: [['home.rml', 1]],
    navigation: {
      'home.rml': [
        ['converter.rml', 4],
        ['history.rml', 2],
        ['settings.rml', 1],
        ['profile.rml', 1],
        ['home.rml', 3],
      ],
      'converter.rml': [
        ['home.rml', 3],
        ['converter.rml', 2],
        ['history.rml', 1],
      ],
      'history.rml': [
        ['home.rml', 3],
        ['converter.rml', 1],
      ],
      'settings.rml': [
        ['home.rml', 2],
        ['profile.rml', 1],
      ],
      'profile.rml': [
        ['home.rml', 2],
        ['settings.rml', 1],
      ],
    },
    crashes: CALCULATOR_CRASHES,
  },
];
