import { describe, expect, it } from 'vitest';
import { app } from './fixtures.ts';
import { checkOrigin, originOf } from './origin.ts';

describe('origin step', () => {
  const listed = { ...app, allowedOrigins: ['https://shop.example'] };

  it('lets through non-browsers, apps listing no origins, and listed origins', () => {
    expect(() => checkOrigin(undefined, listed)).not.toThrow();
    expect(() => checkOrigin('https://evil.example', app)).not.toThrow();
    expect(() => checkOrigin('https://shop.example', listed)).not.toThrow();
  });

  it('refuses another origin with 403, saying how to allow it', () => {
    expect(() => checkOrigin('https://evil.example', listed)).toThrow(
      "origin https://evil.example may not send telemetry to this app; add it to the app's allowed origins",
    );
    expect(originOf({ origin: 'https://shop.example' })).toBe('https://shop.example');
    expect(originOf({})).toBeUndefined();
  });
});
