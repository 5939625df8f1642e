import { describe, expect, it } from 'vitest';
import { API_CRASHES, CALCULATOR_CRASHES, SHOP_CRASHES } from './crash-catalog.ts';
import { fingerprintCrash } from '@sightline/core';
import { demoFingerprint, renderStack, stackStyle } from './crash-traces.ts';

const [cartTypeError] = SHOP_CRASHES;
const [connectionRefused] = API_CRASHES;
const [nilUser] = CALCULATOR_CRASHES;

describe('demo crash traces', () => {
  it('renders Lua tracebacks exactly as the seed shows them', () => {
    expect(renderStack(nilUser!, 0, '1.0.0', 'lua', null)).toBe(
      "main.lua:42: in function 'loadUser'\nprofile.lua:18: in function 'onShow'\nmain.lua:15: in main chunk",
    );
  });

  it('renders V8 traces with the error first and SpiderMonkey/JavaScriptCore traces without it', () => {
    const chrome = renderStack(cartTypeError!, 0, '2024.10.1', stackStyle('WEB', 'Chrome'), 'Chrome').split('\n');
    expect(chrome[0]).toBe("TypeError: Cannot read properties of undefined (reading 'price')");
    expect(chrome[1]).toMatch(
      /^ {4}at computeTotal \(https:\/\/shop\.demo\.test\/static\/js\/cart\.[0-9a-f]{6}\.js:1:18231\)$/,
    );
    const firefox = renderStack(cartTypeError!, 0, '2024.10.1', stackStyle('WEB', 'Firefox'), 'Firefox').split('\n');
    expect(firefox[0]).toMatch(/^computeTotal@https:\/\/shop\.demo\.test\/static\/js\/cart\.[0-9a-f]{6}\.js:1:18231$/);
  });

  it('renders Node traces with node_modules and node: internals around the app frames', () => {
    const node = renderStack(connectionRefused!, 0, '3.4.0', 'node', null);
    expect(node).toContain('    at Object.handler (/srv/api/src/routes/orders.ts:88:13)');
    expect(node).toContain('/srv/api/node_modules/pg/lib/client.js:132:24');
    expect(node).toContain('(node:net:1607:16)');
  });

  it('moves lines and renames bundles between versions, so only a normalising fingerprint groups them', () => {
    const before = renderStack(cartTypeError!, 0, '2024.10.1', 'chrome', 'Chrome');
    const after = renderStack(cartTypeError!, 2, '2024.11.2', 'chrome', 'Chrome');
    expect(after).not.toBe(before);
    const lua = renderStack(nilUser!, 2, '1.2.0', 'lua', null);
    expect(lua).not.toContain('main.lua:42:');
  });

  it('groups each demo crash as ingestion would: one group per bug across versions and browsers', () => {
    const apps = [
      {
        crashes: SHOP_CRASHES,
        styles: ['chrome', 'firefox'] as const,
        versions: ['2024.10.1', '2024.11.2', '2025.1.0'],
      },
      { crashes: API_CRASHES, styles: ['node'] as const, versions: ['3.4.0', '3.5.0', '3.6.1'] },
      { crashes: CALCULATOR_CRASHES, styles: ['lua'] as const, versions: ['1.0.0', '1.1.0', '1.2.0'] },
    ];
    const seeded: string[] = [];
    for (const { crashes, styles, versions } of apps) {
      for (const kind of crashes) {
        const fingerprint = demoFingerprint(kind, styles[0]);
        seeded.push(fingerprint);
        for (const style of styles) {
          versions.forEach((version, i) => {
            const message = (style === 'firefox' && kind.messages?.firefox) || kind.message;
            const stackTrace = renderStack(kind, i, version, style, style === 'firefox' ? 'Firefox' : 'Chrome');
            expect(
              fingerprintCrash({ crashType: kind.type, message, stackTrace }).fingerprint,
              `${kind.type} ${style} ${version}`,
            ).toBe(fingerprint);
          });
        }
      }
    }
    expect(new Set(seeded).size).toBe(seeded.length);
  });
});
