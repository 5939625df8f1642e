import type { ClientTraits } from './enrich.ts';

// What every ingestion step may read besides the payload: the app's settings and what the
// api knows of the request itself.

/** The app an ingest request lands in, with the settings the pipeline needs. */
export interface IngestApp {
  orgId: string;
  appId: number;
  bundleId: string;
  allowedOrigins: string[];
  sampleRate: number;
  ipPolicy: string;
  scrubFields: string[];
  rawEventRetentionDays: number;
  /** Usage events from browsers asking not to be tracked are not stored. */
  respectDoNotTrack?: boolean;
}

/** What the api knows of the request itself, outside the body. */
export interface RequestFacts {
  receivedAt: number;
  ip: string;
  traits: ClientTraits;
  /** The client sent `DNT: 1` or `Sec-GPC: 1` (see asksNotToBeTracked). */
  doNotTrack?: boolean;
}
