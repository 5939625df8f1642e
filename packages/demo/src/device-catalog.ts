// The devices behind the demo's traffic: where they are (time zone, locale, network) and
// what they run, weighted roughly like a European/US consumer audience.
import type { DemoPlatform, Weighted } from './catalog.ts';

export interface Country {
  code: string;
  /** Hours ahead of UTC (no DST: the demo does not need it). */
  utcOffset: number;
  locale: string;
  /** Network latency multiplier for TTFB and resource loads. */
  latency: number;
}

export const COUNTRIES: Weighted<Country> = [
  [{ code: 'US', utcOffset: -5, locale: 'en-US', latency: 1 }, 28],
  [{ code: 'DE', utcOffset: 1, locale: 'de-DE', latency: 0.9 }, 14],
  [{ code: 'GB', utcOffset: 0, locale: 'en-GB', latency: 0.9 }, 10],
  [{ code: 'FR', utcOffset: 1, locale: 'fr-FR', latency: 0.95 }, 8],
  [{ code: 'IN', utcOffset: 5.5, locale: 'en-IN', latency: 1.7 }, 12],
  [{ code: 'BR', utcOffset: -3, locale: 'pt-BR', latency: 1.4 }, 8],
  [{ code: 'JP', utcOffset: 9, locale: 'ja-JP', latency: 1.1 }, 8],
  [{ code: 'CA', utcOffset: -5, locale: 'en-CA', latency: 1 }, 6],
  [{ code: 'AU', utcOffset: 10, locale: 'en-AU', latency: 1.3 }, 6],
];

export interface Hardware {
  os: string;
  osVersion: string;
  /** Browsers by share on this OS (web only). */
  browsers?: Weighted<string>;
  /** Device models with a slowness factor (mobile and servers). */
  models?: Weighted<readonly [string, number]>;
}

const ANDROID_MODELS: Weighted<readonly [string, number]> = [
  [['Pixel 8', 0.8], 3],
  [['Pixel 7a', 1], 3],
  [['Galaxy S23', 0.8], 4],
  [['Galaxy A54', 1.3], 4],
  [['Redmi Note 12', 1.5], 3],
];
const IPHONE_MODELS: Weighted<readonly [string, number]> = [
  [['iPhone15,2', 0.75], 3],
  [['iPhone14,5', 0.9], 3],
  [['iPhone16,1', 0.7], 2],
];

export const HARDWARE: Readonly<Record<DemoPlatform, Weighted<Hardware>>> = {
  WEB: [
    [
      {
        os: 'Windows',
        osVersion: '11',
        browsers: [
          ['Chrome', 65],
          ['Edge', 22],
          ['Firefox', 13],
        ],
      },
      30,
    ],
    [
      {
        os: 'Windows',
        osVersion: '10',
        browsers: [
          ['Chrome', 65],
          ['Edge', 22],
          ['Firefox', 13],
        ],
      },
      12,
    ],
    [
      {
        os: 'macOS',
        osVersion: '14.6',
        browsers: [
          ['Safari', 45],
          ['Chrome', 45],
          ['Firefox', 10],
        ],
      },
      14,
    ],
    [
      {
        os: 'macOS',
        osVersion: '15.1',
        browsers: [
          ['Safari', 50],
          ['Chrome', 42],
          ['Firefox', 8],
        ],
      },
      8,
    ],
    [
      {
        os: 'iOS',
        osVersion: '18.1',
        browsers: [
          ['Safari', 90],
          ['Chrome', 10],
        ],
      },
      14,
    ],
    [
      {
        os: 'iOS',
        osVersion: '17.6',
        browsers: [
          ['Safari', 90],
          ['Chrome', 10],
        ],
      },
      6,
    ],
    [
      {
        os: 'Android',
        osVersion: '14',
        browsers: [
          ['Chrome', 80],
          ['Samsung Internet', 15],
          ['Firefox', 5],
        ],
      },
      10,
    ],
    [
      {
        os: 'Android',
        osVersion: '15',
        browsers: [
          ['Chrome', 85],
          ['Samsung Internet', 12],
          ['Firefox', 3],
        ],
      },
      6,
    ],
  ],
  NODE: [
    [
      {
        os: 'Linux',
        osVersion: '6.1',
        models: [
          [['c7g.large', 1], 2],
          [['m6i.xlarge', 0.8], 1],
        ],
      },
      1,
    ],
  ],
  LUA: [
    [{ os: 'Android', osVersion: '14', models: ANDROID_MODELS }, 45],
    [{ os: 'Android', osVersion: '15', models: ANDROID_MODELS }, 25],
    [{ os: 'Android', osVersion: '13', models: ANDROID_MODELS }, 15],
    [{ os: 'iOS', osVersion: '18.1', models: IPHONE_MODELS }, 15],
  ],
};
