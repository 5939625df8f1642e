import type { SightlineClient } from '../core/client.ts';
import { privacyControls, type PrivacyControls } from '../core/privacy.ts';
import { init, type BrowserOptions } from './index.ts';
import { captureWebVitals } from './vitals.ts';

// The <script> build (IIFE): configured by the tag's data attributes, or by calling
// `Sightline.init({...})` yourself. The "vitals" build adds Web Vitals and the privacy
// controls' server side (`window.sightlinePrivacy`: export and deletion requests, and
// consent told to the server); the plain one keeps consent on the device only.
//   <script src="/sightline.vitals.js" data-key="pk_…" data-endpoint="https://…" defer></script>

declare const WITH_VITALS: boolean;

declare global {
  interface Window {
    Sightline?: { init(options: BrowserOptions): SightlineClient };
    sightline?: SightlineClient;
    sightlinePrivacy?: PrivacyControls;
  }
}

function start(options: BrowserOptions): SightlineClient {
  const client = init(options);
  if (WITH_VITALS) {
    captureWebVitals(client);
    window.sightlinePrivacy = privacyControls(client);
  }
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
    privacy: {
      respectDoNotTrack: tag.dataset.respectDnt === 'true',
      requireConsent: tag.dataset.requireConsent === 'true',
    },
    ...(tag.dataset.debug === 'true' ? { debug: true } : {}),
  });
}
