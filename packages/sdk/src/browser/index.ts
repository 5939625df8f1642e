import { SightlineClient, type SightlineOptions } from '../core/client.ts';
import {
  captureClicks,
  captureConsoleErrors,
  captureErrors,
  captureMedia,
  capturePageViews,
  captureResources,
  type AutocaptureOptions,
} from './autocapture.ts';
import { browserPlatform } from './platform.ts';

// @sightline/sdk/browser: the core with the browser's platform and automatic capture.
// Queued events are sent when the page is hidden or closed (fetch keepalive), so closing a
// tab loses nothing that was queued. Web Vitals come with `@sightline/sdk/browser/vitals`
// (or the `sightline.vitals` script build) so pages that do not want them do not pay for them.

export { SightlineClient, type Consent, type SightlineOptions } from '../core/client.ts';
export { privacyControls, type PrivacyControls, type PrivacyRequest } from '../core/privacy.ts';
export type { AutocaptureOptions } from './autocapture.ts';

export interface BrowserOptions extends SightlineOptions {
  /** Automatic capture; every part is on unless set to false. */
  autocapture?: AutocaptureOptions | false;
}

export function init(options: BrowserOptions): SightlineClient {
  const client = new SightlineClient(options, browserPlatform());
  const auto = options.autocapture === false ? null : (options.autocapture ?? {});
  const endpoint = client.url('');
  const safely = (run: () => void) => {
    try {
      run();
    } catch {
      // One part that cannot start must not stop the others, or the page.
    }
  };
  if (auto) {
    if (auto.errors !== false) safely(() => captureErrors(client));
    if (auto.pageViews !== false) safely(() => capturePageViews(client));
    if (auto.clicks !== false) safely(() => captureClicks(client));
    if (auto.consoleErrors !== false) safely(() => captureConsoleErrors(client));
    if (auto.resources !== false) safely(() => captureResources(client, endpoint));
    if (auto.media !== false) safely(() => captureMedia(client));
  }
  // Sent while the page can still send (the requests outlive it); a tab switch counts too,
  // as it is often the last the page sees before being discarded.
  // Unloaded (not kept in the back/forward cache): what is handed over leaves the queue.
  addEventListener('pagehide', (event) => client.leave(!event.persisted));
  addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') client.leave();
  });
  addEventListener('online', () => void client.retryNow());
  return client;
}
