import type { SightlineClient } from '../core/client.ts';
import { init, type BrowserOptions } from './index.ts';
import { captureWebVitals } from './vitals.ts';

// The <script> build (IIFE): configured by the tag's data attributes, or by calling
// `Sightline.init({...})` yourself. The "vitals" build adds Web Vitals.
//   <script src="/sightline.vitals.js" data-key="pk_…" data-endpoint="https://…" defer></script>

declare const WITH_VITALS: boolean;

declare global {
  interface Window {
    Sightline?: { init(options: BrowserOptions): SightlineClient };
    sightline?: SightlineClient;
  }
}

function start(options: BrowserOptions): SightlineClient {
  const client = init(options);
  if (WITH_VITALS) captureWebVitals(client);
  window.sightline = client;
  return client;
}

window.Sightline = { init: start };

const tag = document.currentScript as HTMLScriptElement | null;
const key = tag?.dataset.key;
const endpoint = tag?.dataset.endpoint;
if (key && endpoint) {
  start({
    key,
    endpoint,
    ...(tag.dataset.appVersion ? { appVersion: tag.dataset.appVersion } : {}),
    ...(tag.dataset.flushInterval ? { flushInterval: Number(tag.dataset.flushInterval) } : {}),
    ...(tag.dataset.respectDnt === 'true' ? { privacy: { respectDoNotTrack: true } } : {}),
    ...(tag.dataset.debug === 'true' ? { debug: true } : {}),
  });
}
