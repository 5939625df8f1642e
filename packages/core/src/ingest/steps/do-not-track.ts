import type { IngestApp, RequestFacts } from '../request.ts';

// Step 7, do-not-track: an app may honour DNT / Global Privacy Control. It drops a batch's
// usage events whole; crash reports have their own endpoints and are not tracking.

/** Do-Not-Track or Global Privacy Control, as browsers send them with every request. */
export function asksNotToBeTracked(headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  return headers.dnt === '1' || headers['sec-gpc'] === '1';
}

/** Step: true when the app honours the browser's request not to be tracked and this browser asked. */
export function honoursDoNotTrack(app: IngestApp, facts: RequestFacts): boolean {
  return app.respectDoNotTrack === true && facts.doNotTrack === true;
}
