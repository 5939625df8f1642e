import type { AppendOutcome } from '../buffer.ts';
import type { CredentialPort } from '../steps/credential.ts';
import { app, principal } from '../steps/fixtures.ts';
import type { IngestDeps, IngestRequest } from './context.ts';
import type { IngestMetrics } from './metrics.ts';

// A pipeline's services as plain objects, for the pipeline tests: what was appended and
// what was counted are there to read.

export function fakeDeps(outcome: AppendOutcome = { status: 'stored', entryId: '1-0' }) {
  const counted: Array<[string, Record<string, string>, number | undefined]> = [];
  const counter = (name: string) => ({
    inc: (labels: Record<string, string>, value?: number) => void counted.push([name, labels, value]),
  });
  const metrics: IngestMetrics = {
    accepted: counter('accepted'),
    dropped: counter('dropped'),
    sentryItems: counter('sentryItems'),
    sentryClientDiscards: counter('sentryClientDiscards'),
  };
  const appended: unknown[] = [];
  const deps: IngestDeps = {
    buffer: {
      append: (batch) => (appended.push(batch), Promise.resolve(outcome)),
      appendCrash: (report) => (appended.push(report), Promise.resolve(outcome)),
      appendMixed: (input) => (appended.push(input), Promise.resolve(outcome)),
    },
    directory: { resolve: () => Promise.resolve(app) },
    limits: { perKey: 100, perDevice: 100, perIp: 100 },
    metrics,
  };
  return { deps, counted, appended };
}

export const credential: CredentialPort = {
  authenticate: () => Promise.resolve(principal),
  authenticateKey: () => Promise.resolve(principal),
};

export const requestOf = (body: unknown, headers: IngestRequest['headers'] = {}): IngestRequest => ({
  body,
  headers,
  ip: '203.0.113.50',
  credential,
});
