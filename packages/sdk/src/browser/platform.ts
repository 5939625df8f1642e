import type { Platform } from '../core/client.ts';
import type { KeyValueStore } from '../core/queue.ts';

// The browser's fetch (keepalive, so a send started as the page goes away completes),
// localStorage, Web Crypto and CompressionStream — each optional, nothing assumed.

function localStore(): KeyValueStore | undefined {
  try {
    const storage = window.localStorage;
    const probe = 'sightline:probe';
    storage.setItem(probe, '1');
    storage.removeItem(probe);
    return {
      get: (key) => storage.getItem(key),
      set: (key, value) => {
        try {
          storage.setItem(key, value);
        } catch {
          // Full or refused: memory only.
        }
      },
    };
  } catch {
    return undefined; // private mode, sandboxed frame
  }
}

const hex = (buffer: ArrayBuffer) =>
  Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');

function uuid(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = hex(b.buffer);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export function browserPlatform(): Platform {
  return {
    fetch: (url, init) =>
      fetch(url, {
        ...init,
        body: init.body instanceof Uint8Array ? new Uint8Array(init.body) : init.body,
        credentials: 'omit',
      }),
    now: () => Date.now(),
    random: () => Math.random(),
    uuid,
    sha256Hex: async (text) => hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))),
    setTimeout: (run, ms) => window.setTimeout(run, ms),
    clearTimeout: (handle) => window.clearTimeout(handle as number),
    store: localStore(),
    ...(typeof CompressionStream === 'function' ? { gzip } : {}),
    context: () => ({ locale: navigator.language }),
    online: () => navigator.onLine !== false,
    doNotTrack: () =>
      navigator.doNotTrack === '1' ||
      (navigator as Navigator & { globalPrivacyControl?: boolean }).globalPrivacyControl === true,
  };
}
