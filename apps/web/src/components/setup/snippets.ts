// The setup page's copy-paste snippets, one per way into Sightline, filled with the app's
// public key, its DSN and the api's public URL. Plain functions of their inputs, so a unit
// test can check each against the SDKs' real API.

export interface SnippetInput {
  appId: number;
  /** The app's `pk_` key. */
  key: string;
  /** Its Sentry DSN, `http://pk_…@host/<app id>`. */
  dsn: string;
  /** The api's public URL, without a trailing slash. */
  endpoint: string;
  /** The `<script>` build as the api publishes it (`/sdk/v1/integrity.json`); null when it could not be read. */
  script: ScriptAsset | null;
}

export interface ScriptAsset {
  /** Path on the api, e.g. `/sdk/v1/sightline.js`. */
  path: string;
  /** `sha384-…`, for the tag's integrity attribute. */
  integrity: string;
}

export interface Snippet {
  id: string;
  title: string;
  /** One sentence saying where it goes. */
  intro: string;
  /** Each block is copied on its own (a shell command, then a file). */
  blocks: Array<{ label: string; code: string }>;
}

export const DEFAULT_SCRIPT_PATH = '/sdk/v1/sightline.js';

const js = (value: string): string => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** `<script>` tag: the browser global `Sightline`, started with `Sightline.init`. */
export function scriptSnippet({ key, endpoint, script }: SnippetInput): string {
  const src = `${endpoint}${script?.path ?? DEFAULT_SCRIPT_PATH}`;
  const attributes = script ? ` integrity="${script.integrity}" crossorigin="anonymous"` : '';
  return [
    `<script src="${src}"${attributes}></script>`,
    '<script>',
    `  Sightline.init({ key: ${js(key)}, endpoint: ${js(endpoint)} });`,
    '</script>',
  ].join('\n');
}

export function snippets(input: SnippetInput): Snippet[] {
  const { appId, key, dsn, endpoint } = input;
  const options = `{ key: ${js(key)}, endpoint: ${js(endpoint)} }`;
  return [
    {
      id: 'script',
      title: 'Script tag',
      intro:
        'Paste into every page, before </head>. Page views, clicks and uncaught errors are captured; events are sent every minute and when the visitor leaves the page.',
      blocks: [{ label: 'HTML', code: scriptSnippet(input) }],
    },
    {
      id: 'npm',
      title: 'npm + ES modules',
      intro: 'For a bundled web app: start the SDK once, as early as possible.',
      blocks: [
        { label: 'Shell', code: 'npm install @sightline/sdk' },
        {
          label: 'JavaScript',
          code: [
            "import { init } from '@sightline/sdk/browser';",
            '',
            `const sightline = init(${options});`,
            "sightline.track('signed_up', { plan: 'free' });",
          ].join('\n'),
        },
      ],
    },
    {
      id: 'nextjs',
      title: 'Next.js',
      intro:
        'Browser: page views by route, errors and Web Vitals from the root layout. Server: errors Next.js catches, from instrumentation.ts.',
      blocks: [
        { label: 'Shell', code: 'npm install @sightline/sdk' },
        {
          label: 'app/layout.tsx',
          code: [
            "import { SightlineAnalytics } from '@sightline/sdk/next';",
            "import type { ReactNode } from 'react';",
            '',
            'export default function RootLayout({ children }: { children: ReactNode }) {',
            '  return (',
            '    <html lang="en">',
            '      <body>',
            `        <SightlineAnalytics sightlineKey="${key}" endpoint="${endpoint}" />`,
            '        {children}',
            '      </body>',
            '    </html>',
            '  );',
            '}',
          ].join('\n'),
        },
        {
          label: 'instrumentation.ts',
          code: [
            "import { registerSightline, sightlineRequestError } from '@sightline/sdk/next/server';",
            '',
            'export function register() {',
            `  registerSightline(${options});`,
            '}',
            '',
            'export const onRequestError = sightlineRequestError;',
          ].join('\n'),
        },
      ],
    },
    {
      id: 'node',
      title: 'Node.js',
      intro:
        'Uncaught exceptions and unhandled rejections are reported; queued events are sent before the process ends.',
      blocks: [
        { label: 'Shell', code: 'npm install @sightline/sdk' },
        {
          label: 'JavaScript',
          code: [
            "import { init } from '@sightline/sdk/node';",
            '',
            `const sightline = init(${options});`,
            "sightline.track('job_finished', { queue: 'emails' });",
          ].join('\n'),
        },
      ],
    },
    {
      id: 'sentry',
      title: 'Sentry SDKs',
      intro: 'Already using Sentry? Point the official SDKs at this DSN; errors and crashes land here.',
      blocks: [
        {
          label: 'Browser (@sentry/browser)',
          code: ["import * as Sentry from '@sentry/browser';", '', `Sentry.init({ dsn: ${js(dsn)} });`].join('\n'),
        },
        {
          label: 'Node (@sentry/node)',
          code: ["import * as Sentry from '@sentry/node';", '', `Sentry.init({ dsn: ${js(dsn)} });`].join('\n'),
        },
      ],
    },
    {
      id: 'curl',
      title: 'curl',
      intro: 'Send one event by hand, to see this page turn to "received".',
      blocks: [
        {
          label: 'Shell',
          code: [
            `curl -X POST '${endpoint}/v1/telemetry/events' \\`,
            `  -H 'Authorization: Bearer ${key}' \\`,
            "  -H 'Content-Type: application/json' \\",
            '  --data @- <<EOF',
            `{"app_id": ${appId}, "device_id": "curl-test", "events": [`,
            '  {"type": "custom", "name": "hello_from_curl", "timestamp": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"}',
            ']}',
            'EOF',
          ].join('\n'),
        },
      ],
    },
  ];
}
