import { describe, expect, it } from 'vitest';
import { now } from './fixtures.ts';
import { nameAndValue } from './name-and-value.ts';
import { validateEvent } from './validate.ts';

describe('name and value step', () => {
  it('checks the data a known type must carry and takes name and value from it', () => {
    expect(validateEvent({ type: 'web_vital', timestamp: now, data: { name: 'LCP' } }, 0).ok).toBe(false);
    const vital = validateEvent({ type: 'web_vital', timestamp: now, data: { name: 'INP', value: 180 } }, 0);
    expect(vital.ok && nameAndValue(vital.value)).toEqual({ name: 'INP', value: 180 });
    // Pages group by their route pattern when the app's router sent one, else by path.
    const routed = validateEvent(
      { type: 'page_view', timestamp: now, data: { path: '/shop/42', route: '/shop/[id]' } },
      0,
    );
    expect(routed.ok && nameAndValue(routed.value).name).toBe('/shop/[id]');
    const plain = validateEvent({ type: 'page_view', timestamp: now, data: { path: '/shop/42' } }, 0);
    expect(plain.ok && nameAndValue(plain.value).name).toBe('/shop/42');
    const custom = validateEvent(
      { type: 'order_placed', timestamp: new Date(now).toISOString(), data: { total: 30 } },
      0,
    );
    expect(custom.ok).toBe(true);
  });
});
