import { describe, expect, it } from 'vitest';
import { scriptSnippet, snippets, type SnippetInput } from './snippets';

const input: SnippetInput = {
  appId: 7,
  key: 'pk_abc123',
  dsn: 'https://pk_abc123@telemetry.example.com/7',
  endpoint: 'https://telemetry.example.com',
  script: { path: '/sdk/v1/sightline.js', integrity: 'sha384-AAAA' },
};

const code = (id: string) =>
  snippets(input)
    .find((s) => s.id === id)!
    .blocks.map((b) => b.code)
    .join('\n');

describe('setup snippets', () => {
  it('offers every way in, each filled with the app key or DSN', () => {
    const all = snippets(input);
    expect(all.map((s) => s.id)).toEqual(['script', 'npm', 'nextjs', 'node', 'sentry', 'curl']);
    for (const s of all) expect(s.blocks.map((b) => b.code).join('\n')).toMatch(/pk_abc123/);
  });

  it('script tag: the api URL with the published SRI hash, then the browser global init', () => {
    expect(scriptSnippet(input)).toBe(
      [
        '<script src="https://telemetry.example.com/sdk/v1/sightline.js" integrity="sha384-AAAA" crossorigin="anonymous"></script>',
        '<script>',
        "  Sightline.init({ key: 'pk_abc123', endpoint: 'https://telemetry.example.com' });",
        '</script>',
      ].join('\n'),
    );
  });

  it('script tag without a published hash has no integrity attribute at all', () => {
    const tag = scriptSnippet({ ...input, script: null });
    expect(tag).toContain('<script src="https://telemetry.example.com/sdk/v1/sightline.js"></script>');
    expect(tag).not.toContain('integrity');
  });

  it('uses the SDK entry points and their real names', () => {
    expect(code('npm')).toContain("import { init } from '@sightline/sdk/browser';");
    expect(code('nextjs')).toContain("import { SightlineAnalytics } from '@sightline/sdk/next';");
    expect(code('nextjs')).toContain(
      '<SightlineAnalytics sightlineKey="pk_abc123" endpoint="https://telemetry.example.com" />',
    );
    expect(code('nextjs')).toContain("from '@sightline/sdk/next/server'");
    expect(code('nextjs')).toContain('export const onRequestError = sightlineRequestError;');
    expect(code('node')).toContain("import { init } from '@sightline/sdk/node';");
    expect(code('sentry')).toContain("Sentry.init({ dsn: 'https://pk_abc123@telemetry.example.com/7' });");
    expect(code('curl')).toContain("curl -X POST 'https://telemetry.example.com/v1/telemetry/events'");
    expect(code('curl')).toContain('"app_id": 7');
  });
});
